// Webhooks: endpoints from config and from the API, deliveries signed so that
// stripe.webhooks.constructEvent accepts them, retried with backoff on non-2xx, the `trigger`
// action, and deliveries listed by inspect.
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../twins/stripe/webhooks/delivery.ts';
import { startReceiver, startStripe } from './stripe-support.ts';

const SECRET = 'whsec_standin_test_secret';

describe('stripe twin: webhooks', () => {
  it('delivers signed events to an endpoint registered by API, in order', async () => {
    await using rig = await startStripe();
    await using receiver = await startReceiver(rig.env.STRIPE_WEBHOOK_SECRET as string);
    const { stripe } = rig;
    const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['payment_intent.created', 'payment_intent.succeeded', 'charge.succeeded'] });
    expect(endpoint.secret).toBe(rig.env.STRIPE_WEBHOOK_SECRET);
    expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();
    await stripe.customers.create({}); // not subscribed
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await receiver.waitFor(() => receiver.events.length >= 3);
    await rig.h.twin.actions?.flush?.({});
    expect(receiver.events.map((r) => r.event.type)).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']);
    const succeeded = receiver.events[2]?.event as Stripe.Event;
    expect((succeeded.data.object as Stripe.PaymentIntent).id).toBe(pi.id);
    expect((succeeded.data.object as Stripe.PaymentIntent).status).toBe('succeeded');
    expect(receiver.events[0]?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(receiver.rejected).toEqual([]);
    const stored = await stripe.events.retrieve(succeeded.id);
    expect(stored.type).toBe('payment_intent.succeeded');
    expect(stored.pending_webhooks).toBe(0);
    const listed = await stripe.events.list({ type: 'payment_intent.*' });
    expect(listed.data.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'payment_intent.created']);
  });

  it('retries with backoff while the receiver answers non-2xx, and gives up after maxAttempts', async () => {
    await using receiver = await startReceiver(SECRET);
    await using rig = await startStripe({
      webhookSecret: SECRET,
      webhooks: [{ url: receiver.url, enabled_events: ['customer.created'] }],
      webhookRetry: { maxAttempts: 3, initialDelayMs: 100 },
    });
    receiver.respondWith.push(500, 503);
    const customer = await rig.stripe.customers.create({ email: 'retry@example.com' });
    await receiver.waitFor(() => receiver.events.length === 1);
    await rig.h.twin.actions?.flush?.({});
    expect((receiver.events[0]?.event.data.object as Stripe.Customer).id).toBe(customer.id);
    const { deliveries } = (await rig.h.twin.inspect({ id: customer.id })) as { deliveries: Delivery[] };
    expect(deliveries).toHaveLength(1);
    const attempts = deliveries[0]?.attempts ?? [];
    expect(attempts.map((a) => a.status)).toEqual([500, 503, 200]);
    expect(deliveries[0]?.status).toBe('succeeded');
    const gap1 = (attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0);
    const gap2 = (attempts[2]?.at ?? 0) - (attempts[1]?.at ?? 0);
    expect(gap1).toBeGreaterThanOrEqual(95);
    expect(gap2).toBeGreaterThanOrEqual(195); // doubled

    receiver.respondWith.push(500, 500, 500);
    const other = await rig.stripe.customers.create({});
    await rig.h.twin.actions?.flush?.({});
    const failed = ((await rig.h.twin.inspect({ id: other.id })) as { deliveries: Delivery[] }).deliveries[0];
    expect(failed?.status).toBe('failed');
    expect(failed?.attempts).toHaveLength(3);
    expect(receiver.events).toHaveLength(1);
  });

  it('triggers events on demand by running their flow', async () => {
    await using receiver = await startReceiver(SECRET);
    await using rig = await startStripe({ webhookSecret: SECRET, webhooks: [{ url: receiver.url }] });
    const result = (await rig.h.twin.actions?.trigger?.({ event: 'payment_intent.succeeded' })) as { event: Stripe.Event; events: string[] };
    expect(result.event.type).toBe('payment_intent.succeeded');
    const pi = result.event.data.object as Stripe.PaymentIntent;
    expect((await rig.stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
    await rig.h.twin.actions?.trigger?.({ event: 'charge.refunded' });
    const failed = (await rig.h.twin.actions?.trigger?.({ event: 'invoice.payment_failed' })) as { event: Stripe.Event };
    expect((failed.event.data.object as Stripe.Invoice).status).toBe('open');
    await rig.h.twin.actions?.trigger?.({ event: 'payout.paid', object: { amount: 500 } });
    await rig.h.twin.actions?.flush?.({});
    const types = receiver.events.map((r) => r.event.type);
    expect(types).toContain('payment_intent.succeeded');
    expect(types).toContain('charge.refunded');
    expect(types).toContain('invoice.payment_failed');
    expect(types.at(-1)).toBe('payout.paid');
    expect((receiver.events.at(-1)?.event.data.object as { amount?: number }).amount).toBe(500);
    const inspected = (await rig.h.twin.inspect({ resource: 'deliveries' })) as { deliveries: Delivery[] };
    expect(inspected.deliveries.every((d) => d.status === 'succeeded')).toBe(true);
    expect(inspected.deliveries).toHaveLength(receiver.events.length);
  });

  it('manages endpoints: list, update, disable, delete', async () => {
    await using rig = await startStripe({ webhooks: [{ url: 'http://127.0.0.1:9/hooks' }] });
    const { stripe } = rig;
    const list = await stripe.webhookEndpoints.list();
    expect(list.data).toHaveLength(1);
    const id = list.data[0]?.id as string;
    const updated = await stripe.webhookEndpoints.update(id, { disabled: true, enabled_events: ['charge.failed'] });
    expect(updated).toMatchObject({ status: 'disabled', enabled_events: ['charge.failed'] });
    expect(await stripe.webhookEndpoints.del(id)).toMatchObject({ id, deleted: true });
    await expect(stripe.webhookEndpoints.create({ url: 'not a url', enabled_events: ['*'] })).rejects.toMatchObject({ param: 'url' });
  });
});
