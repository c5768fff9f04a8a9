// The billing objects this twin stores: subscriptions and their items, invoices, invoice items and
// test clocks (resources/subscriptions.ts, invoices.ts, test-clocks.ts; billing-clock.ts). Typed as
// stripe-objects.ts types the rest, and re-exported from there.
import type { Json, Metadata, Price, StripeList, StripeObject } from './stripe-objects.ts';

export interface SubscriptionItem extends StripeObject {
  object: 'subscription_item';
  billing_thresholds: null;
  created: number;
  current_period_end: number;
  current_period_start: number;
  current_trial: null;
  discounts: unknown[];
  metadata: Metadata;
  plan: Json;
  price: Price;
  quantity: number;
  subscription: string;
  tax_rates: unknown[];
}

export type SubscriptionStatus = 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused';

export interface Subscription extends StripeObject {
  object: 'subscription';
  application: null;
  application_fee_percent: null;
  automatic_tax: Json;
  billing_cycle_anchor: number;
  billing_cycle_anchor_config: null;
  billing_mode: Json;
  billing_schedules: unknown[];
  billing_thresholds: null;
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  cancellation_details: { comment: string | null; feedback: string | null; feedback_option: null; reason: string | null };
  collection_method: 'charge_automatically' | 'send_invoice';
  created: number;
  currency: string;
  customer: string;
  customer_account: null;
  days_until_due: number | null;
  default_payment_method: string | null;
  default_source: null;
  default_tax_rates: unknown[];
  description: string | null;
  discounts: unknown[];
  ended_at: number | null;
  invoice_settings: Json;
  items: StripeList<SubscriptionItem>;
  latest_invoice: string | null;
  livemode: false;
  managed_payments: null;
  metadata: Metadata;
  next_pending_invoice_item_invoice: null;
  on_behalf_of: null;
  pause_collection: null;
  payment_settings: Json;
  pending_invoice_item_interval: null;
  pending_setup_intent: null;
  pending_update: null;
  schedule: null;
  start_date: number;
  status: SubscriptionStatus;
  test_clock: string | null;
  transfer_data: null;
  trial_end: number | null;
  trial_settings: Json;
  trial_start: number | null;
}

export interface Invoice extends StripeObject {
  object: 'invoice';
  account_country: string;
  account_name: string;
  account_tax_ids: null;
  amount_due: number;
  amount_overpaid: number;
  amount_paid: number;
  amount_remaining: number;
  amount_shipping: number;
  application: null;
  attempt_count: number;
  attempted: boolean;
  auto_advance: boolean;
  automatic_tax: Json;
  automatically_finalizes_at: number | null;
  billing_reason: string;
  collection_method: string;
  created: number;
  currency: string;
  custom_fields: null;
  customer: string;
  customer_account: null;
  customer_address: unknown;
  customer_email: string | null;
  customer_name: string | null;
  customer_phone: string | null;
  customer_shipping: unknown;
  customer_tax_exempt: string;
  customer_tax_ids: unknown[];
  default_payment_method: string | null;
  default_source: null;
  default_tax_rates: unknown[];
  description: string | null;
  discounts: unknown[];
  due_date: number | null;
  effective_at: number | null;
  ending_balance: number | null;
  footer: string | null;
  from_invoice: null;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  issuer: Json;
  last_finalization_error: null;
  latest_revision: null;
  lines: StripeList<Json>;
  livemode: false;
  metadata: Metadata;
  next_payment_attempt: number | null;
  number: string | null;
  on_behalf_of: null;
  /** Since 2025-03-31 the subscription an invoice bills is under `parent` (versions.ts puts `subscription` back for older versions). */
  parent: { quote_details: null; subscription_details: { metadata: Metadata; subscription: string } | null; type: string } | null;
  payment_settings: Json;
  period_end: number;
  period_start: number;
  post_payment_credit_notes_amount: number;
  pre_payment_credit_notes_amount: number;
  receipt_number: null;
  rendering: null;
  shipping_cost: null;
  shipping_details: null;
  starting_balance: number;
  statement_descriptor: string | null;
  status: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
  status_transitions: { finalized_at: number | null; marked_uncollectible_at: number | null; paid_at: number | null; voided_at: number | null };
  subtotal: number;
  subtotal_excluding_tax: number;
  test_clock: string | null;
  total: number;
  total_discount_amounts: unknown[];
  total_excluding_tax: number;
  total_pretax_credit_amounts: unknown[];
  total_taxes: unknown[];
  webhooks_delivered_at: number | null;
}

/** Simulated time for the customers attached to it (resources/test-clocks.ts, billing-clock.ts). */
export interface TestClock extends StripeObject {
  object: 'test_helpers.test_clock';
  created: number;
  deletes_after: number;
  frozen_time: number;
  livemode: false;
  name: string | null;
  status: 'advancing' | 'ready' | 'internal_failure';
  status_details: { advancing?: { target_frozen_time: number } };
}

/** A pending charge or credit for a customer's next invoice (the twin makes them for prorations). */
export interface InvoiceItem extends StripeObject {
  object: 'invoiceitem';
  amount: number;
  currency: string;
  customer: string;
  customer_account: null;
  date: number;
  description: string | null;
  discountable: boolean;
  discounts: unknown[];
  invoice: string | null;
  livemode: false;
  metadata: Metadata;
  net_amount: number;
  parent: { subscription_details: { subscription: string; subscription_item?: string } | null; type: 'subscription_details' } | null;
  period: { end: number; start: number };
  pricing: { price_details: { price: string; product: string }; type: 'price_details'; unit_amount_decimal: string | null } | null;
  proration: boolean;
  proration_details: { credited_items: null; discount_amounts: unknown[] };
  quantity: number;
  quantity_decimal: string;
  tax_rates: unknown[];
  test_clock: string | null;
}
