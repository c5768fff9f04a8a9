// Faults at the `webhook` point: drop, duplicate, reorder, delay and corrupt (bad signature, stale
// timestamp), seen by a receiver that verifies every delivery with constructEvent.
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../twins/stripe/webhooks/delivery.ts';
import { startReceiver, startStripe } from './stripe-support.ts';

const SECRET = 'whsec_standin_fault_secret';

async function rigWithReceiver(retry: Record<string, number> = {}) {
  const receiver = await startReceiver(SECRET);
  const rig = await startStripe({
    webhookSecret: SECRET,
    webhooks: [{ url: receiver.url, enabled_events: ['customer.created'] }],
    webhookRetry: { initialDelayMs: 50, ...retry },
  });
  return {
    receiver,
    rig,
    names: () => receiver.events.map((r) => (r.event.data.object as Stripe.Customer).name),
    flush: () => rig.h.twin.actions?.flush?.({}),
    deliveries: async () => ((await rig.h.twin.inspect({ resource: 'deliveries' })) as { deliveries: Delivery[] }).deliveries,
    [Symbol.asyncDispose]: async () => {
      await rig.h.stop();
      await receiver.close();
    },
  };
}

describe('stripe twin: webhook faults', () => {
  it('drops a delivery', async () => {
    await using t = await rigWithReceiver();
    t.rig.h.addRule({ point: 'webhook', match: { type: 'customer.created' }, action: { drop: {} }, trigger: { times: 1 } });
    await t.rig.stripe.customers.create({ name: 'a' });
    await t.rig.stripe.customers.create({ name: 'b' });
    await t.flush();
    expect(t.names()).toEqual(['b']);
    expect((await t.deliveries()).map((d) => d.status)).toEqual(['dropped', 'succeeded']);
  });

  it('duplicates a delivery: the same event id arrives twice, both verified', async () => {
    await using t = await rigWithReceiver();
    t.rig.h.addRule({ point: 'webhook', action: { duplicate: { count: 1 } }, trigger: { times: 1 } });
    await t.rig.stripe.customers.create({ name: 'a' });
    await t.rig.stripe.customers.create({ name: 'b' });
    await t.flush();
    expect(t.names()).toEqual(['a', 'a', 'b']);
    expect(t.receiver.events[0]?.event.id).toBe(t.receiver.events[1]?.event.id);
    const deliveries = await t.deliveries();
    const copy = deliveries.find((d) => d.duplicateOf !== null);
    expect(copy?.duplicateOf).toBe(deliveries[0]?.id);
    expect(copy?.event).toBe(deliveries[0]?.event);
  });

  it('reorders a delivery behind the next one', async () => {
    await using t = await rigWithReceiver();
    t.rig.h.addRule({ point: 'webhook', action: { reorder: {} }, trigger: { times: 1 } });
    await t.rig.stripe.customers.create({ name: 'first' });
    await t.rig.stripe.customers.create({ name: 'second' });
    await t.rig.stripe.customers.create({ name: 'third' });
    await t.flush();
    expect(t.names()).toEqual(['second', 'first', 'third']);
    const created = t.receiver.events.map((r) => r.event.created);
    expect(created[1]).toBeLessThanOrEqual(created[0] as number);
  });

  it('delays a delivery while later ones go on', async () => {
    await using t = await rigWithReceiver();
    t.rig.h.addRule({ point: 'webhook', action: { delay: { ms: 300 } }, trigger: { times: 1 } });
    await t.rig.stripe.customers.create({ name: 'slow' });
    await t.rig.stripe.customers.create({ name: 'fast' });
    await t.receiver.waitFor(() => t.receiver.events.length === 1);
    expect(t.names()).toEqual(['fast']);
    await t.flush();
    expect(t.names()).toEqual(['fast', 'slow']);
  });

  it('corrupts the signature or the timestamp: constructEvent rejects it, the retry gets through', async () => {
    await using t = await rigWithReceiver();
    t.rig.h.addRule({ point: 'webhook', action: { corrupt: { how: 'signature' } }, trigger: { times: 1 } });
    await t.rig.stripe.customers.create({ name: 'a' });
    await t.flush();
    t.rig.h.addRule({ point: 'webhook', action: { corrupt: { how: 'timestamp' } }, trigger: { times: 1 } });
    await t.rig.stripe.customers.create({ name: 'b' });
    await t.flush();
    t.rig.h.addRule({ point: 'webhook', action: { corrupt: { how: 'payload' } }, trigger: { times: 1 } });
    await t.rig.stripe.customers.create({ name: 'c' });
    await t.flush();
    expect(t.receiver.rejected).toHaveLength(3);
    expect(t.receiver.rejected[0]).toMatch(/No signatures found matching the expected signature/);
    expect(t.receiver.rejected[1]).toMatch(/Timestamp outside the tolerance zone/);
    expect(t.receiver.rejected[2]).toMatch(/No signatures found matching the expected signature/);
    expect(t.names()).toEqual(['a', 'b', 'c']);
    const attempts = (await t.deliveries()).map((d) => d.attempts.map((a) => `${a.corrupted ?? 'clean'}:${a.status}`));
    expect(attempts).toEqual([
      ['signature:400', 'clean:200'],
      ['timestamp:400', 'clean:200'],
      ['payload:400', 'clean:200'],
    ]);
  });

  it('declares its fault points, the link layer included', async () => {
    const { stripeTwin } = await import('../../twins/stripe/index.ts');
    expect(stripeTwin.points.map((p) => p.name)).toEqual(['request', 'webhook', 'connection']);
    await using t = await rigWithReceiver();
    expect(() => t.rig.h.addRule({ point: 'webhook', action: { corrupt: { how: 'nonsense' } } })).toThrow(/how/);
    expect(() => t.rig.h.addRule({ point: 'request', action: { error: { type: 'teapot_error' } } })).toThrow(/type/);
  });
});
