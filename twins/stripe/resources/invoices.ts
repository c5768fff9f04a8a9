// Invoices as subscriptions make them: built from the subscription's items, finalized, and paid by
// a PaymentIntent charged off session (or confirmed by the SUT for `default_incomplete`). Shapes
// follow API versions from 2025-03-31 on: the PaymentIntent is reached through the includable
// `payments` and `confirmation_secret`, the subscription through `parent`.
// Standalone invoices (POST /v1/invoices, invoice items) are not implemented.
// @see https://docs.stripe.com/api/invoices
import { StripeApiError, invalidRequest, unexpectedState } from '../errors.ts';
import { createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, mergeMetadata, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { Invoice, PaymentIntent, Subscription } from '../stripe-objects.ts';
import { confirmPaymentIntent, createPaymentIntent } from './payment-intents.ts';

/** An open (finalized) invoice for a subscription's current period. */
export function createSubscriptionInvoice(state: StripeState, sub: Subscription, billingReason: string, call: ApiCall | null, amountOverride?: number): Invoice {
  const customer = state.customers.require(sub.customer, 'customer');
  const now = state.now();
  const id = state.ids.next('in');
  const lines = sub.items.data.map((item) => {
    const amount = amountOverride === 0 ? 0 : (item.price.unit_amount ?? 0) * item.quantity;
    return {
      id: state.ids.next('il'),
      object: 'line_item',
      amount,
      currency: sub.currency,
      description: `${item.quantity} × ${item.price.nickname ?? item.price.product} (at $${((item.price.unit_amount ?? 0) / 100).toFixed(2)} / ${item.price.recurring?.interval ?? 'once'})`,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      livemode: false,
      metadata: {},
      parent: {
        invoice_item_details: null,
        subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: item.id },
        type: 'subscription_item_details',
      },
      period: { end: item.current_period_end, start: item.current_period_start },
      pretax_credit_amounts: [],
      pricing: { price_details: { price: item.price.id, product: item.price.product }, type: 'price_details', unit_amount_decimal: item.price.unit_amount_decimal },
      quantity: item.quantity,
      quantity_decimal: String(item.quantity),
      subscription: sub.id,
      subtotal: amount,
      taxes: [],
    };
  });
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const period = sub.items.data[0];
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
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
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
    due_date: sub.collection_method === 'send_invoice' ? now + (sub.days_until_due ?? 30) * 86_400 : null,
    effective_at: now,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: `${state.baseUrl}/_standin/invoices/${id}`,
    invoice_pdf: `${state.baseUrl}/_standin/invoices/${id}/pdf`,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: `${customer.invoice_prefix}-${String(customer.next_invoice_sequence++).padStart(4, '0')}`,
    on_behalf_of: null,
    parent: { quote_details: null, subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id }, type: 'subscription_details' },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: period?.current_period_start ?? now,
    period_start: period?.current_period_start ?? now,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'open',
    status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: now,
  };
  state.invoices.insert(invoice);
  state.emit('invoice.created', invoice, call);
  state.emit('invoice.finalized', invoice, call);
  if (total === 0) markPaid(state, invoice, call);
  return invoice;
}

/** The PaymentIntent that collects an invoice, made on first need. */
export function invoicePaymentIntent(state: StripeState, invoice: Invoice, call: ApiCall | null): PaymentIntent {
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
  const pi = invoicePaymentIntent(state, invoice, call);
  invoice.attempted = true;
  invoice.attempt_count++;
  try {
    confirmPaymentIntent(state, pi, { payment_method: paymentMethod, off_session: true }, call);
  } catch (error) {
    if (error instanceof StripeApiError && error.fields.type === 'card_error') {
      invoice.next_payment_attempt = state.now() + 3 * 86_400;
      state.emit('invoice.payment_failed', invoice, call);
    }
    throw error;
  }
}

/** Marks invoices paid when the PaymentIntent behind them succeeds, however it was confirmed. */
export function watchInvoicePayments(state: StripeState, onPaid: (invoice: Invoice, call: ApiCall | null) => void): void {
  state.onEvent((event, object) => {
    if (event.type !== 'payment_intent.succeeded') return;
    for (const [invoiceId, piId] of state.invoicePayments) {
      if (piId !== object.id) continue;
      const invoice = state.invoices.get(invoiceId);
      if (invoice && invoice.status === 'open') {
        markPaid(state, invoice, null);
        onPaid(invoice, null);
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
        if (invoice.status !== 'open') throw unexpectedState(`Invoice is already ${invoice.status}.`, 'invoice_not_editable');
        if (bool(call.params, 'paid_out_of_band') === true) {
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
      },
    },
    {
      method: 'POST',
      path: '/v1/invoices/:id/void',
      params: {},
      handle: (call, state) => {
        const invoice = state.invoices.require(call.pathParams.id, 'invoice');
        if (invoice.status !== 'open') throw unexpectedState(`You can only void open invoices; this one is ${invoice.status}.`, 'invoice_not_editable');
        invoice.status = 'void';
        invoice.amount_remaining = 0;
        invoice.status_transitions.voided_at = state.now();
        state.emit('invoice.voided', invoice, call);
        return invoice;
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

export function subscriptionIdOf(invoice: Invoice): string | undefined {
  return invoice.parent?.subscription_details?.subscription ?? undefined;
}

function subscriptionOf(state: StripeState, invoice: Invoice): Subscription | undefined {
  const id = subscriptionIdOf(invoice);
  return id ? state.subscriptions.get(id) : undefined;
}
