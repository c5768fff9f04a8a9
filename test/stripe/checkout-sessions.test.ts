// Checkout Sessions through the official client: create in each mode (prices and price_data),
// retrieve, list, line items, expire, the checks Stripe makes on create, and payment through the
// `complete_checkout` action (success, decline then retry, 3D Secure, delayed payment), with the
// objects Stripe makes and the webhooks it sends. Every object is checked against the client's types.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { stripeTwin } from '../../twins/stripe/index.ts';
import { startTwin } from '../support/twin-harness.ts';
import { conformance } from './object-conformance.ts';
import { startReceiver, startStripe, type StripeRig } from './stripe-support.ts';

const SECRET = 'whsec_checkout_test_secret';

type Outcome = { outcome: string; session: Stripe.Checkout.Session; error?: { code?: string; decline_code?: string; message: string } };

async function complete(rig: StripeRig, params: Record<string, unknown>): Promise<Outcome> {
  return (await rig.h.twin.actions?.complete_checkout?.(params)) as Outcome;
}

function conforms(shape: string, value: unknown): void {
  expect(conformance(value, shape)).toEqual([]);
}

describe('stripe twin: Checkout Sessions', () => {
  it('creates a payment session from a price and price_data, lists its line items, and is paid by complete_checkout', async () => {
    await using receiver = await startReceiver(SECRET);
    await using rig = await startStripe({ webhookSecret: SECRET, webhooks: [{ url: receiver.url, enabled_events: ['checkout.session.completed', 'payment_intent.succeeded'] }] });
    const { stripe } = rig;
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1500, product_data: { name: 'T-shirt' } });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        { price: price.id, quantity: 2 },
        { price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Gift wrap' } }, quantity: 1 },
      ],
      success_url: 'https://shop.example/done?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://shop.example/cart',
      client_reference_id: 'order-42',
      metadata: { order: '42' },
    });
    conforms('Checkout.Session', session);
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({ object: 'checkout.session', mode: 'payment', status: 'open', payment_status: 'unpaid', amount_total: 3500, amount_subtotal: 3500, currency: 'usd', payment_intent: null, client_reference_id: 'order-42' });
    expect(session.url).toBe(`${rig.env.STRIPE_API_BASE}/c/pay/${session.id}`);
    expect(session.expires_at - session.created).toBe(24 * 3600);

    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data.map((i) => [i.description, i.quantity, i.amount_total])).toEqual([
      ['T-shirt', 2, 3000],
      ['Gift wrap', 1, 500],
    ]);
    for (const item of items.data) conforms('LineItem', item);
    const expanded = await stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] });
    expect(expanded.line_items?.data).toHaveLength(2);
    conforms('Checkout.Session', expanded);

    const paid = await complete(rig, { session: session.id, card: '4242424242424242', email: 'jenny@example.com', name: 'Jenny Rosen' });
    expect(paid.outcome).toBe('complete');
    const done = await stripe.checkout.sessions.retrieve(session.id);
    conforms('Checkout.Session', done);
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', url: null, customer_details: { email: 'jenny@example.com', name: 'Jenny Rosen' } });
    const pi = await stripe.paymentIntents.retrieve(done.payment_intent as string);
    expect(pi).toMatchObject({ status: 'succeeded', amount: 3500, currency: 'usd', amount_received: 3500 });
    expect((await stripe.checkout.sessions.list({ payment_intent: pi.id })).data.map((s) => s.id)).toEqual([session.id]);

    await rig.h.twin.actions?.flush?.({});
    expect(receiver.events.map((e) => e.event.type)).toEqual(['payment_intent.succeeded', 'checkout.session.completed']);
    const completed = receiver.events[1]?.event.data.object as Stripe.Checkout.Session;
    expect(completed).toMatchObject({ id: session.id, status: 'complete', payment_status: 'paid', payment_intent: pi.id, metadata: { order: '42' } });
    await expect(complete(rig, { session: session.id })).rejects.toMatchObject({ message: expect.stringMatching(/complete and can no longer be paid/) });
  });

  it('keeps the session open on a decline and completes it with the next card, on the same PaymentIntent', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'eur', unit_amount: 2000, product_data: { name: 'Ticket' } }, quantity: 1 }],
      success_url: 'https://shop.example/done',
    });
    const mistyped = await complete(rig, { session: session.id, card: '4242424242424241' });
    expect(mistyped).toMatchObject({ outcome: 'declined', error: { code: 'incorrect_number' } });
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_intent).toBeNull();
    const declined = await complete(rig, { session: session.id, card: 'pm_card_chargeDeclinedInsufficientFunds' });
    expect(declined.outcome).toBe('declined');
    expect(declined.error).toMatchObject({ code: 'card_declined', decline_code: 'insufficient_funds' });
    const open = await stripe.checkout.sessions.retrieve(session.id);
    expect(open).toMatchObject({ status: 'open', payment_status: 'unpaid' });
    const pi = open.payment_intent as string;
    expect((await stripe.paymentIntents.retrieve(pi)).status).toBe('requires_payment_method');

    expect((await complete(rig, { session: session.id, card: 'pm_card_visa' })).outcome).toBe('complete');
    const done = await stripe.checkout.sessions.retrieve(session.id);
    expect(done.payment_intent).toBe(pi);
    expect((await stripe.paymentIntents.retrieve(pi)).status).toBe('succeeded');
    expect((await stripe.charges.list({ payment_intent: pi })).data.map((c) => c.status)).toEqual(['succeeded', 'failed']);
  });

  it('waits for 3D Secure: a completed challenge completes the session, a failed one leaves it open', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const create = () =>
      stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price_data: { currency: 'usd', unit_amount: 900, product_data: { name: 'Book' } }, quantity: 1 }], success_url: 'https://shop.example/done' });
    const first = await create();
    expect((await complete(rig, { session: first.id, card: 'pm_card_threeDSecure2Required', three_d_secure: 'leave' })).outcome).toBe('requires_action');
    expect((await stripe.checkout.sessions.retrieve(first.id)).status).toBe('open');
    expect((await stripe.paymentIntents.retrieve((await stripe.checkout.sessions.retrieve(first.id)).payment_intent as string)).status).toBe('requires_action');
    const authenticated = (await rig.h.twin.actions?.complete_checkout?.({ session: first.id, card: 'pm_card_threeDSecure2Required' })) as Outcome;
    expect(authenticated.outcome).toBe('complete');
    const pi = await stripe.paymentIntents.retrieve(authenticated.session.payment_intent as string, { expand: ['latest_charge'] });
    expect((pi.latest_charge as Stripe.Charge).payment_method_details?.card?.three_d_secure?.result).toBe('authenticated');

    const second = await create();
    const failed = await complete(rig, { session: second.id, card: 'pm_card_authenticationRequired', three_d_secure: 'fail' });
    expect(failed.outcome).toBe('declined');
    expect(failed.error?.code).toBe('payment_intent_authentication_failure');
    expect((await stripe.checkout.sessions.retrieve(second.id)).status).toBe('open');
  });

  it('setup mode saves the card through a SetupIntent; subscription mode creates the customer and an active subscription', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const customer = await stripe.customers.create({ email: 'saver@example.com' });
    const setup = await stripe.checkout.sessions.create({ mode: 'setup', customer: customer.id, currency: 'usd', success_url: 'https://shop.example/saved' });
    conforms('Checkout.Session', setup);
    expect(setup).toMatchObject({ payment_status: 'no_payment_required', amount_total: null, setup_intent: null });
    expect((await complete(rig, { session: setup.id, card: 'pm_card_mastercard' })).outcome).toBe('complete');
    const saved = await stripe.checkout.sessions.retrieve(setup.id);
    const si = await stripe.setupIntents.retrieve(saved.setup_intent as string);
    expect(si).toMatchObject({ status: 'succeeded', customer: customer.id, usage: 'off_session' });
    expect((await stripe.paymentMethods.retrieve(si.payment_method as string)).customer).toBe(customer.id);

    const monthly = await stripe.prices.create({ currency: 'usd', unit_amount: 1200, recurring: { interval: 'month' }, product_data: { name: 'Pro' } });
    const subscribe = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: monthly.id, quantity: 1 }],
      customer_email: 'new@example.com',
      subscription_data: { metadata: { plan: 'pro' } },
      success_url: 'https://shop.example/welcome',
    });
    conforms('Checkout.Session', subscribe);
    expect(subscribe).toMatchObject({ amount_total: 1200, customer: null, subscription: null, payment_method_collection: 'always' });
    expect((await complete(rig, { session: subscribe.id, card: 'pm_card_visa' })).outcome).toBe('complete');
    const done = await stripe.checkout.sessions.retrieve(subscribe.id, { expand: ['subscription'] });
    conforms('Checkout.Session', done);
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid' });
    const sub = done.subscription as Stripe.Subscription;
    expect(sub).toMatchObject({ status: 'active', customer: done.customer, metadata: { plan: 'pro' } });
    expect((await stripe.customers.retrieve(done.customer as string)) as Stripe.Customer).toMatchObject({ email: 'new@example.com' });
    expect((await stripe.invoices.retrieve(done.invoice as string)).status).toBe('paid');
  });

  it('a delayed payment completes the session unpaid, then fires async_payment_succeeded or _failed', async () => {
    await using receiver = await startReceiver(SECRET);
    await using rig = await startStripe({ webhookSecret: SECRET, webhooks: [{ url: receiver.url, enabled_events: ['checkout.session.*'] }] });
    const { stripe } = rig;
    const create = () =>
      stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price_data: { currency: 'eur', unit_amount: 4000, product_data: { name: 'Bike' } }, quantity: 1 }], success_url: 'https://shop.example/done' });
    const good = await create();
    expect((await complete(rig, { session: good.id, delayed: true })).outcome).toBe('processing');
    expect(await stripe.checkout.sessions.retrieve(good.id)).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    expect((await stripe.paymentIntents.retrieve((await stripe.checkout.sessions.retrieve(good.id)).payment_intent as string)).status).toBe('processing');
    await rig.h.twin.actions?.settle_checkout?.({ session: good.id, outcome: 'succeeded' });
    expect((await stripe.checkout.sessions.retrieve(good.id)).payment_status).toBe('paid');

    const bad = await create();
    await complete(rig, { session: bad.id, delayed: true });
    await rig.h.twin.actions?.settle_checkout?.({ session: bad.id, outcome: 'failed' });
    expect((await stripe.checkout.sessions.retrieve(bad.id)).payment_status).toBe('unpaid');
    await expect(rig.h.twin.actions?.settle_checkout?.({ session: bad.id, outcome: 'succeeded' })).rejects.toThrow(/no delayed payment/);

    await rig.h.twin.actions?.flush?.({});
    expect(receiver.events.map((e) => `${e.event.type} ${(e.event.data.object as Stripe.Checkout.Session).id === good.id ? 'good' : 'bad'}`)).toEqual([
      'checkout.session.completed good',
      'checkout.session.async_payment_succeeded good',
      'checkout.session.completed bad',
      'checkout.session.async_payment_failed bad',
    ]);
  });

  it('expires a session on request (canceling its PaymentIntent) and lists by status', async () => {
    await using receiver = await startReceiver(SECRET);
    await using rig = await startStripe({ webhookSecret: SECRET, webhooks: [{ url: receiver.url, enabled_events: ['checkout.session.expired'] }] });
    const { stripe } = rig;
    const line_items = [{ price_data: { currency: 'usd', unit_amount: 700, product_data: { name: 'Mug' } }, quantity: 1 }];
    const session = await stripe.checkout.sessions.create({ mode: 'payment', line_items, success_url: 'https://shop.example/done' });
    await complete(rig, { session: session.id, card: 'pm_card_chargeDeclined' });
    const expired = await stripe.checkout.sessions.expire(session.id);
    conforms('Checkout.Session', expired);
    expect(expired).toMatchObject({ status: 'expired', url: null });
    expect((await stripe.paymentIntents.retrieve(expired.payment_intent as string)).status).toBe('canceled');
    await expect(stripe.checkout.sessions.expire(session.id)).rejects.toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    await expect(complete(rig, { session: session.id })).rejects.toThrow(/expired/);
    const other = await stripe.checkout.sessions.create({ mode: 'payment', line_items, success_url: 'https://shop.example/done' });
    expect((await stripe.checkout.sessions.list({ status: 'open' })).data.map((s) => s.id)).toEqual([other.id]);
    expect((await stripe.checkout.sessions.list({ status: 'expired' })).data.map((s) => s.id)).toEqual([session.id]);
    await rig.h.twin.actions?.flush?.({});
    expect(receiver.events.map((e) => (e.event.data.object as Stripe.Checkout.Session).id)).toEqual([session.id]);
  });

  it('triggers checkout.session.completed and .expired by running their flows', async () => {
    await using rig = await startStripe();
    const completed = (await rig.h.twin.actions?.trigger?.({ event: 'checkout.session.completed' })) as { event: Stripe.Event };
    const session = completed.event.data.object as Stripe.Checkout.Session;
    conforms('Checkout.Session', session);
    expect(session).toMatchObject({ status: 'complete', payment_status: 'paid', amount_total: 3000 });
    expect((await rig.stripe.paymentIntents.retrieve(session.payment_intent as string)).status).toBe('succeeded');
    const expired = (await rig.h.twin.actions?.trigger?.({ event: 'checkout.session.expired' })) as { event: Stripe.Event };
    expect((await rig.stripe.checkout.sessions.retrieve((expired.event.data.object as Stripe.Checkout.Session).id)).status).toBe('expired');
  });

  it('a session whose expires_at has passed expires when next read, firing checkout.session.expired', async () => {
    // The twin's clock, moved by the test (webhook signatures would carry it too, so events are read from the API).
    let now = Date.UTC(2026, 0, 5, 12, 0, 0);
    await using h = await startTwin(stripeTwin, {}, { seed: 7, now: () => now });
    const env = h.twin.env;
    const stripe = new Stripe(env.STRIPE_SECRET_KEY as string, { host: env.STRIPE_HOST, port: Number(env.STRIPE_PORT), protocol: 'http' });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'Seat' } }, quantity: 1 }],
      success_url: 'https://shop.example/done',
      expires_at: Math.floor(now / 1000) + 45 * 60,
    });
    now += 44 * 60_000;
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    now += 2 * 60_000;
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: 'expired', url: null });
    await expect(h.twin.actions?.complete_checkout?.({ session: session.id })).rejects.toThrow(/expired/);
    const expired = await stripe.events.list({ type: 'checkout.session.expired' });
    expect(expired.data.map((e) => [(e.data.object as Stripe.Checkout.Session).id, e.created])).toEqual([[session.id, Math.floor(now / 1000)]]);
  });

  it('refuses what Stripe refuses, naming the parameter', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const monthly = await stripe.prices.create({ currency: 'usd', unit_amount: 1000, recurring: { interval: 'month' }, product_data: { name: 'Plan' } });
    const oneTime = await stripe.prices.create({ currency: 'usd', unit_amount: 1000, product_data: { name: 'Thing' } });
    const refused = async (params: Stripe.Checkout.SessionCreateParams): Promise<Record<string, unknown>> => {
      const error = (await stripe.checkout.sessions.create(params).catch((e: unknown) => e)) as Record<string, unknown>;
      expect(error.type).toBe('StripeInvalidRequestError');
      return { param: error.param, code: error.code };
    };
    const now = Math.floor(Date.now() / 1000);
    expect(await refused({ line_items: [{ price: oneTime.id, quantity: 1 }] })).toEqual({ param: 'mode', code: 'parameter_missing' });
    expect(await refused({ mode: 'payment' })).toEqual({ param: 'line_items', code: 'parameter_missing' });
    expect(await refused({ mode: 'payment', line_items: [{ price: monthly.id, quantity: 1 }] })).toMatchObject({ param: 'line_items[0]' });
    expect(await refused({ mode: 'subscription', line_items: [{ price: oneTime.id, quantity: 1 }] })).toMatchObject({ param: 'line_items[0]' });
    expect(await refused({ mode: 'payment', line_items: [{ price_data: { currency: 'usd', unit_amount: 20, product_data: { name: 'Sticker' } }, quantity: 2 }] })).toEqual({ param: 'line_items', code: 'amount_too_small' });
    expect(await refused({ mode: 'payment', line_items: Array.from({ length: 101 }, () => ({ price: oneTime.id, quantity: 1 })) })).toMatchObject({ param: 'line_items' });
    expect(await refused({ mode: 'payment', line_items: [{ price: oneTime.id }] })).toEqual({ param: 'line_items[0][quantity]', code: 'parameter_missing' });
    expect(await refused({ mode: 'payment', line_items: [{ price: 'price_missing', quantity: 1 }] })).toEqual({ param: 'line_items[0][price]', code: 'resource_missing' });
    expect(await refused({ mode: 'setup', currency: 'usd', line_items: [{ price: oneTime.id, quantity: 1 }] })).toMatchObject({ param: 'line_items' });
    expect(await refused({ mode: 'payment', line_items: [{ price: oneTime.id, quantity: 1 }], expires_at: now + 60 })).toMatchObject({ param: 'expires_at' });
    expect(await refused({ mode: 'payment', line_items: [{ price: oneTime.id, quantity: 1 }], customer: 'cus_missing' })).toEqual({ param: 'customer', code: 'resource_missing' });
    expect(await refused({ mode: 'payment', line_items: [{ price: oneTime.id, quantity: 1 }], ui_mode: 'embedded_page' })).toEqual({ param: 'return_url', code: 'parameter_missing' });
    expect(await refused({ mode: 'payment', line_items: [{ price: oneTime.id, quantity: 1 }], submit_type: 'sometimes' as 'pay' })).toMatchObject({ param: 'submit_type' });
    expect(await refused({ mode: 'payment', line_items: [{ price: oneTime.id, quantity: 1 }], subscription_data: { trial_period_days: 3 } })).toMatchObject({ param: 'subscription_data' });
    expect(await refused({ mode: 'payment', line_items: [{ price: oneTime.id, quantity: 1 }], colour: 'red' } as Stripe.Checkout.SessionCreateParams)).toEqual({ param: 'colour', code: 'parameter_unknown' });
    // Nothing was made by the refused requests.
    expect((await stripe.checkout.sessions.list()).data).toEqual([]);
    expect((await stripe.prices.list()).data).toHaveLength(2);

    const always = await stripe.checkout.sessions.create({ mode: 'payment', customer_creation: 'always', line_items: [{ price: oneTime.id, quantity: 1 }], success_url: 'https://shop.example/done' });
    expect(always.customer).toBeNull();
    await rig.h.twin.actions?.complete_checkout?.({ session: always.id, email: 'kept@example.com' });
    const withCustomer = await stripe.checkout.sessions.retrieve(always.id, { expand: ['customer'] });
    expect((withCustomer.customer as Stripe.Customer).email).toBe('kept@example.com');
    expect((await stripe.paymentIntents.retrieve(withCustomer.payment_intent as string)).customer).toBe((withCustomer.customer as Stripe.Customer).id);

    const embedded = await stripe.checkout.sessions.create({ mode: 'payment', ui_mode: 'embedded_page', return_url: 'https://shop.example/return', line_items: [{ price: oneTime.id, quantity: 1 }] });
    conforms('Checkout.Session', embedded);
    expect(embedded.url).toBeNull();
    expect(embedded.client_secret).toMatch(new RegExp(`^${embedded.id}_secret_`));
  });
});
