// Test clocks through stripe.testHelpers.testClocks: a clock's customers and subscriptions live at
// its frozen_time; advancing it renews, invoices, charges, retries and ends subscriptions, firing
// their webhooks in order; deleting it deletes its customers' objects. Every answer is checked
// against the client's types.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { conformance } from './object-conformance.ts';
import { startReceiver, startStripe, type StripeRig } from './stripe-support.ts';

const DAY = 86_400;
const HOUR = 3600;
/** 2026-01-31 00:00 UTC: a month-end anchor, so renewals land on Feb 28, then Mar 31. */
const JAN_31 = Date.UTC(2026, 0, 31) / 1000;
const FEB_28 = Date.UTC(2026, 1, 28) / 1000;
const MAR_31 = Date.UTC(2026, 2, 31) / 1000;

const noFindings = (value: unknown, shape: string): void => expect(conformance(value, shape).map((f) => `${f.kind} ${f.path}: ${f.detail}`)).toEqual([]);

async function clockCustomer(rig: StripeRig, clock: Stripe.TestHelpers.TestClock, card = 'pm_card_visa'): Promise<Stripe.Customer> {
  return rig.stripe.customers.create({ test_clock: clock.id, payment_method: card, invoice_settings: { default_payment_method: card } });
}

async function monthly(rig: StripeRig, amount = 1500, name = 'Pro'): Promise<Stripe.Price> {
  return rig.stripe.prices.create({ currency: 'usd', unit_amount: amount, recurring: { interval: 'month' }, product_data: { name } });
}

/** Advances and reads the clock back, as an integration polls it until ready. */
async function advance(rig: StripeRig, clock: Stripe.TestHelpers.TestClock, to: number): Promise<Stripe.TestHelpers.TestClock> {
  const answer = await rig.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: to });
  expect(answer).toMatchObject({ status: 'advancing', status_details: { advancing: { target_frozen_time: to } } });
  const ready = await rig.stripe.testHelpers.testClocks.retrieve(clock.id);
  expect(ready).toMatchObject({ status: 'ready', frozen_time: to });
  return ready;
}

/** Event types after `since` (an event id), oldest first. */
async function typesSince(stripe: Stripe, since?: string): Promise<string[]> {
  const all: Stripe.Event[] = [];
  for await (const event of stripe.events.list({ limit: 100 })) all.push(event);
  const oldestFirst = all.reverse();
  const start = since === undefined ? 0 : oldestFirst.findIndex((e) => e.id === since) + 1;
  return oldestFirst.slice(start).map((e) => e.type);
}

describe('stripe twin: test clocks', () => {
  it('renews a subscription at each period end, invoicing and charging it, webhooks in order', async () => {
    await using rig = await startStripe();
    await using receiver = await startReceiver(rig.env.STRIPE_WEBHOOK_SECRET as string);
    const { stripe } = rig;
    await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_31, name: 'renewals' });
    noFindings(clock, 'TestHelpers.TestClock');
    expect(clock).toMatchObject({ object: 'test_helpers.test_clock', frozen_time: JAN_31, name: 'renewals', status: 'ready', livemode: false });
    expect(clock.deletes_after - clock.created).toBe(30 * DAY);
    expect((await stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toEqual([clock.id]);

    const customer = await clockCustomer(rig, clock);
    expect(customer).toMatchObject({ test_clock: clock.id, created: JAN_31 });
    const price = await monthly(rig);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    expect(sub).toMatchObject({ status: 'active', test_clock: clock.id, start_date: JAN_31, billing_cycle_anchor: JAN_31 });
    expect(sub.items.data[0]).toMatchObject({ current_period_start: JAN_31, current_period_end: FEB_28 });
    // A clock's customers and subscriptions are listed only when asked for by clock (or customer).
    expect((await stripe.customers.list()).data.map((c) => c.id)).not.toContain(customer.id);
    expect((await stripe.customers.list({ test_clock: clock.id })).data.map((c) => c.id)).toEqual([customer.id]);
    expect((await stripe.subscriptions.list()).data).toEqual([]);
    expect((await stripe.subscriptions.list({ test_clock: clock.id } as Stripe.SubscriptionListParams)).data.map((s) => s.id)).toEqual([sub.id]);
    const before = (await stripe.events.list({ limit: 1 })).data[0]?.id;

    // To the period end: the renewal invoice is made, a draft for an hour.
    await advance(rig, clock, FEB_28);
    const renewed = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    noFindings(renewed, 'Subscription');
    expect(renewed.items.data[0]).toMatchObject({ current_period_start: FEB_28, current_period_end: MAR_31 });
    const draft = renewed.latest_invoice as Stripe.Invoice;
    expect(draft).toMatchObject({ status: 'draft', billing_reason: 'subscription_cycle', created: FEB_28, automatically_finalizes_at: FEB_28 + HOUR, amount_due: 1500, number: null });
    expect(draft.lines.data[0]?.period).toEqual({ start: FEB_28, end: MAR_31 });
    expect(await typesSince(stripe, before)).toEqual(['test_helpers.test_clock.advancing', 'invoice.created', 'customer.subscription.updated', 'test_helpers.test_clock.ready']);
    const beforeCharge = (await stripe.events.list({ limit: 1 })).data[0]?.id;

    // An hour on: finalized and charged to the default payment method.
    await advance(rig, clock, FEB_28 + 2 * HOUR);
    const paid = await stripe.invoices.retrieve(draft.id, { expand: ['payments'] });
    noFindings(paid, 'Invoice');
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 1500, attempt_count: 1, test_clock: clock.id, status_transitions: { finalized_at: FEB_28 + HOUR, paid_at: FEB_28 + HOUR } });
    expect(paid.number).toMatch(/-0002$/);
    const pi = await stripe.paymentIntents.retrieve(paid.payments?.data[0]?.payment.payment_intent as string);
    expect(pi).toMatchObject({ status: 'succeeded', amount: 1500, created: FEB_28 + HOUR });
    const charged = await typesSince(stripe, beforeCharge);
    expect(charged.filter((t) => t.startsWith('invoice.') || t.startsWith('test_helpers.'))).toEqual([
      'test_helpers.test_clock.advancing',
      'invoice.finalized',
      'invoice.paid',
      'invoice.payment_succeeded',
      'test_helpers.test_clock.ready',
    ]);

    // The next month in one advance: renewed on Mar 31 (the anchor's day), invoiced and paid.
    await advance(rig, clock, MAR_31 + 2 * HOUR);
    const invoices = await stripe.invoices.list({ subscription: sub.id });
    expect(invoices.data.map((i) => [i.billing_reason, i.status, i.created])).toEqual([
      ['subscription_cycle', 'paid', MAR_31],
      ['subscription_cycle', 'paid', FEB_28],
      ['subscription_create', 'paid', JAN_31],
    ]);

    // Webhooks arrive in the order the events were made.
    await rig.h.twin.actions?.flush?.({});
    expect(receiver.events.map((r) => r.event.type)).toEqual(await typesSince(stripe));
    expect(receiver.rejected).toEqual([]);
    const readyEvent = receiver.events.findLast((r) => r.event.type === 'test_helpers.test_clock.ready')?.event;
    expect((readyEvent?.data.object as Stripe.TestHelpers.TestClock).frozen_time).toBe(MAR_31 + 2 * HOUR);
  });

  it('retries a failed renewal on 3, 5 and 7 days, past_due meanwhile; recovers when paid, cancels when retries run out', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_31 });
    const price = await monthly(rig);
    const recovering = await clockCustomer(rig, clock);
    const failing = await clockCustomer(rig, clock);
    const subA = await stripe.subscriptions.create({ customer: recovering.id, items: [{ price: price.id }] });
    const subB = await stripe.subscriptions.create({ customer: failing.id, items: [{ price: price.id }] });
    // Both cards start to decline after the first payment.
    for (const customer of [recovering, failing]) {
      const declining = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
      await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: declining.id } });
    }

    const firstAttempt = FEB_28 + HOUR;
    await advance(rig, clock, firstAttempt);
    for (const sub of [subA, subB]) {
      const now = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
      expect(now.status).toBe('past_due');
      expect(now.latest_invoice).toMatchObject({ status: 'open', attempt_count: 1, attempted: true, next_payment_attempt: firstAttempt + 3 * DAY });
    }
    const failedEvents = await stripe.events.list({ type: 'invoice.payment_failed' });
    expect(failedEvents.data).toHaveLength(2);
    const pastDue = (await stripe.events.list({ type: 'customer.subscription.updated', limit: 2 })).data[0];
    expect(pastDue?.data.previous_attributes).toMatchObject({ status: 'active' });

    // The recovering customer fixes their card; the next retry pays and reactivates.
    await stripe.customers.update(recovering.id, { invoice_settings: { default_payment_method: (await stripe.paymentMethods.attach('pm_card_visa', { customer: recovering.id })).id } });
    await advance(rig, clock, firstAttempt + 3 * DAY);
    const recovered = await stripe.subscriptions.retrieve(subA.id, { expand: ['latest_invoice'] });
    expect(recovered.status).toBe('active');
    expect(recovered.latest_invoice).toMatchObject({ status: 'paid', attempt_count: 2, next_payment_attempt: null });
    const stillFailing = await stripe.invoices.retrieve((await stripe.subscriptions.retrieve(subB.id)).latest_invoice as string);
    expect(stillFailing).toMatchObject({ status: 'open', attempt_count: 2, next_payment_attempt: firstAttempt + 8 * DAY });

    await advance(rig, clock, firstAttempt + 8 * DAY);
    expect(await stripe.invoices.retrieve(stillFailing.id)).toMatchObject({ attempt_count: 3, next_payment_attempt: firstAttempt + 15 * DAY });
    expect((await stripe.subscriptions.retrieve(subB.id)).status).toBe('past_due');
    await advance(rig, clock, firstAttempt + 15 * DAY);
    const ended = await stripe.subscriptions.retrieve(subB.id);
    noFindings(ended, 'Subscription');
    expect(ended).toMatchObject({ status: 'canceled', ended_at: firstAttempt + 15 * DAY, cancellation_details: { reason: 'payment_failed' } });
    expect(await stripe.invoices.retrieve(stillFailing.id)).toMatchObject({ status: 'open', attempt_count: 4, next_payment_attempt: null });
    const deleted = await stripe.events.list({ type: 'customer.subscription.deleted' });
    expect(deleted.data.map((e) => (e.data.object as Stripe.Subscription).id)).toEqual([subB.id]);
    expect((await stripe.subscriptions.retrieve(subA.id)).status).toBe('active');
  });

  it('marks the subscription unpaid when configured: its next invoices stay drafts until the open one is paid', async () => {
    await using rig = await startStripe({ failedPayments: { afterLastRetry: 'unpaid' } });
    const { stripe } = rig;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_31 });
    const customer = await clockCustomer(rig, clock);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: (await monthly(rig)).id }] });
    const declining = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: declining.id } });
    const firstAttempt = FEB_28 + HOUR;
    await advance(rig, clock, firstAttempt + 15 * DAY);
    const unpaid = await stripe.subscriptions.retrieve(sub.id);
    expect(unpaid.status).toBe('unpaid');
    const open = await stripe.invoices.retrieve(unpaid.latest_invoice as string);
    expect(open).toMatchObject({ status: 'open', attempt_count: 4, next_payment_attempt: null });

    await advance(rig, clock, MAR_31 + 2 * HOUR);
    const held = await stripe.invoices.retrieve((await stripe.subscriptions.retrieve(sub.id)).latest_invoice as string);
    expect(held).toMatchObject({ status: 'draft', auto_advance: false, automatically_finalizes_at: null, created: MAR_31 });
    await stripe.invoices.pay(open.id, { payment_method: (await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id })).id });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  it('ends trials: trial_will_end 3 days before, then the first paid period; without a card, end_behavior cancel', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_31 });
    const price = await monthly(rig, 2000);
    const withCard = await clockCustomer(rig, clock);
    const withoutCard = await stripe.customers.create({ test_clock: clock.id });
    const trial = await stripe.subscriptions.create({ customer: withCard.id, items: [{ price: price.id }], trial_period_days: 7 });
    const noCard = await stripe.subscriptions.create({
      customer: withoutCard.id,
      items: [{ price: price.id }],
      trial_end: JAN_31 + 7 * DAY,
      trial_settings: { end_behavior: { missing_payment_method: 'cancel' } },
    });
    expect(trial).toMatchObject({ status: 'trialing', trial_start: JAN_31, trial_end: JAN_31 + 7 * DAY });
    expect(noCard).toMatchObject({ status: 'trialing', trial_settings: { end_behavior: { missing_payment_method: 'cancel' } } });

    await advance(rig, clock, JAN_31 + 4 * DAY);
    const willEnd = await stripe.events.list({ type: 'customer.subscription.trial_will_end' });
    expect(willEnd.data.map((e) => [(e.data.object as Stripe.Subscription).id, e.created])).toEqual([
      [noCard.id, JAN_31 + 4 * DAY],
      [trial.id, JAN_31 + 4 * DAY],
    ]);

    // trial_end on update: `now` ends a trial at once, a later time extends one.
    const endsNow = await stripe.subscriptions.create({ customer: (await clockCustomer(rig, clock)).id, items: [{ price: price.id }], trial_period_days: 14 });
    const extended = await stripe.subscriptions.create({ customer: (await clockCustomer(rig, clock)).id, items: [{ price: price.id }], trial_period_days: 5 });
    const ended = await stripe.subscriptions.update(endsNow.id, { trial_end: 'now', expand: ['latest_invoice'] });
    expect(ended).toMatchObject({ status: 'active', trial_end: JAN_31 + 4 * DAY, billing_cycle_anchor: JAN_31 + 4 * DAY });
    expect(ended.items.data[0]).toMatchObject({ current_period_start: JAN_31 + 4 * DAY });
    expect(ended.latest_invoice).toMatchObject({ status: 'paid', amount_paid: 2000, billing_reason: 'subscription_update' });
    const longer = await stripe.subscriptions.update(extended.id, { trial_end: JAN_31 + 20 * DAY });
    expect(longer).toMatchObject({ status: 'trialing', trial_end: JAN_31 + 20 * DAY });
    expect(longer.items.data[0]?.current_period_end).toBe(JAN_31 + 20 * DAY);
    await expect(stripe.subscriptions.update(extended.id, { trial_end: JAN_31 })).rejects.toMatchObject({ param: 'trial_end' });

    await advance(rig, clock, JAN_31 + 7 * DAY + HOUR);
    expect((await stripe.subscriptions.retrieve(extended.id)).status).toBe('trialing');
    const active = await stripe.subscriptions.retrieve(trial.id, { expand: ['latest_invoice'] });
    expect(active.status).toBe('active');
    expect(active.items.data[0]).toMatchObject({ current_period_start: JAN_31 + 7 * DAY });
    expect(active.latest_invoice).toMatchObject({ status: 'paid', amount_paid: 2000, billing_reason: 'subscription_cycle' });
    const canceled = await stripe.subscriptions.retrieve(noCard.id);
    expect(canceled).toMatchObject({ status: 'canceled', ended_at: JAN_31 + 7 * DAY });
    expect((await stripe.invoices.list({ subscription: noCard.id })).data).toHaveLength(1);

    // end_behavior pause: paused at the trial's end, resumed once a card is on file.
    const pausing = await stripe.customers.create({ test_clock: clock.id });
    const paused = await stripe.subscriptions.create({ customer: pausing.id, items: [{ price: price.id }], trial_period_days: 2, trial_settings: { end_behavior: { missing_payment_method: 'pause' } } });
    await advance(rig, clock, JAN_31 + 10 * DAY);
    expect((await stripe.subscriptions.retrieve(paused.id)).status).toBe('paused');
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: pausing.id });
    await stripe.customers.update(pausing.id, { invoice_settings: { default_payment_method: card.id } });
    const resumed = await stripe.subscriptions.resume(paused.id, { expand: ['latest_invoice'] });
    expect(resumed).toMatchObject({ status: 'active', billing_cycle_anchor: JAN_31 + 10 * DAY });
    expect(resumed.latest_invoice).toMatchObject({ status: 'paid', amount_paid: 2000 });
    expect((await stripe.events.list({ type: 'customer.subscription.resumed' })).data).toHaveLength(1);
    await expect(stripe.subscriptions.resume(paused.id)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('sends invoices to pay by their due date: past_due once it passes, active when paid', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_31 });
    const customer = await stripe.customers.create({ test_clock: clock.id, email: 'billing@example.com' });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: (await monthly(rig)).id }], collection_method: 'send_invoice', days_until_due: 14 });
    expect(sub.status).toBe('active');
    const first = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(first).toMatchObject({ status: 'open', collection_method: 'send_invoice', due_date: JAN_31 + 14 * DAY });
    await advance(rig, clock, JAN_31 + 14 * DAY + HOUR);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due');
    expect((await stripe.events.list({ type: 'invoice.overdue' })).data.map((e) => (e.data.object as Stripe.Invoice).id)).toEqual([first.id]);
    await stripe.invoices.pay(first.id, { paid_out_of_band: true });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  it('cancels at period end, and expires an incomplete subscription after 23 hours', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_31 });
    const price = await monthly(rig);
    const customer = await clockCustomer(rig, clock);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await advance(rig, clock, JAN_31 + 10 * DAY);
    const scheduled = await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect(scheduled).toMatchObject({ status: 'active', cancel_at: FEB_28, canceled_at: JAN_31 + 10 * DAY, cancel_at_period_end: true });

    const unpaid = await stripe.customers.create({ test_clock: clock.id });
    const incomplete = await stripe.subscriptions.create({ customer: unpaid.id, items: [{ price: price.id }], payment_behavior: 'default_incomplete' });
    expect(incomplete).toMatchObject({ status: 'incomplete', created: JAN_31 + 10 * DAY });
    // Confirmed by the SUT, a clock's invoice is paid at the clock's time.
    const confirming = await stripe.customers.create({ test_clock: clock.id });
    const later = await stripe.subscriptions.create({ customer: confirming.id, items: [{ price: price.id }], payment_behavior: 'default_incomplete', expand: ['latest_invoice.confirmation_secret'] });
    const secret = (later.latest_invoice as Stripe.Invoice).confirmation_secret?.client_secret as string;
    await stripe.paymentIntents.confirm(secret.split('_secret_')[0] as string, { payment_method: 'pm_card_visa' });
    expect(await stripe.invoices.retrieve((later.latest_invoice as Stripe.Invoice).id)).toMatchObject({ status: 'paid', status_transitions: { paid_at: JAN_31 + 10 * DAY } });
    expect((await stripe.subscriptions.retrieve(later.id)).status).toBe('active');

    await advance(rig, clock, FEB_28 + 2 * HOUR);
    const ended = await stripe.subscriptions.retrieve(sub.id);
    expect(ended).toMatchObject({ status: 'canceled', ended_at: FEB_28, canceled_at: JAN_31 + 10 * DAY, cancellation_details: { reason: 'cancellation_requested' } });
    expect((await stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
    const expired = await stripe.subscriptions.retrieve(incomplete.id, { expand: ['latest_invoice'] });
    expect(expired).toMatchObject({ status: 'incomplete_expired', ended_at: JAN_31 + 10 * DAY + 23 * HOUR });
    expect(expired.latest_invoice).toMatchObject({ status: 'void' });
  });

  it('refuses to go back or too far, and deletes its customers and their objects with it', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_31 });
    await expect(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_31 })).rejects.toMatchObject({ statusCode: 400, param: 'frozen_time' });
    // Two years without subscriptions; two intervals of the shortest one with.
    await expect(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_31 + 3 * 365 * DAY })).rejects.toMatchObject({ param: 'frozen_time' });
    const customer = await clockCustomer(rig, clock);
    const weekly = await stripe.prices.create({ currency: 'usd', unit_amount: 500, recurring: { interval: 'week' }, product_data: { name: 'Weekly' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: weekly.id }] });
    await expect(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_31 + 15 * DAY })).rejects.toMatchObject({ param: 'frozen_time' });
    await expect(stripe.customers.create({ test_clock: 'clock_missing' })).rejects.toMatchObject({ statusCode: 404, param: 'test_clock' });
    await expect(stripe.testHelpers.testClocks.create({ frozen_time: 1e15 })).rejects.toMatchObject({ statusCode: 400, param: 'frozen_time' });
    await expect(stripe.subscriptions.create({ customer: customer.id, items: [{ price: weekly.id }], trial_end: JAN_31 - DAY })).rejects.toMatchObject({ param: 'trial_end' });

    await advance(rig, clock, JAN_31 + 14 * DAY);
    expect((await stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(3);
    const gone = await stripe.testHelpers.testClocks.del(clock.id);
    noFindings(gone, 'TestHelpers.DeletedTestClock');
    expect(gone).toMatchObject({ id: clock.id, deleted: true });
    await expect(stripe.testHelpers.testClocks.retrieve(clock.id)).rejects.toMatchObject({ statusCode: 404 });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ deleted: true });
    await expect(stripe.subscriptions.retrieve(sub.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await stripe.invoices.list({ customer: customer.id })).data).toEqual([]);
    expect((await stripe.events.list({ type: 'test_helpers.test_clock.deleted' })).data).toHaveLength(1);
  });

  it('gives the same ids, times and events for the same seed', async () => {
    const run = async (): Promise<string[]> => {
      await using rig = await startStripe({}, 42);
      const { stripe } = rig;
      const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_31 });
      const customer = await clockCustomer(rig, clock, 'pm_card_chargeCustomerFail');
      const price = await monthly(rig);
      await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 3 });
      await advance(rig, clock, JAN_31 + 10 * DAY);
      const events = await stripe.events.list({ limit: 100 });
      // Times on the clock follow it; the price and product, made off the clock, are at the wall clock's.
      return events.data.map((e) => `${e.id} ${e.type} ${e.created <= MAR_31 ? e.created : 'now'} ${(e.data.object as { id: string }).id}`);
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(10);
    expect(await run()).toEqual(first);
  });
});
