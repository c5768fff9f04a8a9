// Stripe rejects what a lax stand-in would store, so a bug caught here would have failed in
// production: enum values from the stripe package's own definitions (top level, nested, in lists),
// Stripe's error codes with param, doc_url and request_log_url, currencies and their minimum
// amounts, metadata limits, email addresses, search fields; and the headers every POST answer carries.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startStripe } from './stripe-support.ts';

type Failure = Stripe.errors.StripeError & { raw: Record<string, unknown> };

async function failure(promise: Promise<unknown>): Promise<Failure> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof Stripe.errors.StripeError)) throw new Error(`expected a Stripe error, got ${String(outcome)}`);
  return outcome as Failure;
}

/** Casts a deliberately wrong value past the client's types, as an untyped caller would send it. */
const bad = <T>(value: unknown): T => value as T;

describe('stripe twin: strict parameters', () => {
  it('rejects enum values outside the published lists, naming the parameter as Stripe does', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const top = await failure(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', capture_method: bad('sometimes') }));
    expect(top).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(top).toMatchObject({ statusCode: 400, param: 'capture_method', message: 'Invalid capture_method: must be one of automatic, automatic_async, or manual' });
    expect(top.code).toBeUndefined();

    const nested = await failure(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_options: { card: { request_three_d_secure: bad('sometimes') } } }),
    );
    expect(nested.param).toBe('payment_method_options[card][request_three_d_secure]');
    expect(nested.message).toBe('Invalid payment_method_options[card][request_three_d_secure]: must be one of any, automatic, or challenge');

    const listed = await failure(stripe.setupIntents.create({ excluded_payment_method_types: bad(['card', 'carrier_pigeon']) }));
    expect(listed.param).toBe('excluded_payment_method_types[1]');

    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 700, recurring: { interval: 'month' }, product_data: { name: 'Enum' } });
    const customer = await stripe.customers.create({});
    const inItems = await failure(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], payment_behavior: bad('whenever') }),
    );
    expect(inItems.param).toBe('payment_behavior');
    const twoValues = await failure(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirmation_method: bad('sometimes') }));
    expect(twoValues.message).toBe('Invalid confirmation_method: must be one of automatic or manual');
    const event = await failure(stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/x', enabled_events: bad(['charge.teleported']) }));
    expect(event.param).toBe('enabled_events[0]');

    // Values on the lists pass, and nothing was stored by the refused calls.
    const ok = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', capture_method: 'automatic_async', payment_method_options: { card: { request_three_d_secure: 'any' } } });
    expect(ok.capture_method).toBe('automatic_async');
    expect((await stripe.paymentIntents.list()).data.map((p) => p.id)).toEqual([ok.id]);
  });

  it('answers Stripe’s coded errors with code, param, doc_url, message and request_log_url', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const integer = await failure(stripe.paymentIntents.create({ amount: bad('ten'), currency: 'usd' }));
    expect(integer).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid integer: ten' });
    expect(integer.doc_url).toBe('https://stripe.com/docs/error-codes/parameter-invalid-integer');
    expect(integer.raw.request_log_url).toBe(`https://dashboard.stripe.com/test/logs/${integer.requestId}`);

    const unknown = await failure(stripe.customers.create(bad({ nickname: 'x' })));
    expect(unknown).toMatchObject({ code: 'parameter_unknown', param: 'nickname', message: 'Received unknown parameter: nickname' });
    expect(unknown.doc_url).toBe('https://stripe.com/docs/error-codes/parameter-unknown');

    const missing = await failure(stripe.paymentIntents.create(bad({ currency: 'usd' })));
    expect(missing).toMatchObject({ code: 'parameter_missing', param: 'amount', message: 'Missing required param: amount.' });

    const empty = await failure(stripe.paymentIntents.create({ amount: bad(''), currency: 'usd' }));
    expect(empty).toMatchObject({ code: 'parameter_invalid_empty', param: 'amount' });
    expect(empty.message).toMatch(/^You passed an empty string for 'amount'\./);

    const gone = await failure(stripe.paymentIntents.retrieve('pi_doesnotexist'));
    expect(gone).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'intent', message: "No such payment_intent: 'pi_doesnotexist'" });
    expect(gone.doc_url).toBe('https://stripe.com/docs/error-codes/resource-missing');
  });

  it('checks currencies and each currency’s minimum amount', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const currency = await failure(stripe.paymentIntents.create({ amount: 1000, currency: 'xyz' }));
    expect(currency.param).toBe('currency');
    expect(currency.message).toMatch(/^Invalid currency: xyz\. Stripe currently supports these currencies: .*\busd\b/);
    expect((await stripe.paymentIntents.create({ amount: 1000, currency: 'EUR' })).currency).toBe('eur');
    const price = await failure(stripe.prices.create({ currency: 'dollars', unit_amount: 100, product_data: { name: 'x' } }));
    expect(price.param).toBe('currency');

    const cents = await failure(stripe.paymentIntents.create({ amount: 49, currency: 'usd' }));
    expect(cents).toMatchObject({ code: 'amount_too_small', param: 'amount', message: 'Amount must be at least $0.50 usd' });
    const pence = await failure(stripe.paymentIntents.create({ amount: 29, currency: 'gbp' }));
    expect(pence.message).toBe('Amount must be at least 0.30 gbp');
    expect((await stripe.paymentIntents.create({ amount: 30, currency: 'gbp' })).amount).toBe(30);
    const yen = await failure(stripe.paymentIntents.create({ amount: 49, currency: 'jpy' }));
    expect(yen.message).toBe('Amount must be at least 50 jpy');
    const huge = await failure(stripe.paymentIntents.create({ amount: 100_000_000, currency: 'usd' }));
    expect(huge.code).toBe('amount_too_large');
    const charge = await failure(stripe.charges.create({ amount: 10, currency: 'usd', source: 'tok_visa' }));
    expect(charge.code).toBe('amount_too_small');
  });

  it('holds metadata to 50 keys, keys to 40 characters and values to 500', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    const atLimits = await stripe.customers.create({ metadata: { ...fifty, k0: 'v'.repeat(500) } });
    expect(Object.keys(atLimits.metadata)).toHaveLength(50);
    expect((await stripe.customers.create({ metadata: { ['k'.repeat(40)]: 'v' } })).metadata).toHaveProperty('k'.repeat(40));

    const tooMany = await failure(stripe.customers.create({ metadata: { ...fifty, k50: 'v' } }));
    expect(tooMany).toMatchObject({ param: 'metadata' });
    expect(tooMany.message).toMatch(/^Metadata can have up to 50 keys, but you've set 51\./);
    const longKey = await failure(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', metadata: { ['k'.repeat(41)]: 'v' } }));
    expect(longKey.message).toBe(`Invalid key: ${'k'.repeat(41)} must be a string under 40 characters`);
    const longValue = await failure(stripe.products.create({ name: 'p', metadata: { note: 'v'.repeat(501) } }));
    expect(longValue.message).toMatch(/^Invalid val: v+ must be a string under 500 characters$/);
  });

  it('checks email addresses and search fields', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const email = await failure(stripe.customers.create({ email: 'jenny.example.com' }));
    expect(email).toMatchObject({ code: 'email_invalid', param: 'email', message: 'Invalid email address: jenny.example.com' });
    const receipt = await failure(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', receipt_email: 'nobody@' }));
    expect(receipt.param).toBe('receipt_email');

    const search = await failure(stripe.customers.search({ query: "description:'vip'" }));
    expect(search.param).toBe('query');
    expect(search.message).toMatch(/^Field `description` is an unsupported search field for resource `customers`\./);
    // Supported fields and metadata still search.
    const c = await stripe.customers.create({ email: 'vip@example.com', metadata: { tier: 'vip' } });
    expect((await stripe.customers.search({ query: "email:'vip@example.com' AND metadata['tier']:'vip'" })).data.map((x) => x.id)).toEqual([c.id]);
  });

  it('finds invoices by subscription, which lives under parent since 2025-03-31', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 900, recurring: { interval: 'month' }, product_data: { name: 'S' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const found = await stripe.invoices.search({ query: `subscription:'${sub.id}'` });
    expect(found.data.map((i) => i.id)).toEqual([sub.latest_invoice]);
  });

  it('names the request behind every POST answer in Request-Id and Original-Request', async () => {
    await using rig = await startStripe();
    const base = rig.env.STRIPE_API_BASE as string;
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rig.env.STRIPE_SECRET_KEY}`, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    const created = await post('/v1/customers', 'email=h%40example.com');
    expect(created.status).toBe(200);
    expect(created.headers.get('request-id')).toMatch(/^req_/);
    expect(created.headers.get('original-request')).toBe(created.headers.get('request-id'));
    const refused = await post('/v1/payment_intents', 'amount=10&currency=usd');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('original-request')).toBe(refused.headers.get('request-id'));

    const first = await post('/v1/customers', 'email=k%40example.com', { 'idempotency-key': 'once' });
    const replay = await post('/v1/customers', 'email=k%40example.com', { 'idempotency-key': 'once' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('request-id')).not.toBe(first.headers.get('request-id'));
    expect(replay.headers.get('original-request')).toBe(first.headers.get('request-id'));
    const get = await fetch(`${base}/v1/customers`, { headers: { authorization: `Bearer ${rig.env.STRIPE_SECRET_KEY}` } });
    expect(get.headers.get('request-id')).toMatch(/^req_/);
    expect(get.headers.get('original-request')).toBeNull();
  });
});
