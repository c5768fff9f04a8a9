// Events keep their object as it was when they were made, though the twin copies it only when the
// object is about to change (twins/stripe/event-data.ts): the object read through the API after later
// changes, in the same call (create with confirm=true) and in later ones, and the check that catches
// code changing an object without touching it first.
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { EventSnapshots } from '../../twins/stripe/event-data.ts';
import type { StripeObject } from '../../twins/stripe/stripe-objects.ts';
import { startStripe } from './stripe-support.ts';

type Intent = Stripe.PaymentIntent;

describe('stripe twin: event objects as they were', () => {
  it('keeps each event’s object at its moment through later changes, in the same call and after', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    // One call: created, then confirmed at once.
    const one = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    // Two calls, then later changes to the intent.
    const two = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual' });
    await stripe.paymentIntents.confirm(two.id);
    await stripe.paymentIntents.update(two.id, { metadata: { order: '42' } });
    await stripe.paymentIntents.capture(two.id);

    const events = (await stripe.events.list({ limit: 100 })).data.reverse();
    const of = (id: string) => events.filter((e) => (e.data.object as { id: string }).id === id).map((e) => [e.type, (e.data.object as Intent).status, (e.data.object as Intent).metadata]);
    expect(of(one.id)).toEqual([
      ['payment_intent.created', 'requires_confirmation', {}],
      ['payment_intent.succeeded', 'succeeded', {}],
    ]);
    expect(of(two.id)).toEqual([
      ['payment_intent.created', 'requires_confirmation', {}],
      ['payment_intent.amount_capturable_updated', 'requires_capture', {}],
      ['payment_intent.succeeded', 'succeeded', { order: '42' }],
    ]);
    // Read again (parsed from the copy, or the object itself while unchanged): the same.
    const again = await stripe.events.retrieve(events.find((e) => e.type === 'payment_intent.created')?.id as string);
    expect((again.data.object as Intent).status).toBe('requires_confirmation');
  });
});

describe('stripe twin: EventSnapshots', () => {
  const object = (): StripeObject & { status: string } => ({ id: 'pi_1', object: 'payment_intent', status: 'a' });

  it('copies the object when settled, once for all its events, before it changes', () => {
    const snapshots = new EventSnapshots();
    const pi = object();
    const first = snapshots.track(pi, undefined);
    const second = snapshots.track(pi, undefined);
    expect(first.object).toBe(pi); // unchanged since: the object itself
    snapshots.settle(pi);
    pi.status = 'b';
    expect(first.object).toEqual({ id: 'pi_1', object: 'payment_intent', status: 'a' });
    expect(second.object).toEqual({ id: 'pi_1', object: 'payment_intent', status: 'a' });
    expect(JSON.stringify(first)).toBe('{"object":{"id":"pi_1","object":"payment_intent","status":"a"}}');
    snapshots.check();
  });

  it('catches a change made without settling first (checking is on in the test suite)', () => {
    expect(process.env.STANDIN_CHECK_EVENT_SNAPSHOTS).toBe('1');
    const snapshots = new EventSnapshots();
    const pi = object();
    snapshots.track(pi, { status: 'z' });
    pi.status = 'b';
    expect(() => snapshots.check()).toThrow(/pi_1 changed after an event about it/);
    expect(() => snapshots.settle(pi)).toThrow(/pi_1 changed after an event about it/);
  });
});
