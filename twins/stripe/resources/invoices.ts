// Invoices as subscriptions make them: built from the subscription's items and pending prorations
// (invoice-items.ts), finalized (a renewal stays a draft for an hour first, billing-clock.ts), and
// paid by a PaymentIntent charged off session (or confirmed by the SUT for `default_incomplete`);
// failed automatic attempts are retried on RETRY_DAYS. Shapes follow API versions from 2025-03-31
// on: the PaymentIntent is reached through the includable `payments` and `confirmation_secret`, the
// subscription through `parent`. Standalone invoices (POST /v1/invoices) are not implemented.
// @see https://docs.stripe.com/api/invoices
import { StripeApiError, invalidRequest, unexpectedState } from '../errors.ts';
import { createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, mergeMetadata, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { Invoice, InvoiceItem, PaymentIntent, Subscription, SubscriptionItem } from '../stripe-objects.ts';
import { confirmPaymentIntent, createPaymentIntent } from './payment-intents.ts';
import { atCustomerTime } from './test-clocks.ts';

/** How long a renewal invoice stays a draft before it is finalized and charged (Stripe's hour). */
const DRAFT_SECONDS = 3600;

/**
 * Days after a failed automatic attempt that the next one is made: Standin's fixed schedule in
 * place of Smart Retries (four attempts over 15 days). After the last, billing-clock.ts ends the
 * subscription as Stripe's default "if all retries fail" setting does.
 */
const RETRY_DAYS = [3, 5, 7] as const;

type Line = Record<string, unknown> & { amount: number };

/** The line of a subscription item for the period `period`. */
function itemLine(state: StripeState, sub: Subscription, item: SubscriptionItem, invoiceId: string, period: { start: number; end: number }, zero: boolean): Line {
  const amount = zero ? 0 : (item.price.unit_amount ?? 0) * item.quantity;
  return {
    id: state.ids.next('il'),
    object: 'line_item',
    amount,
    currency: sub.currency,
    description: `${item.quantity} × ${item.price.nickname ?? item.price.product} (${zero ? 'Trial period' : `at $${((item.price.unit_amount ?? 0) / 100).toFixed(2)} / ${item.price.recurring?.interval ?? 'once'}`})`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: {
      invoice_item_details: null,
      subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: item.id },
      type: 'subscription_item_details',
    },
    period,
    pretax_credit_amounts: [],
    pricing: { price_details: { price: item.price.id, product: item.price.product }, type: 'price_details', unit_amount_decimal: item.price.unit_amount_decimal },
    quantity: item.quantity,
    quantity_decimal: String(item.quantity),
    subscription: sub.id,
    subtotal: amount,
    taxes: [],
  };
}

/** The line of a pending invoice item (a proration) as it lands on `invoiceId`. */
function invoiceItemLine(state: StripeState, item: InvoiceItem, invoiceId: string): Line {
  const sub = item.parent?.subscription_details?.subscription ?? null;
  return {
    id: state.ids.next('il'),
    object: 'line_item',
    amount: item.amount,
    currency: item.currency,
    description: item.description,
    discount_amounts: [],
    discountable: item.discountable,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: { ...item.metadata },
    parent: {
      invoice_item_details: { invoice_item: item.id, proration: item.proration, proration_details: { credited_items: null }, subscription: sub },
      subscription_item_details: null,
      type: 'invoice_item_details',
    },
    period: { ...item.period },
    pretax_credit_amounts: [],
    pricing: item.pricing ? { ...item.pricing, price_details: { ...item.pricing.price_details } } : null,
    quantity: item.quantity,
    quantity_decimal: item.quantity_decimal,
    subscription: sub,
    subtotal: item.amount,
    taxes: [],
  };
}

export interface InvoiceOptions {
  /** The invoice's period (Stripe bills a renewal for the period that just ended). */
  period?: { start: number; end: number };
  /** Lines for the subscription's items (a trial's are free); false leaves them off (an update invoicing prorations only). */
  items?: 'charge' | 'free' | false;
  /** Stay a draft until billing-clock.ts finalizes it DRAFT_SECONDS later, as renewals do. */
  draft?: boolean;
  /** false: a draft left for the SUT to finalize (an unpaid subscription's renewals). */
  autoAdvance?: boolean;
}

/**
 * An invoice for `sub`: its items for the current period and the subscription's pending invoice
 * items (prorations), which it takes. Finalized at once unless `draft`.
 */
export function createSubscriptionInvoice(state: StripeState, sub: Subscription, billingReason: string, call: ApiCall | null, options: InvoiceOptions = {}): Invoice {
  state.touch(sub);
  const customer = state.customers.require(sub.customer, 'customer');
  const now = state.now();
  const id = state.ids.next('in');
  const current = sub.items.data[0];
  const itemLines = options.items === false
    ? []
    : sub.items.data.map((item) => itemLine(state, sub, item, id, { start: item.current_period_start, end: item.current_period_end }, options.items === 'free'));
  const pending = state.invoiceItems.all().filter((ii) => ii.invoice === null && ii.parent?.subscription_details?.subscription === sub.id);
  for (const ii of pending) ii.invoice = id;
  const lines = [...pending.map((ii) => invoiceItemLine(state, ii, id)), ...itemLines];
  // A credit larger than the charges leaves nothing to pay (Stripe would credit the balance).
  const total = Math.max(0, lines.reduce((sum, line) => sum + line.amount, 0));
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const period = options.period ?? { start: current?.current_period_start ?? now, end: current?.current_period_start ?? now };
  const invoice: Invoice = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Standin',
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: options.autoAdvance ?? true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: options.draft && options.autoAdvance !== false ? now + DRAFT_SECONDS : null,
    billing_reason: billingReason,
    collection_method: sub.collection_method,
    created: now,
    currency: sub.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: customer.address,
    customer_email: customer.email,
    customer_name: customer.name,
    customer_phone: customer.phone,
    customer_shipping: customer.shipping,
    customer_tax_exempt: customer.tax_exempt,
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: { quote_details: null, subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id }, type: 'subscription_details' },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: period.end,
    period_start: period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal,
    subtotal_excluding_tax: subtotal,
    test_clock: customer.test_clock,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: now,
  };
  state.invoices.insert(invoice);
  state.emit('invoice.created', invoice, call);
  if (!options.draft) finalizeInvoice(state, invoice, call);
  return invoice;
}

/** draft → open: numbered, payable; an invoice of nothing is paid at once. */
export function finalizeInvoice(state: StripeState, invoice: Invoice, call: ApiCall | null): void {
  state.touch(invoice);
  const customer = state.customers.require(invoice.customer, 'customer');
  const now = state.now();
  const sub = subscriptionOf(state, invoice);
  invoice.status = 'open';
  invoice.number = `${customer.invoice_prefix}-${String(customer.next_invoice_sequence++).padStart(4, '0')}`;
  invoice.automatically_finalizes_at = null;
  invoice.effective_at = now;
  invoice.ending_balance = 0;
  invoice.status_transitions.finalized_at = now;
  invoice.hosted_invoice_url = `${state.baseUrl}/_standin/invoices/${invoice.id}`;
  invoice.invoice_pdf = `${state.baseUrl}/_standin/invoices/${invoice.id}/pdf`;
  if (invoice.collection_method === 'send_invoice') invoice.due_date = now + (sub?.days_until_due ?? 30) * 86_400;
  state.emit('invoice.finalized', invoice, call);
  if (invoice.total === 0) markPaid(state, invoice, call);
}

/**
 * An automatic attempt to collect `invoice` with the default payment method (the subscription's,
 * else the customer's). True when it got paid; a decline or no payment method is a failed attempt.
 */
export function attemptInvoicePayment(state: StripeState, invoice: Invoice, call: ApiCall | null): boolean {
  state.touch(invoice);
  const customer = state.customers.require(invoice.customer, 'customer');
  const pm = invoice.default_payment_method ?? subscriptionOf(state, invoice)?.default_payment_method ?? customer.invoice_settings.default_payment_method;
  if (!pm) {
    invoice.attempted = true;
    invoice.attempt_count++;
    invoice.next_payment_attempt = nextAttemptAt(state, invoice);
    state.emit('invoice.payment_failed', invoice, call);
    return false;
  }
  try {
    collectInvoice(state, invoice, pm, call);
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    // collectInvoice answered a decline itself; anything else (a detached payment method…) fails the attempt here.
    if (error.fields.type !== 'card_error') {
      invoice.next_payment_attempt = nextAttemptAt(state, invoice);
      state.emit('invoice.payment_failed', invoice, call);
    }
    return false;
  }
  return (invoice.status as Invoice['status']) === 'paid';
}

/** When the next automatic attempt is due after a failed one; null once the schedule is spent. */
function nextAttemptAt(state: StripeState, invoice: Invoice): number | null {
  // A subscription's first invoice is left for the customer to pay (incomplete), not retried.
  if (invoice.billing_reason === 'subscription_create' || invoice.collection_method !== 'charge_automatically') return null;
  const days = RETRY_DAYS[invoice.attempt_count - 1];
  return days === undefined ? null : state.now() + days * 86_400;
}

/** The PaymentIntent that collects an invoice, made on first need. */
export function invoicePaymentIntent(state: StripeState, invoice: Invoice, call: ApiCall | null): PaymentIntent {
  state.touch(invoice);
  const existing = state.invoicePayments.get(invoice.id);
  if (existing) return state.paymentIntents.require(existing);
  const pi = createPaymentIntent(
    state,
    { amount: invoice.amount_remaining, currency: invoice.currency, customer: invoice.customer, description: `Invoice ${invoice.number}`, setup_future_usage: 'off_session' },
    call,
  );
  state.invoicePayments.set(invoice.id, pi.id);
  return pi;
}

export function markPaid(state: StripeState, invoice: Invoice, call: ApiCall | null): void {
  state.touch(invoice);
  invoice.status = 'paid';
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.attempted = invoice.amount_due > 0 || invoice.attempted;
  invoice.status_transitions.paid_at = state.now();
  invoice.next_payment_attempt = null;
  state.emit('invoice.paid', invoice, call);
  state.emit('invoice.payment_succeeded', invoice, call);
}

/**
 * Charges the invoice with `paymentMethod` off session. A decline leaves the invoice open
 * (attempt_count up, invoice.payment_failed) and is thrown for the caller to decide.
 */
export function collectInvoice(state: StripeState, invoice: Invoice, paymentMethod: string, call: ApiCall | null): void {
  state.touch(invoice);
  const pi = invoicePaymentIntent(state, invoice, call);
  invoice.attempted = true;
  invoice.attempt_count++;
  try {
    confirmPaymentIntent(state, pi, { payment_method: paymentMethod, off_session: true }, call);
  } catch (error) {
    if (error instanceof StripeApiError && error.fields.type === 'card_error') {
      invoice.next_payment_attempt = nextAttemptAt(state, invoice);
      state.emit('invoice.payment_failed', invoice, call);
    }
    throw error;
  }
}

export function voidInvoice(state: StripeState, invoice: Invoice, call: ApiCall | null): Invoice {
  state.touch(invoice);
  invoice.status = 'void';
  invoice.amount_remaining = 0;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.voided_at = state.now();
  state.emit('invoice.voided', invoice, call);
  return invoice;
}

/** Marks invoices paid when the PaymentIntent behind them succeeds, however it was confirmed. */
export function watchInvoicePayments(state: StripeState, onPaid: (invoice: Invoice, call: ApiCall | null) => void): void {
  state.onEvent((event, object) => {
    if (event.type !== 'payment_intent.succeeded') return;
    for (const [invoiceId, piId] of state.invoicePayments) {
      if (piId !== object.id) continue;
      const invoice = state.invoices.get(invoiceId);
      if (invoice && invoice.status === 'open') {
        // Paid at the customer's time: a test clock's invoice confirmed by the SUT too.
        atCustomerTime(state, invoice.customer, () => {
          markPaid(state, invoice, null);
          onPaid(invoice, null);
        });
      }
    }
  });
  state.includable.set('invoice.payments', (id, s) => {
    const piId = s.invoicePayments.get(id);
    const invoice = s.invoices.get(id);
    const data = piId && invoice
      ? [
          {
            id: `inpay_${piId.slice(3)}`,
            object: 'invoice_payment',
            amount_paid: invoice.amount_paid,
            amount_requested: invoice.amount_due,
            created: invoice.created,
            currency: invoice.currency,
            invoice: id,
            is_default: true,
            livemode: false,
            payment: { payment_intent: piId, type: 'payment_intent' },
            status: invoice.status === 'paid' ? 'paid' : 'open',
            status_transitions: { canceled_at: null, paid_at: invoice.status_transitions.paid_at },
          },
        ]
      : [];
    return { object: 'list', data, has_more: false, url: `/v1/invoice_payments?invoice=${id}` };
  });
  state.includable.set('invoice.confirmation_secret', (id, s) => {
    const invoice = s.invoices.get(id);
    if (!invoice || invoice.status !== 'open' || invoice.amount_remaining === 0) return null;
    const pi = invoicePaymentIntent(s, invoice, null);
    return { client_secret: pi.client_secret, type: 'payment_intent' };
  });
}

export function invoiceRoutes(onPaid: (invoice: Invoice, call: ApiCall | null) => void): Route[] {
  return [
    { method: 'GET', path: '/v1/invoices/:id', params: {}, handle: ({ pathParams }, state) => state.invoices.require(pathParams.id, 'invoice') },
    {
      method: 'POST',
      path: '/v1/invoices/:id',
      params: { metadata: 'metadata', description: 'string', footer: 'string', auto_advance: 'boolean' },
      handle: (call, state) => {
        const invoice = state.invoices.require(call.pathParams.id, 'invoice');
        const p = call.params;
        if (has(p, 'description')) invoice.description = str(p, 'description') ?? null;
        if (has(p, 'footer')) invoice.footer = str(p, 'footer') ?? null;
        if (bool(p, 'auto_advance') !== undefined) invoice.auto_advance = bool(p, 'auto_advance') as boolean;
        invoice.metadata = mergeMetadata(invoice.metadata, p);
        state.emit('invoice.updated', invoice, call);
        return invoice;
      },
    },
    {
      method: 'POST',
      path: '/v1/invoices/:id/pay',
      params: { payment_method: 'string', off_session: 'boolean', paid_out_of_band: 'boolean', forgive: 'boolean', source: 'string', mandate: 'string' },
      handle: (call, state) => {
        const invoice = state.invoices.require(call.pathParams.id, 'invoice');
        return atCustomerTime(state, invoice.customer, () => payInvoice(state, invoice, call, onPaid));
      },
    },
    {
      method: 'POST',
      path: '/v1/invoices/:id/finalize',
      params: { auto_advance: 'boolean' },
      handle: (call, state) => {
        const invoice = state.invoices.require(call.pathParams.id, 'invoice');
        if (invoice.status !== 'draft') throw unexpectedState(`This invoice is already finalized; its status is ${invoice.status}.`, 'invoice_not_editable');
        if (bool(call.params, 'auto_advance') !== undefined) invoice.auto_advance = bool(call.params, 'auto_advance') as boolean;
        atCustomerTime(state, invoice.customer, () => finalizeInvoice(state, invoice, call));
        // An invoice of nothing is paid as it is finalized.
        if ((invoice.status as Invoice['status']) === 'paid') onPaid(invoice, call);
        return invoice;
      },
    },
    {
      method: 'POST',
      path: '/v1/invoices/:id/void',
      params: {},
      handle: (call, state) => {
        const invoice = state.invoices.require(call.pathParams.id, 'invoice');
        if (invoice.status !== 'open') throw unexpectedState(`You can only void open invoices; this one is ${invoice.status}.`, 'invoice_not_editable');
        return atCustomerTime(state, invoice.customer, () => voidInvoice(state, invoice, call));
      },
    },
    {
      method: 'GET',
      path: '/v1/invoices',
      stripeParams: 'InvoiceListParams',
      params: { ...LIST_PARAMS, customer: 'string', subscription: 'string', status: 'string', collection_method: 'string', due_date: 'any' },
      handle: ({ params }, state) => {
        const customer = str(params, 'customer');
        const subscription = str(params, 'subscription');
        const status = str(params, 'status');
        const created = createdFilter(params);
        return state.invoices.list('/v1/invoices', listOptions(params), (i) =>
          (customer === undefined || i.customer === customer) &&
          (subscription === undefined || subscriptionIdOf(i) === subscription) &&
          (status === undefined || i.status === status) &&
          created(i),
        );
      },
    },
  ];
}

/** POST /v1/invoices/:id/pay: a draft is finalized first, as Stripe does. */
function payInvoice(state: StripeState, invoice: Invoice, call: ApiCall, onPaid: (invoice: Invoice, call: ApiCall | null) => void): Invoice {
  state.touch(invoice);
  if (invoice.status !== 'open' && invoice.status !== 'draft') throw unexpectedState(`Invoice is already ${invoice.status}.`, 'invoice_not_editable');
  if (invoice.status === 'draft') finalizeInvoice(state, invoice, call);
  if ((invoice.status as Invoice['status']) === 'paid') {
    // Finalized with nothing to pay.
  } else if (bool(call.params, 'paid_out_of_band') === true) {
    markPaid(state, invoice, call);
  } else {
    const customer = state.customers.require(invoice.customer);
    const sub = subscriptionOf(state, invoice);
    const pm = str(call.params, 'payment_method') ?? sub?.default_payment_method ?? customer.invoice_settings.default_payment_method;
    if (!pm) {
      throw invalidRequest('This customer has no attached payment source or default payment method.', undefined, 'invoice_no_customer_payment_method');
    }
    collectInvoice(state, invoice, pm, call);
  }
  onPaid(invoice, call);
  return invoice;
}

export function subscriptionIdOf(invoice: Invoice): string | undefined {
  return invoice.parent?.subscription_details?.subscription ?? undefined;
}

export function subscriptionOf(state: StripeState, invoice: Invoice): Subscription | undefined {
  const id = subscriptionIdOf(invoice);
  return id ? state.subscriptions.get(id) : undefined;
}
