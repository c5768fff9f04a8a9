// Subscriptions (a stretch of issue 6, in its simple form): create with recurring prices, the first
// invoice charged to the default payment method at once (or left for the SUT to confirm with
// payment_behavior=default_incomplete), trials, update, cancel now or at period end, list.
// Periods do not advance by themselves: there are no test clocks and no renewals.
// @see https://docs.stripe.com/api/subscriptions and https://docs.stripe.com/billing/subscriptions/overview
import { StripeApiError, invalidRequest, missingParam } from '../errors.ts';
import { changedFields, createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, int, mergeMetadata, metadataOf, obj, requireStr, str, type ObjectSpec, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { Invoice, Price, Subscription, SubscriptionItem } from '../stripe-objects.ts';
import { collectInvoice, createSubscriptionInvoice, invoicePaymentIntent, invoiceRoutes, subscriptionIdOf, watchInvoicePayments } from './invoices.ts';
import { resolvePaymentMethod } from './payment-methods.ts';

const ITEM: ObjectSpec = { price: 'string', quantity: 'integer', metadata: 'metadata', id: 'string', deleted: 'boolean', price_data: 'hash', tax_rates: 'strings', discounts: 'hashes' };
const DAY = 86_400;
const INTERVAL_SECONDS: Record<string, number> = { day: DAY, week: 7 * DAY, month: 30 * DAY, year: 365 * DAY };

function periodEnd(start: number, price: Price): number {
  const recurring = price.recurring;
  if (!recurring) return start;
  if (recurring.interval === 'month' || recurring.interval === 'year') {
    const date = new Date(start * 1000);
    if (recurring.interval === 'month') date.setUTCMonth(date.getUTCMonth() + recurring.interval_count);
    else date.setUTCFullYear(date.getUTCFullYear() + recurring.interval_count);
    return Math.floor(date.getTime() / 1000);
  }
  return start + (INTERVAL_SECONDS[recurring.interval] ?? DAY) * recurring.interval_count;
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

function setStatus(state: StripeState, sub: Subscription, status: Subscription['status'], call: ApiCall | null): void {
  if (sub.status === status) return;
  const previous = { status: sub.status };
  sub.status = status;
  state.emit('customer.subscription.updated', sub, call, previous);
}

/** An invoice of `sub` got paid: incomplete and past_due subscriptions become active. */
function onInvoicePaid(state: StripeState, invoice: Invoice, call: ApiCall | null): void {
  const id = subscriptionIdOf(invoice);
  const sub = id ? state.subscriptions.get(id) : undefined;
  if (sub && invoice.status === 'paid' && (sub.status === 'incomplete' || sub.status === 'past_due' || sub.status === 'unpaid')) {
    setStatus(state, sub, 'active', call);
  }
}

export function createSubscription(state: StripeState, p: Params, call: ApiCall | null): Subscription {
  const customer = state.customers.require(requireStr(p, 'customer'), 'customer');
  const items = p.items;
  if (!Array.isArray(items) || items.length === 0) throw missingParam('items');
  const now = state.now();
  const id = state.ids.next('sub');
  const trialDays = int(p, 'trial_period_days');
  const trialEnd = trialDays !== undefined ? now + trialDays * DAY : (int(p, 'trial_end') ?? null);
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
    test_clock: null,
    transfer_data: null,
    trial_end: trialEnd,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' } },
    trial_start: trialEnd !== null ? now : null,
  };
  const behavior = str(p, 'payment_behavior') ?? 'allow_incomplete';
  state.subscriptions.insert(sub);
  const invoice = createSubscriptionInvoice(state, sub, 'subscription_create', call, trialEnd !== null ? 0 : undefined);
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
  state.emit('customer.subscription.created', sub, call);
  return sub;
}

function updateSubscription(state: StripeState, sub: Subscription, p: Params, call: ApiCall): Subscription {
  const before = { ...sub };
  if (has(p, 'cancel_at_period_end')) {
    sub.cancel_at_period_end = bool(p, 'cancel_at_period_end') ?? false;
    sub.cancel_at = sub.cancel_at_period_end ? (sub.items.data[0]?.current_period_end ?? null) : null;
  }
  if (has(p, 'default_payment_method')) {
    const pm = str(p, 'default_payment_method');
    sub.default_payment_method = pm ? resolvePaymentMethod(state, pm, 'default_payment_method').id : null;
  }
  if (has(p, 'description')) sub.description = str(p, 'description') ?? null;
  sub.metadata = mergeMetadata(sub.metadata, p);
  const items = p.items;
  if (Array.isArray(items)) {
    // Quantity and price changes take effect from the next period: no prorations.
    items.forEach((raw, i) => {
      const item = (raw ?? {}) as Params;
      const existing = str(item, 'id') ? sub.items.data.find((x) => x.id === str(item, 'id')) : undefined;
      if (str(item, 'id') && !existing) throw invalidRequest(`Invalid subscription item: ${str(item, 'id')}`, `items[${i}][id]`);
      if (existing && bool(item, 'deleted') === true) {
        sub.items = { ...sub.items, data: sub.items.data.filter((x) => x !== existing) };
      } else if (existing) {
        if (int(item, 'quantity') !== undefined) existing.quantity = int(item, 'quantity') as number;
        if (str(item, 'price')) {
          existing.price = state.prices.require(str(item, 'price') as string, `items[${i}][price]`);
          existing.plan = planOf(existing.price);
        }
      } else {
        const start = sub.items.data[0]?.current_period_start ?? state.now();
        sub.items = { ...sub.items, data: [...sub.items.data, newItem(state, sub.id, item, i, start)] };
      }
    });
  }
  const previous = changedFields(before, sub);
  if (previous) state.emit('customer.subscription.updated', sub, call, previous);
  return sub;
}

export function cancelSubscription(state: StripeState, sub: Subscription, p: Params, call: ApiCall | null): Subscription {
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
      },
      handle: (call, s) => createSubscription(s, call.params, call),
    },
    { method: 'GET', path: '/v1/subscriptions/:id', params: {}, handle: (call, s) => byId(s, call) },
    {
      method: 'POST',
      path: '/v1/subscriptions/:id',
      stripeParams: 'SubscriptionUpdateParams',
      params: { cancel_at_period_end: 'boolean', default_payment_method: 'string', description: 'string', metadata: 'metadata', items: [ITEM], proration_behavior: 'string', payment_behavior: 'string' },
      handle: (call, s) => updateSubscription(s, byId(s, call), call.params, call),
    },
    {
      method: 'DELETE',
      path: '/v1/subscriptions/:id',
      stripeParams: 'SubscriptionCancelParams',
      params: { cancellation_details: { comment: 'string', feedback: 'string' }, invoice_now: 'boolean', prorate: 'boolean' },
      handle: (call, s) => cancelSubscription(s, byId(s, call), call.params, call),
    },
    {
      method: 'GET',
      path: '/v1/subscriptions',
      stripeParams: 'SubscriptionListParams',
      params: { ...LIST_PARAMS, customer: 'string', price: 'string', status: 'string', collection_method: 'string' },
      handle: ({ params }, s) => {
        const customer = str(params, 'customer');
        const price = str(params, 'price');
        const status = str(params, 'status');
        const created = createdFilter(params);
        return s.subscriptions.list('/v1/subscriptions', listOptions(params), (sub) =>
          (customer === undefined || sub.customer === customer) &&
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
