// API-wide behaviour through the official client: idempotent replays and conflicts, pagination,
// API keys, unknown and malformed parameters, Request-Id and Stripe-Version headers.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startStripe } from './stripe-support.ts';

describe('stripe twin: API behaviour', () => {
  it('replays a request with the same Idempotency-Key and parameters', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const first = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { idempotencyKey: 'order-42' });
    const again = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { idempotencyKey: 'order-42' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(again.lastResponse.requestId).not.toBe(first.lastResponse.requestId);
    expect((await stripe.charges.list()).data).toHaveLength(1);
    expect((await stripe.paymentIntents.list()).data).toHaveLength(1);
  });

  it('replays a card decline, and rejects the same key with other parameters or on another endpoint', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const params = { amount: 2000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true };
    const e1 = await stripe.paymentIntents.create(params, { idempotencyKey: 'k-decline' }).catch((e: Stripe.errors.StripeError) => e);
    const e2 = await stripe.paymentIntents.create(params, { idempotencyKey: 'k-decline' }).catch((e: Stripe.errors.StripeError) => e);
    expect(e1).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(e2).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect((e2 as Stripe.errors.StripeError).headers?.['idempotent-replayed']).toBe('true');
    expect((e2 as Stripe.errors.StripeError).charge).toBe((e1 as Stripe.errors.StripeError).charge);
    expect((await stripe.charges.list()).data).toHaveLength(1);

    const conflict = await stripe.paymentIntents.create({ ...params, amount: 2001 }, { idempotencyKey: 'k-decline' }).catch((e: Stripe.errors.StripeError) => e);
    expect(conflict).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(conflict).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
    expect((conflict as Error).message).toContain("Try using a key other than 'k-decline'");

    const otherEndpoint = await stripe.customers.create({}, { idempotencyKey: 'k-decline' }).catch((e: Stripe.errors.StripeError) => e);
    expect(otherEndpoint).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('replays a key sent again with the same parameters in other bytes (another order, escapes), and only then', async () => {
    await using rig = await startStripe();
    const post = (body: string) =>
      fetch(`${rig.env.STRIPE_API_BASE}/v1/customers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rig.env.STRIPE_SECRET_KEY}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'k-bytes' },
        body,
      });
    const first = await post('email=a%40example.com&metadata[n]=1&metadata[m]=2');
    const reordered = await post('metadata[m]=2&email=a@example.com&metadata[n]=1');
    expect(first.status).toBe(200);
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');
    expect(await reordered.text()).toBe(await first.text());
    const other = await post('email=a@example.com&metadata[n]=1&metadata[m]=3');
    expect(other.status).toBe(400);
    expect(((await other.json()) as { error: { type: string } }).error.type).toBe('idempotency_error');
  });

  it('does not store validation errors against a key', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    await expect(stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams, { idempotencyKey: 'k-missing' })).rejects.toMatchObject({
      code: 'parameter_missing',
      param: 'amount',
    });
  });

  it('pages through 250 objects with limit, starting_after, ending_before and auto-pagination', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const created: string[] = [];
    for (let i = 0; i < 250; i++) created.push((await stripe.customers.create({ metadata: { n: String(i) } })).id);
    const newestFirst = [...created].reverse();

    const page1 = await stripe.customers.list({ limit: 100 });
    expect(page1.has_more).toBe(true);
    expect(page1.data.map((c) => c.id)).toEqual(newestFirst.slice(0, 100));
    const page2 = await stripe.customers.list({ limit: 100, starting_after: page1.data.at(-1)?.id });
    expect(page2.data.map((c) => c.id)).toEqual(newestFirst.slice(100, 200));
    const page3 = await stripe.customers.list({ limit: 100, starting_after: page2.data.at(-1)?.id });
    expect(page3.data).toHaveLength(50);
    expect(page3.has_more).toBe(false);
    const back = await stripe.customers.list({ limit: 10, ending_before: page2.data[0]?.id });
    expect(back.data.map((c) => c.id)).toEqual(newestFirst.slice(90, 100));
    expect(back.has_more).toBe(true);

    const all: string[] = [];
    for await (const customer of stripe.customers.list({ limit: 30 })) all.push(customer.id);
    expect(all).toEqual(newestFirst);
    const defaultPage = await stripe.customers.list();
    expect(defaultPage.data).toHaveLength(10);
    await expect(stripe.customers.list({ limit: 101 })).rejects.toMatchObject({ param: 'limit', statusCode: 400 });
    await expect(stripe.customers.list({ starting_after: 'cus_nope' })).rejects.toMatchObject({ statusCode: 404, param: 'starting_after' });
  });

  it('answers 401 for a missing or wrong secret key', async () => {
    await using rig = await startStripe();
    const wrong = rig.client();
    const bad = new Stripe('sk_test_not_the_twins_key_1234', { host: rig.env.STRIPE_HOST, port: Number(rig.env.STRIPE_PORT), protocol: 'http' });
    const error = await bad.customers.list().catch((e: Stripe.errors.StripeError) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((error as Error).message).toMatch(/^Invalid API Key provided: sk_test_\*+1234$/);
    const none = await fetch(`${rig.env.STRIPE_API_BASE}/v1/customers`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { message: string } }).error.message).toContain('You did not provide an API key');
    expect((await wrong.customers.list()).object).toBe('list');
  });

  it('names unknown and malformed parameters', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const unknown = await stripe.customers.create({ emial: 'typo@example.com' } as Stripe.CustomerCreateParams).catch((e: Stripe.errors.StripeError) => e);
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(unknown).toMatchObject({ statusCode: 400, param: 'emial', code: 'parameter_unknown', message: 'Received unknown parameter: emial' });
    const nested = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 1, exp_year: 2040, pin: '1' } } as Stripe.PaymentMethodCreateParams).catch((e: Stripe.errors.StripeError) => e);
    expect(nested).toMatchObject({ param: 'card[pin]', message: 'Received unknown parameter: card[pin]' });
    const badInt = await stripe.paymentIntents.create({ amount: 'ten' as unknown as number, currency: 'usd' }).catch((e: Stripe.errors.StripeError) => e);
    expect(badInt).toMatchObject({ param: 'amount', message: 'Invalid integer: ten' });
    const missing = await stripe.paymentIntents.create({ amount: 100 } as Stripe.PaymentIntentCreateParams).catch((e: Stripe.errors.StripeError) => e);
    expect(missing).toMatchObject({ code: 'parameter_missing', param: 'currency' });
    const notFound = await stripe.paymentIntents.retrieve('pi_missing').catch((e: Stripe.errors.StripeError) => e);
    expect(notFound).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such payment_intent: 'pi_missing'" });
    const route = await stripe.rawRequest('GET', '/v1/nothing_here').catch((e: Stripe.errors.StripeError) => e);
    expect(route).toMatchObject({ statusCode: 404 });
  });

  it('sends Request-Id on every response and echoes Stripe-Version', async () => {
    await using rig = await startStripe();
    const versioned = rig.client({ apiVersion: '2024-06-20' as Stripe.LatestApiVersion });
    const customer = await versioned.customers.create({});
    expect(customer.lastResponse.requestId).toMatch(/^req_[A-Za-z0-9]{14}$/);
    expect(customer.lastResponse.headers['stripe-version']).toBe('2024-06-20');
    expect(customer.lastResponse.apiVersion).toBe('2024-06-20');
    const error = await versioned.customers.retrieve('cus_nope').catch((e: Stripe.errors.StripeError) => e);
    expect((error as Stripe.errors.StripeError).requestId).toMatch(/^req_/);
    const plain = await fetch(`${rig.env.STRIPE_API_BASE}/v1/balance`, { headers: { authorization: `Bearer ${rig.env.STRIPE_SECRET_KEY}` } });
    expect(plain.headers.get('stripe-version')).toBe('2026-10-28.endive');
    expect(plain.headers.get('request-id')).toMatch(/^req_/);
    const garbage = await fetch(`${rig.env.STRIPE_API_BASE}/v1/balance`, {
      headers: { authorization: `Bearer ${rig.env.STRIPE_SECRET_KEY}`, 'stripe-version': 'yesterday' },
    });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { message: string } }).error.message).toBe('Invalid Stripe API version: yesterday');
  });

  it('answers a malformed escape in an id with the 404 of an unknown object, and decodes a good one', async () => {
    await using rig = await startStripe();
    const get = (path: string) => fetch(`${rig.env.STRIPE_API_BASE}${path}`, { headers: { authorization: `Bearer ${rig.env.STRIPE_SECRET_KEY}` } });
    const malformed = await get('/v1/customers/cus_%zz');
    expect(malformed.status).toBe(404);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toBe("No such customer: 'cus_%zz'");
    const customer = await rig.stripe.customers.create({});
    const escaped = await get(`/v1/customers/${customer.id.replace('_', '%5F')}`);
    expect(escaped.status).toBe(200);
    expect(((await escaped.json()) as { id: string }).id).toBe(customer.id);
  });

  it('shapes answers as a pinned older API version did: PaymentIntent charges, Charge refunds', async () => {
    await using rig = await startStripe();
    const pinned = rig.client({ apiVersion: '2020-08-27' as Stripe.LatestApiVersion });
    const created = await pinned.paymentIntents.create({ amount: 1999, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const old = created as unknown as { latest_charge: string; charges: Stripe.ApiList<Stripe.Charge & { refunds: Stripe.ApiList<Stripe.Refund> }> };
    expect(old.charges).toMatchObject({ object: 'list', url: `/v1/charges?payment_intent=${created.id}` });
    expect(old.charges.data.map((c) => c.id)).toEqual([old.latest_charge]);
    await pinned.refunds.create({ payment_intent: created.id, amount: 500 });
    const charge = (await pinned.charges.retrieve(old.latest_charge)) as unknown as { refunds: Stripe.ApiList<Stripe.Refund> };
    expect(charge.refunds.data.map((r) => r.amount)).toEqual([500]);
    // Today's version: neither list is there (refunds only when expanded), and the stored objects
    // were not changed by the above.
    const current = await rig.stripe.paymentIntents.retrieve(created.id);
    expect(current).not.toHaveProperty('charges');
    expect(await rig.stripe.charges.retrieve(old.latest_charge)).not.toHaveProperty('refunds');
    const expanded = await rig.stripe.charges.retrieve(old.latest_charge, { expand: ['refunds'] });
    expect(expanded.refunds?.data.map((r) => r.amount)).toEqual([500]);
  });

  it('renders events at the account API version', async () => {
    await using rig = await startStripe({ apiVersion: '2020-08-27' });
    const pi = await rig.stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const events = await rig.stripe.events.list({ type: 'payment_intent.succeeded' });
    const event = events.data[0] as Stripe.Event;
    expect(event.api_version).toBe('2020-08-27');
    const object = event.data.object as unknown as { charges: { data: Array<{ id: string }> } };
    expect(object.charges.data.map((c) => c.id)).toEqual([pi.latest_charge]);
  });

  it('decodes bracket-encoded bodies sent by hand, and basic auth as curl -u sends it', async () => {
    await using rig = await startStripe();
    const body = 'amount=1500&currency=usd&metadata[order]=7&payment_method_types[]=card&expand[]=customer&customer=';
    const response = await fetch(`${rig.env.STRIPE_API_BASE}/v1/payment_intents`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${rig.env.STRIPE_SECRET_KEY}:`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    expect(response.status).toBe(200);
    const pi = (await response.json()) as Stripe.PaymentIntent;
    expect(pi).toMatchObject({ amount: 1500, metadata: { order: '7' }, payment_method_types: ['card'], customer: null });
  });
});
