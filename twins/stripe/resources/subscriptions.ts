// Subscriptions in their simple form: create with recurring prices, the first invoice charged to
// the default payment method at once (or left for the SUT to confirm with
// payment_behavior=default_incomplete), trials, update (prorations on price and quantity changes),
// cancel now or at period end, list. Periods move only with a test clock: a customer created with
// `test_clock` lives at the clock's time, and billing-clock.ts renews, retries and ends its
// subscriptions as the clock advances. Without one, a subscription stays in its first period.
// @see https://docs.stripe.com/api/subscriptions and https://docs.stripe.com/billing/subscriptions/overview
import { StripeApiError, invalidRequest, missingParam } from '../errors.ts';
import { changedFields, createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, int, mergeMetadata, metadataOf, obj, requireStr, str, type ObjectSpec, type ParamValue, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { Customer, Invoice, Price, Subscription, SubscriptionItem } from '../stripe-objects.ts';
import { attemptInvoicePayment, collectInvoice, createSubscriptionInvoice, invoicePaymentIntent, invoiceRoutes, subscriptionIdOf, watchInvoicePayments } from './invoices.ts';
import { createProration } from './invoice-items.ts';
import { resolvePaymentMethod } from './payment-methods.ts';
import { atCustomerTime, requireClock } from './test-clocks.ts';

const ITEM: ObjectSpec = { price: 'string', quantity: 'integer', metadata: 'metadata', id: 'string', deleted: 'boolean', price_data: 'hash', tax_rates: 'strings', discounts: 'hashes' };
const DAY = 86_400;
const INTERVAL_SECONDS: Record<string, number> = { day: DAY, week: 7 * DAY, month: 30 * DAY, year: 365 * DAY };

/** Stripe sends customer.subscription.trial_will_end this long before a trial ends. */
const TRIAL_WILL_END_SECONDS = 3 * DAY;
/** Trials whose trial_will_end went out (kept beside the objects: Stripe has no field for it). */
const trialWillEndSent = new WeakSet<Subscription>();
/** Subscriptions whose create request is running (their first invoice is being paid). */
const creating = new WeakSet<Subscription>();

/**
 * The end of the period starting at `start`: the first billing date after it counted from
 * `anchor` (the billing cycle anchor). Months keep the anchor's day, or the month's last day when
 * it has fewer (an anchor on the 31st bills on Feb 28, then Mar 31), as Stripe bills.
 */
export function periodEnd(start: number, price: Price, anchor = start): number {
  const recurring = price.recurring;
  if (!recurring) return start;
  const count = recurring.interval_count;
  if (recurring.interval !== 'month' && recurring.interval !== 'year') {
    const step = (INTERVAL_SECONDS[recurring.interval] ?? DAY) * count;
    return anchor + (Math.floor(Math.max(0, start - anchor) / step) + 1) * step;
  }
  const months = recurring.interval === 'month' ? count : 12 * count;
  let n = 1;
  // Bounded by the periods between anchor and start: a test clock advances at most two at a time.
  while (addMonths(anchor, n * months) <= start) n++;
  return addMonths(anchor, n * months);
}

function addMonths(time: number, months: number): number {
  const date = new Date(time * 1000);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, last));
  return Math.floor(date.getTime() / 1000);
}

function planOf(price: Price): Record<string, unknown> {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? null,
    interval_count: price.recurring?.interval_count ?? null,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: price.recurring?.trial_period_days ?? null,
    usage_type: price.recurring?.usage_type ?? 'licensed',
  };
}

function newItem(state: StripeState, subId: string, p: Params, index: number, start: number): SubscriptionItem {
  const priceId = str(p, 'price');
  if (!priceId) throw missingParam(`items[${index}][price]`);
  const price = state.prices.require(priceId, `items[${index}][price]`);
  if (!price.recurring) {
    throw invalidRequest(`The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`, `items[${index}][price]`);
  }
  return {
    id: state.ids.next('si'),
    object: 'subscription_item',
    billing_thresholds: null,
    created: start,
    current_period_end: periodEnd(start, price),
    current_period_start: start,
    // A trial from a trial offer; the twin's trials (trial_period_days, trial_end) are the subscription's.
    current_trial: null,
    discounts: [],
    metadata: metadataOf(p),
    plan: planOf(price),
    price,
    quantity: int(p, 'quantity') ?? 1,
    subscription: subId,
    tax_rates: [],
  };
}

export function setStatus(state: StripeState, sub: Subscription, status: Subscription['status'], call: ApiCall | null): void {
  state.touch(sub);
  if (sub.status === status) return;
  const previous = { status: sub.status };
  sub.status = status;
  state.emit('customer.subscription.updated', sub, call, previous);
}

/** An invoice of `sub` got paid: incomplete and past_due subscriptions become active. */
function onInvoicePaid(state: StripeState, invoice: Invoice, call: ApiCall | null): void {
  state.touch(invoice);
  const id = subscriptionIdOf(invoice);
  const sub = id ? state.subscriptions.get(id) : undefined;
  // A subscription paid as it is created is announced active by customer.subscription.created alone.
  if (sub && creating.has(sub)) return;
  if (sub && invoice.status === 'paid' && (sub.status === 'incomplete' || sub.status === 'past_due' || sub.status === 'unpaid')) {
    setStatus(state, sub, 'active', call);
  }
}

export function createSubscription(state: StripeState, p: Params, call: ApiCall | null): Subscription {
  const customer = state.customers.require(requireStr(p, 'customer'), 'customer');
  return atCustomerTime(state, customer.id, () => createAtCustomerTime(state, customer, p, call));
}

function createAtCustomerTime(state: StripeState, customer: Customer, p: Params, call: ApiCall | null): Subscription {
  const items = p.items;
  if (!Array.isArray(items) || items.length === 0) throw missingParam('items');
  const now = state.now();
  const id = state.ids.next('sub');
  const trialDays = int(p, 'trial_period_days');
  // trial_period_days=0 is no trial.
  const trialEnd = trialDays !== undefined ? (trialDays > 0 ? now + trialDays * DAY : null) : (int(p, 'trial_end') ?? null);
  if (trialDays === undefined && trialEnd !== null && (trialEnd <= now || trialEnd > now + 730 * DAY)) {
    throw invalidRequest(`Invalid timestamp: trial_end must be in the future and at most 730 days away (now is ${now}).`, 'trial_end');
  }
  if (trialDays !== undefined && (trialDays < 0 || trialDays > 730)) throw invalidRequest('trial_period_days must be between 0 and 730.', 'trial_period_days');
  const periodStart = now;
  const subItems = items.map((item, i) => newItem(state, id, (item ?? {}) as Params, i, periodStart));
  if (trialEnd !== null) for (const item of subItems) item.current_period_end = trialEnd;
  const currency = subItems[0]?.price.currency as string;
  if (subItems.some((item) => item.price.currency !== currency)) {
    throw invalidRequest('All prices on a subscription must have the same `currency`.', 'items');
  }
  const pmParam = str(p, 'default_payment_method');
  const sub: Subscription = {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: trialEnd ?? now,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: bool(p, 'cancel_at_period_end') ?? false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: (str(p, 'collection_method') ?? 'charge_automatically') as Subscription['collection_method'],
    created: now,
    currency,
    customer: customer.id,
    customer_account: null,
    days_until_due: int(p, 'days_until_due') ?? null,
    default_payment_method: pmParam ? resolvePaymentMethod(state, pmParam, 'default_payment_method').id : null,
    default_source: null,
    default_tax_rates: [],
    description: str(p, 'description') ?? null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
    items: { object: 'list', data: subItems, has_more: false, url: `/v1/subscription_items?subscription=${id}` },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: metadataOf(p),
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: str(obj(p, 'payment_settings') ?? {}, 'save_default_payment_method') ?? 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: trialEnd !== null ? 'trialing' : 'incomplete',
    test_clock: customer.test_clock,
    transfer_data: null,
    trial_end: trialEnd,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: missingPaymentMethod(p) } },
    trial_start: trialEnd !== null ? now : null,
  };
  state.subscriptions.insert(sub);
  creating.add(sub);
  try {
    chargeFirstInvoice(state, sub, customer, p, call);
  } finally {
    creating.delete(sub);
  }
  state.emit('customer.subscription.created', sub, call);
  if (trialEnd !== null && trialWillEndAt(sub) === now) sendTrialWillEnd(state, sub, call);
  return sub;
}

/** The first invoice: free in a trial, else charged now or left for the SUT (payment_behavior). */
function chargeFirstInvoice(state: StripeState, sub: Subscription, customer: Customer, p: Params, call: ApiCall | null): void {
  state.touch(sub);
  const behavior = str(p, 'payment_behavior') ?? 'allow_incomplete';
  const trialEnd = sub.trial_end;
  const invoice = createSubscriptionInvoice(state, sub, 'subscription_create', call, { items: trialEnd !== null ? 'free' : 'charge' });
  sub.latest_invoice = invoice.id;
  if (invoice.status === 'open' && sub.collection_method === 'charge_automatically') {
    const pm = sub.default_payment_method ?? customer.invoice_settings.default_payment_method;
    if (behavior === 'default_incomplete' || !pm) {
      if (!pm && behavior === 'error_if_incomplete') {
        throw invalidRequest('This customer has no attached payment source or default payment method.', undefined, 'resource_missing');
      }
      invoicePaymentIntent(state, invoice, call);
    } else {
      try {
        collectInvoice(state, invoice, pm, call);
      } catch (error) {
        if (!(error instanceof StripeApiError) || behavior === 'error_if_incomplete') throw error;
      }
      // collectInvoice may have paid it.
      if ((invoice.status as Invoice['status']) === 'paid') sub.status = 'active';
    }
  } else if (invoice.status === 'open') {
    sub.status = 'active'; // send_invoice: active while the invoice waits for payment
  }
}

function missingPaymentMethod(p: Params): string {
  const behavior = obj(obj(p, 'trial_settings') ?? {}, 'end_behavior') ?? {};
  return str(behavior, 'missing_payment_method') ?? 'create_invoice';
}

/** When customer.subscription.trial_will_end is due (at once for a trial shorter than 3 days); null when sent or no trial. */
export function trialWillEndAt(sub: Subscription): number | null {
  if (sub.status !== 'trialing' || sub.trial_end === null || trialWillEndSent.has(sub)) return null;
  return Math.max(sub.trial_end - TRIAL_WILL_END_SECONDS, sub.trial_start ?? sub.created);
}

export function sendTrialWillEnd(state: StripeState, sub: Subscription, call: ApiCall | null): void {
  trialWillEndSent.add(sub);
  state.emit('customer.subscription.trial_will_end', sub, call);
}

/** The time a `trial_end` update names, refused unless `now` or in the next 730 days of a trialing or active subscription. */
function checkTrialEnd(state: StripeState, sub: Subscription, value: ParamValue): number {
  const now = state.now();
  const at = value === 'now' ? now : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  if (at === undefined || at < now || at > now + 730 * DAY) {
    throw invalidRequest(`Invalid trial_end: must be \`now\` or a Unix timestamp in the future, at most 730 days away (now is ${now}).`, 'trial_end');
  }
  if (sub.status !== 'trialing' && sub.status !== 'active') throw invalidRequest(`A ${sub.status} subscription cannot change its trial.`, 'trial_end');
  return at;
}

/**
 * `trial_end` on update: `now` ends the trial at once (a new period starts, invoiced and charged
 * now); a later time starts or extends a trial to it (the period ends then, and is billed then).
 */
function changeTrialEnd(state: StripeState, sub: Subscription, at: number, call: ApiCall): void {
  state.touch(sub);
  const now = state.now();
  if (at === now) {
    if (sub.status !== 'trialing') return;
    sub.trial_end = now;
    startPeriodNow(state, sub, call);
    return;
  }
  sub.trial_start ??= now;
  sub.trial_end = at;
  sub.billing_cycle_anchor = at;
  sub.status = 'trialing';
  trialWillEndSent.delete(sub);
  for (const item of sub.items.data) item.current_period_end = at;
}

interface ItemChange {
  item: SubscriptionItem;
  /** Absent for an item added by this update. */
  from?: { price: Price; quantity: number };
  /** Absent for an item deleted by this update. */
  to?: { price: Price; quantity: number };
}

function updateSubscription(state: StripeState, sub: Subscription, p: Params, call: ApiCall): Subscription {
  state.touch(sub);
  // Everything that can refuse the request is checked before anything changes.
  const items = Array.isArray(p.items) ? (p.items as Params[]) : [];
  checkItems(state, sub, items);
  const pmParam = str(p, 'default_payment_method');
  const pm = pmParam ? resolvePaymentMethod(state, pmParam, 'default_payment_method') : undefined;
  const trialEnd = has(p, 'trial_end') ? checkTrialEnd(state, sub, p.trial_end ?? null) : undefined;
  const before = JSON.parse(JSON.stringify(sub)) as Subscription;
  const now = state.now();
  if (has(p, 'cancel_at_period_end')) {
    sub.cancel_at_period_end = bool(p, 'cancel_at_period_end') ?? false;
    sub.cancel_at = sub.cancel_at_period_end ? (sub.items.data[0]?.current_period_end ?? null) : null;
    // Stripe's canceled_at is the time of the request that scheduled the cancellation.
    sub.canceled_at = sub.cancel_at_period_end ? now : null;
    sub.cancellation_details = { ...sub.cancellation_details, reason: sub.cancel_at_period_end ? 'cancellation_requested' : null };
  }
  if (has(p, 'default_payment_method')) sub.default_payment_method = pm?.id ?? null;
  if (has(p, 'description')) sub.description = str(p, 'description') ?? null;
  sub.metadata = mergeMetadata(sub.metadata, p);
  if (trialEnd !== undefined) changeTrialEnd(state, sub, trialEnd, call);
  const changes = changeItems(state, sub, items);
  if (changes.length > 0) prorate(state, sub, changes, p, call);
  const previous = changedFields(before as unknown as Record<string, unknown>, sub);
  if (previous) state.emit('customer.subscription.updated', sub, call, previous);
  return sub;
}

/** Refuses `items[]` of an update as Stripe would: unknown items, missing or unfit prices. */
function checkItems(state: StripeState, sub: Subscription, items: Params[]): void {
  items.forEach((raw, i) => {
    const item = raw ?? {};
    const id = str(item, 'id');
    if (id && !sub.items.data.some((x) => x.id === id)) throw invalidRequest(`Invalid subscription item: ${id}`, `items[${i}][id]`);
    const priceId = str(item, 'price');
    if (!id && !priceId) throw missingParam(`items[${i}][price]`);
    if (!priceId) return;
    const price = state.prices.require(priceId, `items[${i}][price]`);
    if (!price.recurring) throw invalidRequest('The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.', `items[${i}][price]`);
    if (price.currency !== sub.currency) throw invalidRequest('All prices on a subscription must have the same `currency`.', `items[${i}][price]`);
  });
}

/** Applies `items[]` of an update (checked by checkItems); the changes in price or quantity, for prorations. */
function changeItems(state: StripeState, sub: Subscription, items: Params[]): ItemChange[] {
  state.touch(sub);
  const changes: ItemChange[] = [];
  items.forEach((raw, i) => {
    const item = raw ?? {};
    const id = str(item, 'id');
    const existing = id ? sub.items.data.find((x) => x.id === id) : undefined;
    if (existing && bool(item, 'deleted') === true) {
      sub.items = { ...sub.items, data: sub.items.data.filter((x) => x !== existing) };
      changes.push({ item: existing, from: { price: existing.price, quantity: existing.quantity } });
    } else if (existing) {
      const from = { price: existing.price, quantity: existing.quantity };
      if (int(item, 'quantity') !== undefined) existing.quantity = int(item, 'quantity') as number;
      const priceId = str(item, 'price');
      if (priceId) {
        const price = state.prices.require(priceId, `items[${i}][price]`);
        existing.price = price;
        existing.plan = planOf(price);
      }
      if (existing.price !== from.price || existing.quantity !== from.quantity) changes.push({ item: existing, from, to: { price: existing.price, quantity: existing.quantity } });
    } else {
      const first = sub.items.data[0];
      const added = newItem(state, sub.id, item, i, first?.current_period_start ?? state.now());
      if (first) added.current_period_end = first.current_period_end;
      sub.items = { ...sub.items, data: [...sub.items.data, added] };
      changes.push({ item: added, to: { price: added.price, quantity: added.quantity } });
    }
  });
  return changes;
}

/**
 * Prorations for changes made mid-period, as proration_behavior asks: credit for the unused time at
 * the old price and quantity, a charge for the remaining time at the new ones, each an invoice item
 * for the next invoice (create_prorations), invoiced at once (always_invoice), or none. A trial has
 * nothing to prorate. A price of another interval starts a new period now, invoiced at once.
 */
function prorate(state: StripeState, sub: Subscription, changes: ItemChange[], p: Params, call: ApiCall): void {
  state.touch(sub);
  const behavior = str(p, 'proration_behavior') ?? 'create_prorations';
  const at = int(p, 'proration_date') ?? state.now();
  const billed = sub.status === 'active' || sub.status === 'past_due' || sub.status === 'unpaid';
  const cycleReset = changes.some((c) => c.from && c.to && !sameInterval(c.from.price, c.to.price));
  if (billed && behavior !== 'none') {
    for (const change of changes) {
      const { item, from, to } = change;
      const start = item.current_period_start;
      const end = item.current_period_end;
      if (at < start || at >= end) continue;
      const fraction = (end - at) / (end - start);
      const when = new Date(at * 1000).toUTCString().slice(5, 16);
      const label = (x: { price: Price; quantity: number }): string => `${x.quantity} × ${x.price.nickname ?? x.price.product}`;
      if (from && (from.price.unit_amount ?? 0) > 0) {
        const amount = -Math.round((from.price.unit_amount ?? 0) * from.quantity * fraction);
        createProration(state, sub, { item, ...from, amount, description: `Unused time on ${label(from)} after ${when}`, period: { start: at, end } }, call);
      }
      // A new period starts now: the new price is billed whole on the invoice below.
      if (to && !cycleReset) {
        const amount = Math.round((to.price.unit_amount ?? 0) * to.quantity * fraction);
        createProration(state, sub, { item, ...to, amount, description: `Remaining time on ${label(to)} after ${when}`, period: { start: at, end } }, call);
      }
    }
  }
  if (cycleReset) {
    const now = state.now();
    for (const item of sub.items.data) {
      item.current_period_start = now;
      item.current_period_end = periodEnd(now, item.price);
    }
    sub.billing_cycle_anchor = now;
    if (sub.cancel_at_period_end) sub.cancel_at = sub.items.data[0]?.current_period_end ?? null;
  }
  if (billed && (cycleReset || behavior === 'always_invoice')) {
    const invoice = createSubscriptionInvoice(state, sub, 'subscription_update', call, { items: cycleReset ? 'charge' : false });
    sub.latest_invoice = invoice.id;
    if (invoice.status === 'open' && sub.collection_method === 'charge_automatically' && !attemptInvoicePayment(state, invoice, call)) {
      // The update stands; the unpaid invoice makes the subscription past_due (payment_behavior allow_incomplete).
      sub.status = 'past_due';
    }
  }
}

function sameInterval(a: Price, b: Price): boolean {
  return a.recurring?.interval === b.recurring?.interval && a.recurring?.interval_count === b.recurring?.interval_count;
}

/**
 * POST /v1/subscriptions/:id/resume: a paused subscription (a trial that ended without a payment
 * method, end_behavior pause) starts a new period now, invoiced and charged at once.
 */
/** Active from now: a new period for every item, invoiced and charged at once (past_due if that fails). */
function startPeriodNow(state: StripeState, sub: Subscription, call: ApiCall): void {
  state.touch(sub);
  const now = state.now();
  sub.status = 'active';
  sub.billing_cycle_anchor = now;
  for (const item of sub.items.data) {
    item.current_period_start = now;
    item.current_period_end = periodEnd(now, item.price);
  }
  const invoice = createSubscriptionInvoice(state, sub, 'subscription_update', call);
  sub.latest_invoice = invoice.id;
  if (invoice.status === 'open' && sub.collection_method === 'charge_automatically' && !attemptInvoicePayment(state, invoice, call)) sub.status = 'past_due';
}

function resumeSubscription(state: StripeState, sub: Subscription, call: ApiCall): Subscription {
  state.touch(sub);
  if (sub.status !== 'paused') throw invalidRequest(`Only a paused subscription can be resumed; this one is ${sub.status}.`, undefined, 'subscription_not_paused');
  const before = JSON.parse(JSON.stringify(sub)) as Record<string, unknown>;
  startPeriodNow(state, sub, call);
  state.emit('customer.subscription.resumed', sub, call);
  state.emit('customer.subscription.updated', sub, call, changedFields(before, sub));
  return sub;
}

/** The subscription ends on its own: a scheduled cancellation reached, or its payment retries spent. */
export function endSubscription(state: StripeState, sub: Subscription, reason: 'cancellation_requested' | 'payment_failed'): void {
  state.touch(sub);
  const now = state.now();
  sub.status = 'canceled';
  sub.ended_at = now;
  sub.canceled_at ??= now;
  sub.cancellation_details = { ...sub.cancellation_details, reason };
  state.emit('customer.subscription.deleted', sub, null);
}

export function cancelSubscription(state: StripeState, sub: Subscription, p: Params, call: ApiCall | null): Subscription {
  state.touch(sub);
  if (sub.status === 'canceled') {
    throw invalidRequest(`A canceled subscription can only update its cancellation_details and metadata.`, undefined, 'resource_missing');
  }
  const now = state.now();
  sub.status = 'canceled';
  sub.canceled_at = now;
  sub.ended_at = now;
  const details = obj(p, 'cancellation_details');
  sub.cancellation_details = { comment: str(details ?? {}, 'comment') ?? null, feedback: str(details ?? {}, 'feedback') ?? null, feedback_option: null, reason: 'cancellation_requested' };
  state.emit('customer.subscription.deleted', sub, call);
  return sub;
}

/** Runs `work` at the time of the subscription's customer (its test clock's, or now). */
function atSubscriptionTime<T>(state: StripeState, sub: Subscription, work: (sub: Subscription) => T): T {
  return atCustomerTime(state, sub.customer, () => work(sub));
}

export function subscriptionRoutes(state: StripeState): Route[] {
  const paid = (invoice: Invoice, call: ApiCall | null): void => onInvoicePaid(state, invoice, call);
  watchInvoicePayments(state, paid);
  const byId = (s: StripeState, call: ApiCall): Subscription => s.subscriptions.require(call.pathParams.id, 'subscription');
  return [
    {
      method: 'POST',
      path: '/v1/subscriptions',
      stripeParams: 'SubscriptionCreateParams',
      params: {
        customer: 'string',
        items: [ITEM],
        default_payment_method: 'string',
        payment_behavior: 'string',
        trial_period_days: 'integer',
        trial_end: 'integer',
        metadata: 'metadata',
        collection_method: 'string',
        days_until_due: 'integer',
        cancel_at_period_end: 'boolean',
        description: 'string',
        off_session: 'boolean',
        payment_settings: 'hash',
        automatic_tax: 'hash',
        proration_behavior: 'string',
        currency: 'currency',
        trial_settings: { end_behavior: { missing_payment_method: 'string' } },
      },
      handle: (call, s) => createSubscription(s, call.params, call),
    },
    { method: 'GET', path: '/v1/subscriptions/:id', params: {}, handle: (call, s) => byId(s, call) },
    {
      method: 'POST',
      path: '/v1/subscriptions/:id/resume',
      params: { billing_cycle_anchor: 'string' },
      handle: (call, s) => {
        // `unchanged` would keep the old anchor and prorate; the twin restarts the period, as `now` does.
        if (str(call.params, 'billing_cycle_anchor') === 'unchanged') throw invalidRequest('The twin resumes with billing_cycle_anchor=now only.', 'billing_cycle_anchor');
        return atSubscriptionTime(s, byId(s, call), (sub) => resumeSubscription(s, sub, call));
      },
    },
    {
      method: 'POST',
      path: '/v1/subscriptions/:id',
      stripeParams: 'SubscriptionUpdateParams',
      params: {
        cancel_at_period_end: 'boolean',
        default_payment_method: 'string',
        description: 'string',
        metadata: 'metadata',
        items: [ITEM],
        proration_behavior: 'string',
        proration_date: 'integer',
        payment_behavior: 'string',
        trial_end: 'any',
      },
      handle: (call, s) => atSubscriptionTime(s, byId(s, call), (sub) => updateSubscription(s, sub, call.params, call)),
    },
    {
      method: 'DELETE',
      path: '/v1/subscriptions/:id',
      stripeParams: 'SubscriptionCancelParams',
      params: { cancellation_details: { comment: 'string', feedback: 'string' }, invoice_now: 'boolean', prorate: 'boolean' },
      handle: (call, s) => atSubscriptionTime(s, byId(s, call), (sub) => cancelSubscription(s, sub, call.params, call)),
    },
    {
      method: 'GET',
      path: '/v1/subscriptions',
      stripeParams: 'SubscriptionListParams',
      params: { ...LIST_PARAMS, customer: 'string', price: 'string', status: 'string', collection_method: 'string', test_clock: 'string' },
      handle: ({ params }, s) => {
        const customer = str(params, 'customer');
        const price = str(params, 'price');
        const status = str(params, 'status');
        const clock = str(params, 'test_clock');
        if (clock !== undefined) requireClock(s, clock);
        const created = createdFilter(params);
        return s.subscriptions.list('/v1/subscriptions', listOptions(params), (sub) =>
          (customer === undefined || sub.customer === customer) &&
          // Without customer or test_clock, Stripe leaves out the subscriptions of test clocks.
          (clock !== undefined ? sub.test_clock === clock : customer !== undefined || sub.test_clock === null) &&
          (price === undefined || sub.items.data.some((i) => i.price.id === price)) &&
          // Stripe leaves canceled subscriptions out unless asked for them (or for `all`).
          (status === 'all' || (status === undefined ? sub.status !== 'canceled' : sub.status === status)) &&
          created(sub),
        );
      },
    },
    ...invoiceRoutes(paid),
  ];
}
