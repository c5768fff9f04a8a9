// A stripe twin keeps every object it makes; a SUT creating objects in a loop must not grow it
// without bound. Past `stripeObjects` every POST is refused with a clear error until a reset (or
// deletes) makes room; reads go on, and nothing already held is lost.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { stripeTwin } from '../../twins/stripe/index.ts';
import { startTwin } from '../support/twin-harness.ts';

const LIMIT = 20;

describe('hostile: the stripe twin holds at most stripeObjects objects', () => {
  it('refuses POSTs past the limit with standin_objects_limit, keeps answering reads and replays, and makes room on reset', async () => {
    await using h = await startTwin(stripeTwin, {}, { limits: { stripeObjects: LIMIT } });
    const stripe = new Stripe(h.twin.env.STRIPE_SECRET_KEY as string, { host: h.twin.env.STRIPE_HOST, port: Number(h.twin.env.STRIPE_PORT), protocol: 'http', maxNetworkRetries: 0 });
    const first = await stripe.customers.create({ email: 'c0@example.com' }, { idempotencyKey: 'first' });
    const made: string[] = [first.id];
    let refused: Stripe.errors.StripeError | undefined;
    for (let i = 1; i < LIMIT && !refused; i++) {
      // Each customer is two objects: the customer and its customer.created event.
      await stripe.customers.create({ email: `c${i}@example.com` }).then(
        (c) => made.push(c.id),
        (e: Stripe.errors.StripeError) => (refused = e),
      );
    }
    expect(made).toHaveLength(LIMIT / 2);
    expect(refused).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(refused).toMatchObject({ statusCode: 400, code: 'standin_objects_limit' });
    expect(refused?.message).toContain('--limit-stripe-objects');
    // Reads and replays go on; what was made is all there.
    const again = await stripe.customers.create({ email: 'c0@example.com' }, { idempotencyKey: 'first' });
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(again.id).toBe(first.id);
    expect((await stripe.customers.list({ limit: 100 })).data.map((c) => c.id).sort()).toEqual([...made].sort());
    await expect(h.twin.actions?.trigger?.({ event: 'customer.created' })).rejects.toThrow(/standin_objects_limit|holds 20 objects/);
    await h.twin.reset();
    expect((await stripe.customers.create({})).id).toMatch(/^cus_/);
  });
});
