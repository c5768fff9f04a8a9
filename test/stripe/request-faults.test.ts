// Faults at the `request` point, seen through the official client: Stripe errors (and stripe-node's
// own retries on them), delay, hang, disconnects before the request ran and after it ran with the
// response lost (`after: 'request-ran'`) — where the client's automatic Idempotency-Key must yield exactly one charge.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startStripe } from './stripe-support.ts';

const PI = { amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true };

function requestsTo(rig: Awaited<ReturnType<typeof startStripe>>, path: string) {
  return rig.h.journal
    .query({ point: 'request', type: 'request' })
    .events.filter((e) => e.data?.path === path)
    .map((e) => e.data as { status: number | null; idempotencyKey: string | null; replayed: boolean; fault?: string });
}

describe('stripe twin: request faults', () => {
  it('an injected 500 is retried by stripe-node with the same Idempotency-Key: one charge', async () => {
    await using rig = await startStripe();
    rig.h.addRule({ point: 'request', match: { method: 'POST', path: '/v1/payment_intents' }, action: { error: { type: 'api_error' } }, trigger: { times: 1 } });
    const pi = await rig.client({ maxNetworkRetries: 2 }).paymentIntents.create(PI);
    expect(pi.status).toBe('succeeded');
    const seen = requestsTo(rig, '/v1/payment_intents');
    expect(seen.map((r) => r.status)).toEqual([500, 200]);
    expect(seen[0]?.idempotencyKey).toMatch(/^stripe-node-retry-/);
    expect(seen[1]?.idempotencyKey).toBe(seen[0]?.idempotencyKey);
    expect((await rig.stripe.charges.list()).data).toHaveLength(1);
    // Without retries the client sees Stripe's api_error.
    rig.h.addRule({ point: 'request', match: { path: '/v1/customers' }, action: { error: { type: 'api_error' } } });
    await expect(rig.client({ maxNetworkRetries: 0 }).customers.create({})).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
  });

  it("the architecture's example rule: {error: {status: 503}} twice, three requests, one charge", async () => {
    await using rig = await startStripe();
    rig.h.addRule({ point: 'request', match: { method: 'POST', path: '/v1/payment_intents' }, action: { error: { status: 503 } }, trigger: { times: 2 } });
    const pi = await rig.client({ maxNetworkRetries: 2 }).paymentIntents.create(PI);
    expect(pi.status).toBe('succeeded');
    const seen = requestsTo(rig, '/v1/payment_intents');
    expect(seen.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(seen.map((r) => r.idempotencyKey)).size).toBe(1);
    const headers = rig.h.journal
      .query({ point: 'request', type: 'request' })
      .events.filter((e) => e.data?.path === '/v1/payment_intents')
      .map((e) => (e.data?.headers ?? {}) as Record<string, string>);
    expect(headers).toHaveLength(3);
    expect(new Set(headers.map((h) => h['idempotency-key'])).size).toBe(1);
    expect(headers.every((h) => h.authorization === undefined && h['stripe-version'] !== undefined)).toBe(true);
    expect((await rig.stripe.charges.list()).data).toHaveLength(1);
  });

  it('a lost response after the charge happened: the retry replays it, one charge', async () => {
    await using rig = await startStripe();
    rig.h.addRule({
      point: 'request',
      match: { method: 'POST', path: '/v1/payment_intents' },
      action: { disconnect: { after: 'request-ran', rawBytes: 40 } },
      trigger: { times: 1 },
    });
    const pi = await rig.client({ maxNetworkRetries: 2 }).paymentIntents.create(PI);
    expect(pi.status).toBe('succeeded');
    expect(pi.lastResponse.headers['idempotent-replayed']).toBe('true');
    const seen = requestsTo(rig, '/v1/payment_intents');
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ replayed: true, idempotencyKey: seen[0]?.idempotencyKey });
    expect((await rig.stripe.charges.list()).data).toHaveLength(1);
    expect((await rig.stripe.paymentIntents.list()).data).toHaveLength(1);
  });

  it('a connection reset before the request ran: the retry runs it once', async () => {
    await using rig = await startStripe();
    rig.h.addRule({ id: 'reset', point: 'request', match: { method: 'POST', path: '/v1/payment_intents' }, action: { disconnect: { reset: true } }, trigger: { times: 1 } });
    const pi = await rig.client({ maxNetworkRetries: 1 }).paymentIntents.create(PI);
    expect(pi.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect((await rig.stripe.charges.list()).data).toHaveLength(1);
    expect(requestsTo(rig, '/v1/payment_intents').map((r) => r.fault ?? r.status)).toEqual(['disconnect', 200]);
    // The request event carries the rule that acted on it, so the journal finds it by rule.
    const byRule = rig.h.journal.query({ rule: 'reset', type: 'request' }).events;
    expect(byRule.map((e) => [e.data?.path, e.fault])).toEqual([['/v1/payment_intents', { rule: 'reset', action: 'disconnect' }]]);
  });

  it('rate_limit_error answers 429 with Stripe-Should-Retry, which stripe-node honours', async () => {
    await using rig = await startStripe();
    rig.h.addRule({ point: 'request', match: { path: '/v1/customers' }, action: { error: { type: 'rate_limit_error' } }, trigger: { times: 1 } });
    const error = await rig.client({ maxNetworkRetries: 0 }).customers.create({}).catch((e: Stripe.errors.StripeError) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(error).toMatchObject({ statusCode: 429, code: 'rate_limit' });
    expect((error as Stripe.errors.StripeError).headers?.['stripe-should-retry']).toBe('true');
    rig.h.addRule({ point: 'request', match: { path: '/v1/customers' }, action: { error: { type: 'lock_timeout' } }, trigger: { times: 1 } });
    const customer = await rig.client({ maxNetworkRetries: 1 }).customers.create({});
    expect(customer.id).toMatch(/^cus_/);
    expect(requestsTo(rig, '/v1/customers').map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('a card_error on confirm declines the payment for real, with any decline_code', async () => {
    await using rig = await startStripe();
    rig.h.addRule({
      point: 'request',
      match: { path: '/v1/payment_intents/*/confirm' },
      action: { error: { type: 'card_error', decline_code: 'do_not_honor' } },
      trigger: { times: 1 },
    });
    const pi = await rig.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa' });
    const error = await rig.stripe.paymentIntents.confirm(pi.id).catch((e: Stripe.errors.StripeError) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ code: 'card_declined', decline_code: 'do_not_honor' });
    const after = await rig.stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    expect(after.status).toBe('requires_payment_method');
    expect((after.latest_charge as Stripe.Charge).outcome?.reason).toBe('do_not_honor');
    expect((await rig.stripe.paymentIntents.confirm(pi.id)).status).toBe('succeeded');
    // On an endpoint that pays nothing, the error is answered as is.
    rig.h.addRule({ point: 'request', match: { path: '/v1/customers' }, action: { error: { type: 'card_error', decline_code: 'insufficient_funds' } }, trigger: { times: 1 } });
    await expect(rig.stripe.customers.create({})).rejects.toMatchObject({ type: 'StripeCardError', decline_code: 'insufficient_funds' });
  });

  it('matches on parameters, and answers idempotency_error when told to', async () => {
    await using rig = await startStripe();
    rig.h.addRule({ point: 'request', match: { path: '/v1/payment_intents', params: { amount: 1234 } }, action: { error: { type: 'idempotency_error' } } });
    await expect(rig.stripe.paymentIntents.create({ amount: 1234, currency: 'usd' })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((await rig.stripe.paymentIntents.create({ amount: 1235, currency: 'usd' })).amount).toBe(1235);
  });

  it('a retry that overtakes a slow request gets 409, and then the replay: one object', async () => {
    await using rig = await startStripe();
    rig.h.addRule({ point: 'request', match: { method: 'POST', path: '/v1/customers' }, action: { delay: { ms: 1500 } }, trigger: { times: 1 } });
    const client = rig.client({ timeout: 300, maxNetworkRetries: 6 });
    const customer = await client.customers.create({ email: 'slow@example.com' });
    expect(customer.lastResponse.headers['idempotent-replayed']).toBe('true');
    const statuses = requestsTo(rig, '/v1/customers').map((r) => r.status);
    expect(statuses).toContain(409);
    expect(statuses.at(-1)).toBe(200);
    expect((await rig.stripe.customers.list()).data).toHaveLength(1);
  });

  it('delays and hangs', async () => {
    await using rig = await startStripe();
    rig.h.addRule({ point: 'request', match: { method: 'GET', path: '/v1/balance' }, action: { delay: { ms: 300 } }, trigger: { times: 1 } });
    const started = Date.now();
    await rig.stripe.balance.retrieve();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    rig.h.addRule({ point: 'request', match: { path: '/v1/customers/:id' }, action: { hang: {} } });
    const client = rig.client({ timeout: 300, maxNetworkRetries: 0 });
    const customer = await client.customers.create({});
    const error = await client.customers.retrieve(customer.id).catch((e: Stripe.errors.StripeError) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((error as Error).message).toContain('timeout');
  });

  it('decides probabilistic faults from the seed: same seed, same failures', async () => {
    const pattern = async (seed: number): Promise<string> => {
      await using rig = await startStripe({}, seed);
      rig.h.addRule({ id: 'flaky', point: 'request', match: { path: '/v1/customers' }, action: { error: { type: 'api_error' } }, trigger: { probability: 0.5 } });
      const client = rig.client({ maxNetworkRetries: 0 });
      let out = '';
      for (let i = 0; i < 24; i++) out += await client.customers.create({}).then(() => '.', () => 'x');
      return out;
    };
    const a = await pattern(11);
    expect(await pattern(11)).toBe(a);
    expect(a).toMatch(/x/);
    expect(a).toMatch(/\./);
    expect(await pattern(12)).not.toBe(a);
  });
});
