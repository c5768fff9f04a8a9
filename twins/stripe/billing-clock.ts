// What billing does while a test clock moves. Advancing walks the clock through each moment at
// which something is due for its customers, earliest first, with the clock's frozen_time (and so
// every object and event made there) at that moment:
//   - a trial ends in 3 days: customer.subscription.trial_will_end;
//   - a period ends: the subscription renews (items move to the next period, a draft invoice for
//     it, customer.subscription.updated) or, when cancel_at has come, ends (…deleted); a trial's end
//     without a payment method follows trial_settings.end_behavior (cancel, pause, or invoice);
//   - an hour after a draft invoice was made: it is finalized and charged to the default payment
//     method (invoice.finalized, then invoice.paid or invoice.payment_failed, the subscription
//     past_due on a failure);
//   - a failed invoice's next_payment_attempt: another attempt, on invoices.ts's RETRY_DAYS
//     schedule; when the last fails the subscription is canceled (reason payment_failed, Stripe's
//     default), marked unpaid (its next invoices stay drafts) or left past_due, as configured;
//   - a sent invoice's due_date (collection_method send_invoice) passes unpaid: invoice.overdue, and
//     its subscription past_due;
//   - 23 hours after an incomplete subscription was created: incomplete_expired, its invoice void.
// The same clock, objects and seed give the same moments, ids and events.
// @see https://docs.stripe.com/billing/testing/test-clocks and https://docs.stripe.com/billing/subscriptions/overview
import { changedFields } from './lists.ts';
import { attemptInvoicePayment, createSubscriptionInvoice, finalizeInvoice, subscriptionOf, voidInvoice } from './resources/invoices.ts';
import { endSubscription, periodEnd, sendTrialWillEnd, setStatus, trialWillEndAt } from './resources/subscriptions.ts';
import { customersOf, type AdvanceClock } from './resources/test-clocks.ts';
import type { StripeState } from './state.ts';
import type { Invoice, Subscription } from './stripe-objects.ts';

/** Stripe expires an incomplete subscription whose first invoice is unpaid after 23 hours. */
const INCOMPLETE_SECONDS = 23 * 3600;
/** Subscriptions whose periods keep running (an unpaid one's invoices stay drafts). */
const RUNNING = new Set<Subscription['status']>(['active', 'past_due', 'trialing', 'unpaid']);
/**
 * A guard against a moment that would not move anything (a bug, not an input): an advance is
 * bounded to two intervals of the clock's shortest subscription, far fewer moments than this.
 */
const MAX_MOMENTS = 10_000;
/** Sent invoices whose due date has passed (Stripe has no field for it). */
const overdue = new WeakSet<Invoice>();

interface Moment {
  at: number;
  /** Order among moments at the same second: invoices first, then subscriptions. */
  rank: number;
  run(): void;
}

export interface BillingOptions {
  /** What becomes of a subscription when the last retry of its invoice fails. */
  afterLastRetry: 'cancel' | 'unpaid' | 'past_due';
}

export function billingClock(options: BillingOptions): AdvanceClock {
  return (state, clock, target) => {
    state.touch(clock); // its frozen_time moves below
    for (let done = 0; ; done++) {
      const next = nextMoment(state, options, customersOf(state, clock).map((c) => c.id), target);
      if (!next) return;
      if (done === MAX_MOMENTS) throw new Error(`test clock ${clock.id}: more than ${MAX_MOMENTS} billing moments in one advance`);
      clock.frozen_time = Math.max(clock.frozen_time, next.at);
      state.atTime(clock.frozen_time, next.run);
    }
  };
}

function nextMoment(state: StripeState, options: BillingOptions, customerIds: string[], target: number): Moment | undefined {
  const customers = new Set(customerIds);
  let best: Moment | undefined;
  const offer = (at: number | null | undefined, rank: number, run: () => void): void => {
    if (at === null || at === undefined || at > target) return;
    if (!best || at < best.at || (at === best.at && rank < best.rank)) best = { at, rank, run };
  };
  for (const invoice of state.invoices.all()) {
    if (!customers.has(invoice.customer) || !invoice.auto_advance) continue;
    if (invoice.status === 'draft') offer(invoice.automatically_finalizes_at, 0, () => finalizeAndCollect(state, invoice));
    else if (invoice.status === 'open' && invoice.collection_method === 'charge_automatically') offer(invoice.next_payment_attempt, 1, () => retry(state, invoice, options));
    else if (invoice.status === 'open' && !overdue.has(invoice)) offer(invoice.due_date, 1, () => becameOverdue(state, invoice));
  }
  for (const sub of state.subscriptions.all()) {
    if (!customers.has(sub.customer)) continue;
    if (sub.status === 'incomplete') offer(sub.created + INCOMPLETE_SECONDS, 2, () => expire(state, sub));
    offer(trialWillEndAt(sub), 3, () => sendTrialWillEnd(state, sub, null));
    if (!RUNNING.has(sub.status)) continue;
    const end = sub.items.data[0]?.current_period_end;
    if (sub.cancel_at !== null && (end === undefined || sub.cancel_at <= end)) offer(sub.cancel_at, 4, () => endSubscription(state, sub, 'cancellation_requested'));
    else offer(end, 4, () => periodEnds(state, sub));
  }
  return best;
}

/** A draft's hour is up: finalize it and charge it; a failure makes an active subscription past_due. */
function finalizeAndCollect(state: StripeState, invoice: Invoice): void {
  state.touch(invoice);
  finalizeInvoice(state, invoice, null);
  if (invoice.status !== 'open' || invoice.collection_method !== 'charge_automatically') return;
  if (attemptInvoicePayment(state, invoice, null)) return;
  const sub = subscriptionOf(state, invoice);
  if (sub?.status === 'active') setStatus(state, sub, 'past_due', null);
}

/** A scheduled retry; when it was the last, the subscription ends or is marked as configured. */
function retry(state: StripeState, invoice: Invoice, options: BillingOptions): void {
  state.touch(invoice);
  if (attemptInvoicePayment(state, invoice, null) || invoice.next_payment_attempt !== null) return;
  const sub = subscriptionOf(state, invoice);
  if (!sub || !RUNNING.has(sub.status)) return;
  if (options.afterLastRetry === 'cancel') endSubscription(state, sub, 'payment_failed');
  else if (options.afterLastRetry === 'unpaid') setStatus(state, sub, 'unpaid', null);
}

/** A sent invoice not paid by its due date: invoice.overdue, and its subscription past_due. */
function becameOverdue(state: StripeState, invoice: Invoice): void {
  state.touch(invoice);
  overdue.add(invoice);
  state.emit('invoice.overdue', invoice, null);
  const sub = subscriptionOf(state, invoice);
  if (sub?.status === 'active') setStatus(state, sub, 'past_due', null);
}

function expire(state: StripeState, sub: Subscription): void {
  state.touch(sub);
  const invoice = sub.latest_invoice ? state.invoices.get(sub.latest_invoice) : undefined;
  if (invoice?.status === 'open') voidInvoice(state, invoice, null);
  sub.ended_at = state.now();
  setStatus(state, sub, 'incomplete_expired', null);
}

/** The current period (or trial) is over: the next one starts and is invoiced. */
function periodEnds(state: StripeState, sub: Subscription): void {
  state.touch(sub);
  const before = JSON.parse(JSON.stringify(sub)) as Record<string, unknown>;
  const first = sub.items.data[0];
  if (!first) return;
  const ended = { start: first.current_period_start, end: first.current_period_end };
  if (sub.status === 'trialing') {
    const customer = state.customers.require(sub.customer, 'customer');
    const hasPaymentMethod = (sub.default_payment_method ?? customer.invoice_settings.default_payment_method) !== null;
    const behavior = (sub.trial_settings.end_behavior as { missing_payment_method?: string } | undefined)?.missing_payment_method;
    if (!hasPaymentMethod && behavior === 'cancel') return endSubscription(state, sub, 'cancellation_requested');
    if (!hasPaymentMethod && behavior === 'pause') {
      sub.status = 'paused';
      state.emit('customer.subscription.paused', sub, null);
      state.emit('customer.subscription.updated', sub, null, changedFields(before, sub));
      return;
    }
    sub.status = 'active';
  }
  for (const item of sub.items.data) {
    item.current_period_start = item.current_period_end;
    item.current_period_end = periodEnd(item.current_period_start, item.price, sub.billing_cycle_anchor);
  }
  // Stripe stops collecting from an unpaid subscription: its new invoices wait as drafts.
  const invoice = createSubscriptionInvoice(state, sub, 'subscription_cycle', null, { draft: true, period: ended, autoAdvance: sub.status !== 'unpaid' });
  sub.latest_invoice = invoice.id;
  state.emit('customer.subscription.updated', sub, null, changedFields(before, sub));
}
