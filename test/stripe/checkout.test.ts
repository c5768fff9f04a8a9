// A full checkout through the official client: customer → payment method → intent → confirm →
// capture → partial refund, with the objects, statuses and amounts Stripe would show.
import { describe, expect, it } from 'vitest';
import { startStripe } from './stripe-support.ts';

describe('stripe twin: checkout', () => {
  it('runs customer → payment method → intent → confirm → capture → partial refund', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const customer = await stripe.customers.create({ email: 'jenny@example.com', name: 'Jenny Rosen', metadata: { plan: 'pro' } });
    expect(customer.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(customer.metadata).toEqual({ plan: 'pro' });

    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(pm.id).toMatch(/^pm_/);
    expect(pm.customer).toBe(customer.id);
    expect(pm.card?.last4).toBe('4242');
    expect(pm.card?.brand).toBe('visa');

    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', customer: customer.id, payment_method: pm.id, capture_method: 'manual' });
    expect(pi.status).toBe('requires_confirmation');
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));

    const confirmed = await stripe.paymentIntents.confirm(pi.id);
    expect(confirmed.status).toBe('requires_capture');
    expect(confirmed.amount_capturable).toBe(5000);

    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 4000 });
    expect(captured.status).toBe('succeeded');
    expect(captured.amount_received).toBe(4000);

    const charge = await stripe.charges.retrieve(captured.latest_charge as string);
    expect(charge).toMatchObject({ captured: true, amount: 5000, amount_captured: 4000, paid: true, status: 'succeeded', customer: customer.id, payment_intent: pi.id });

    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1500 });
    expect(refund).toMatchObject({ object: 'refund', amount: 1500, status: 'succeeded', charge: charge.id });
    const after = await stripe.charges.retrieve(charge.id);
    expect(after.amount_refunded).toBe(2500); // 1000 released at capture + 1500 refunded
    expect(after.refunded).toBe(false);

    await expect(stripe.refunds.create({ charge: charge.id, amount: 5000 })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      param: 'amount',
    });
    const rest = await stripe.refunds.create({ charge: charge.id });
    expect(rest.amount).toBe(2500);
    expect((await stripe.charges.retrieve(charge.id)).refunded).toBe(true);

    const events = await stripe.events.list({ limit: 100 });
    const types = events.data.map((e) => e.type).reverse();
    expect(types).toEqual([
      'customer.created',
      'payment_method.attached',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.amount_capturable_updated',
      'charge.captured',
      'payment_intent.succeeded',
      'refund.created',
      'charge.refunded',
      'refund.created',
      'charge.refunded',
    ]);
    const balance = await stripe.balance.retrieve();
    const pending = balance.pending.find((b) => b.currency === 'usd');
    expect(pending?.amount).toBe(4000 - (Math.round(4000 * 0.029) + 30) - 4000);
  });

  it('creates, confirms in one call, and serves the lifecycle of each resource', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const pi = await stripe.paymentIntents.create({ amount: 1099, currency: 'eur', payment_method: 'pm_card_mastercard', confirm: true });
    expect(pi.status).toBe('succeeded');
    expect(pi.capture_method).toBe('automatic_async');
    const canceled = await stripe.paymentIntents.cancel(
      (await stripe.paymentIntents.create({ amount: 2000, currency: 'usd' })).id,
      { cancellation_reason: 'abandoned' },
    );
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    await expect(stripe.paymentIntents.cancel(pi.id)).rejects.toMatchObject({ code: 'payment_intent_unexpected_state', statusCode: 400 });
    const updated = await stripe.paymentIntents.update(canceled.id, { metadata: { note: 'x' } });
    expect(updated.metadata).toEqual({ note: 'x' });

    const customer = await stripe.customers.create({ email: 'a@example.com' });
    const changed = await stripe.customers.update(customer.id, { name: 'A', metadata: { k: 'v' } });
    expect(changed).toMatchObject({ name: 'A', email: 'a@example.com', metadata: { k: 'v' } });
    const cleared = await stripe.customers.update(customer.id, { email: '', metadata: { k: '' } });
    expect(cleared.email).toBeNull();
    expect(cleared.metadata).toEqual({});
    const deleted = await stripe.customers.del(customer.id);
    expect(deleted).toMatchObject({ id: customer.id, deleted: true });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ deleted: true });
    await expect(stripe.customers.update(customer.id, { name: 'B' })).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });

    const c2 = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2034, cvc: '123' } });
    expect(pm.card?.exp_year).toBe(2034);
    await stripe.paymentMethods.attach(pm.id, { customer: c2.id });
    expect((await stripe.customers.listPaymentMethods(c2.id)).data.map((x) => x.id)).toEqual([pm.id]);
    expect((await stripe.paymentMethods.list({ customer: c2.id, type: 'card' })).data).toHaveLength(1);
    const detached = await stripe.paymentMethods.detach(pm.id);
    expect(detached.customer).toBeNull();

    const product = await stripe.products.create({ name: 'T-shirt', default_price_data: { currency: 'usd', unit_amount: 2000 } });
    expect(product.default_price).toMatch(/^price_/);
    const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 900, recurring: { interval: 'month' }, lookup_key: 'monthly' });
    expect(price).toMatchObject({ type: 'recurring', recurring: { interval: 'month', interval_count: 1 } });
    expect((await stripe.prices.list({ lookup_keys: ['monthly'] })).data.map((p) => p.id)).toEqual([price.id]);
    expect((await stripe.prices.list({ product: product.id })).data).toHaveLength(2);
    expect((await stripe.products.update(product.id, { active: false })).active).toBe(false);
    await expect(stripe.products.del(product.id)).rejects.toMatchObject({ statusCode: 400 });

    const si = await stripe.setupIntents.create({ customer: c2.id, payment_method: 'pm_card_visa', confirm: true });
    expect(si.status).toBe('succeeded');
    const saved = await stripe.paymentMethods.retrieve(si.payment_method as string);
    expect(saved.customer).toBe(c2.id);
    const offSession = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', customer: c2.id, payment_method: saved.id, off_session: true, confirm: true });
    expect(offSession.status).toBe('succeeded');
    const si2 = await stripe.setupIntents.create({});
    expect((await stripe.setupIntents.cancel(si2.id)).status).toBe('canceled');

    const charges = await stripe.charges.list({ customer: c2.id });
    expect(charges.data.map((c) => c.payment_intent)).toEqual([offSession.id]);
  });

  it('charges a token the legacy way, and declines the same as intents do', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const charge = await stripe.charges.create({ amount: 1200, currency: 'usd', source: 'tok_visa', description: 'legacy' });
    expect(charge).toMatchObject({ status: 'succeeded', captured: true, paid: true, payment_intent: null, description: 'legacy' });
    const auth = await stripe.charges.create({ amount: 800, currency: 'usd', source: 'tok_mastercard', capture: false });
    expect(auth.captured).toBe(false);
    expect((await stripe.charges.capture(auth.id, { amount: 500 })).amount_captured).toBe(500);
    await expect(stripe.charges.create({ amount: 800, currency: 'usd', source: 'tok_chargeDeclinedInsufficientFunds' })).rejects.toMatchObject({
      type: 'StripeCardError',
      decline_code: 'insufficient_funds',
    });
    expect((await stripe.refunds.create({ charge: charge.id })).amount).toBe(1200);
  });

  it('expands ids into objects, in single objects and lists', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const customer = await stripe.customers.create({ email: 'x@example.com' });
    const pi = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      customer: customer.id,
      payment_method: 'pm_card_visa',
      confirm: true,
      expand: ['customer', 'latest_charge.balance_transaction', 'payment_method'],
    });
    const charge = pi.latest_charge as import('stripe').Stripe.Charge;
    expect((pi.customer as import('stripe').Stripe.Customer).email).toBe('x@example.com');
    expect(charge.object).toBe('charge');
    expect((charge.balance_transaction as import('stripe').Stripe.BalanceTransaction).amount).toBe(1000);
    expect((pi.payment_method as import('stripe').Stripe.PaymentMethod).card?.last4).toBe('4242');
    const list = await stripe.paymentIntents.list({ expand: ['data.customer'] });
    expect((list.data[0]?.customer as import('stripe').Stripe.Customer).id).toBe(customer.id);
    // Stored objects keep their ids.
    expect((await stripe.paymentIntents.retrieve(pi.id)).customer).toBe(customer.id);
    await expect(stripe.paymentIntents.retrieve(pi.id, { expand: ['amount'] })).rejects.toMatchObject({ statusCode: 400, param: 'expand' });
  });
});
