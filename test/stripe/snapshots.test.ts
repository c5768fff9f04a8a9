// Events and idempotent answers keep their object as it was, though the twin copies it only when the
// object is about to change (twins/stripe/snapshots.ts): the object read through the API after later
// changes, in the same call (create with confirm=true) and in later ones; replays after changes; and
// the check that catches code changing an object without touching it first.
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { Snapshots } from '../../twins/stripe/snapshots.ts';
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

  it('replays an idempotent answer as it was, after its object changed', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const params = { amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual' as const };
    const created = await stripe.paymentIntents.create(params, { idempotencyKey: 'create-1' });
    const confirmed = await stripe.paymentIntents.confirm(created.id, {}, { idempotencyKey: 'confirm-1' });
    const replayedBeforeChange = await stripe.paymentIntents.confirm(created.id, {}, { idempotencyKey: 'confirm-1' });
    await stripe.paymentIntents.capture(created.id);
    const replayedCreate = await stripe.paymentIntents.create(params, { idempotencyKey: 'create-1' });
    const replayedConfirm = await stripe.paymentIntents.confirm(created.id, {}, { idempotencyKey: 'confirm-1' });
    expect(replayedCreate.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(replayedCreate.status).toBe('requires_confirmation');
    expect({ ...replayedCreate, lastResponse: null }).toEqual({ ...created, lastResponse: null });
    expect(replayedBeforeChange.status).toBe('requires_capture');
    expect(replayedConfirm.status).toBe('requires_capture');
    expect({ ...replayedConfirm, lastResponse: null }).toEqual({ ...confirmed, lastResponse: null });
    expect((await stripe.paymentIntents.retrieve(created.id)).status).toBe('succeeded');
  });
});

describe('stripe twin: Snapshots', () => {
  const object = (): StripeObject & { status: string } => ({ id: 'pi_1', object: 'payment_intent', status: 'a' });

  it('copies the object when settled, once for all its copies owed, before it changes', () => {
    const snapshots = new Snapshots();
    const pi = object();
    const first = snapshots.event(pi, undefined);
    const second = snapshots.event(pi, undefined);
    const answer = snapshots.answer(200, {}, 'req_1', pi);
    expect(first.object).toBe(pi); // unchanged since: the object itself
    snapshots.settle(pi);
    pi.status = 'b';
    expect(first.object).toEqual({ id: 'pi_1', object: 'payment_intent', status: 'a' });
    expect(second.object).toEqual({ id: 'pi_1', object: 'payment_intent', status: 'a' });
    expect(answer.body).toBe('{\n  "id": "pi_1",\n  "object": "payment_intent",\n  "status": "a"\n}');
    expect(JSON.stringify(first)).toBe('{"object":{"id":"pi_1","object":"payment_intent","status":"a"}}');
    snapshots.check();
  });

  it('catches a change made without settling first (checking is on in the test suite)', () => {
    expect(process.env.STANDIN_CHECK_EVENT_SNAPSHOTS).toBe('1');
    const snapshots = new Snapshots();
    const pi = object();
    snapshots.event(pi, { status: 'z' });
    pi.status = 'b';
    expect(() => snapshots.check()).toThrow(/pi_1 changed while a copy of it was owed/);
    expect(() => snapshots.settle(pi)).toThrow(/pi_1 changed while a copy of it was owed/);
  });
});
