// The shapes of the objects this twin stores. Fields the twin reads or changes are typed; nested
// structures it only echoes are `unknown`. Field sets follow Stripe's API reference (checked by
// test/stripe/objects.test.ts against the reference fixtures' keys). Subscriptions, invoices and test
// clocks are in billing-objects.ts.

export type * from './billing-objects.ts';

export type Metadata = Record<string, string>;
export type Json = Record<string, unknown>;

export interface StripeObject {
  id: string;
  object: string;
  created?: number;
}

export interface Customer extends StripeObject {
  object: 'customer';
  address: unknown;
  balance: number;
  created: number;
  currency: string | null;
  default_source: string | null;
  delinquent: boolean;
  description: string | null;
  discount: unknown;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: { custom_fields: unknown; default_payment_method: string | null; footer: string | null; rendering_options: unknown };
  livemode: false;
  metadata: Metadata;
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: unknown;
  tax_exempt: string;
  test_clock: string | null;
}

export interface CardDetails {
  brand: string;
  checks: { address_line1_check: string | null; address_postal_code_check: string | null; cvc_check: string | null };
  country: string;
  display_brand: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
  funding: string;
  generated_from: null;
  last4: string;
  networks: { available: string[]; preferred: string | null };
  three_d_secure_usage: { supported: boolean };
  wallet: null;
  regulated_status: string | null;
}

export interface PaymentMethod extends StripeObject {
  object: 'payment_method';
  allow_redisplay: string;
  billing_details: unknown;
  card: CardDetails;
  created: number;
  customer: string | null;
  customer_account: null;
  livemode: false;
  metadata: Metadata;
  type: 'card';
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface PaymentIntent extends StripeObject {
  object: 'payment_intent';
  allowed_payment_method_types: string[] | null;
  amount: number;
  amount_capturable: number;
  amount_details: unknown;
  amount_received: number;
  application: null;
  application_fee_amount: number | null;
  automatic_payment_methods: { enabled: boolean; allow_redirects?: string } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  client_secret: string;
  confirmation_method: 'automatic' | 'manual';
  created: number;
  currency: string;
  customer: string | null;
  customer_account: null;
  description: string | null;
  excluded_payment_method_types: string[] | null;
  last_payment_error: Json | null;
  latest_charge: string | null;
  livemode: false;
  managed_payments: null;
  metadata: Metadata;
  next_action: Json | null;
  on_behalf_of: null;
  payment_method: string | null;
  payment_method_configuration_details: null;
  payment_method_options: unknown;
  payment_method_types: string[];
  payment_record: null;
  processing: null;
  receipt_email: string | null;
  review: null;
  setup_future_usage: string | null;
  shipping: unknown;
  source: null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: PaymentIntentStatus;
  transfer_data: null;
  transfer_group: string | null;
}

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export interface Charge extends StripeObject {
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  application: null;
  application_fee: null;
  application_fee_amount: null;
  balance_transaction: string | null;
  billing_details: unknown;
  calculated_statement_descriptor: string | null;
  captured: boolean;
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  disputed: boolean;
  failure_balance_transaction: null;
  failure_code: string | null;
  failure_message: string | null;
  fraud_details: Json;
  livemode: false;
  metadata: Metadata;
  on_behalf_of: null;
  outcome: Json;
  paid: boolean;
  payment_intent: string | null;
  payment_method: string | null;
  payment_method_details: Json;
  receipt_email: string | null;
  receipt_number: null;
  receipt_url: string;
  refunded: boolean;
  review: null;
  shipping: unknown;
  source: null;
  source_transfer: null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: 'succeeded' | 'pending' | 'failed';
  transfer_data: null;
  transfer_group: string | null;
}

export interface Refund extends StripeObject {
  object: 'refund';
  amount: number;
  balance_transaction: string | null;
  charge: string;
  created: number;
  currency: string;
  customer: string | null;
  customer_account: null;
  destination_details: unknown;
  metadata: Metadata;
  payment_intent: string | null;
  payment_method: string | null;
  reason: string | null;
  receipt_number: null;
  source_transfer_reversal: null;
  status: 'succeeded' | 'pending' | 'failed' | 'canceled';
  transfer_reversal: null;
}

export interface BalanceTransaction extends StripeObject {
  object: 'balance_transaction';
  amount: number;
  available_on: number;
  balance_type: string;
  created: number;
  currency: string;
  description: string | null;
  exchange_rate: null;
  fee: number;
  fee_details: unknown[];
  net: number;
  reporting_category: string;
  source: string;
  status: 'available' | 'pending';
  type: string;
}

export interface Product extends StripeObject {
  object: 'product';
  active: boolean;
  created: number;
  default_price: string | null;
  description: string | null;
  images: string[];
  livemode: false;
  marketing_features: unknown[];
  metadata: Metadata;
  name: string;
  package_dimensions: unknown;
  shippable: boolean | null;
  statement_descriptor: string | null;
  tax_code: string | null;
  tax_details: { performance_location: string | null; tax_code: string | null } | null;
  type: string;
  unit_label: string | null;
  updated: number;
  url: string | null;
}

export interface Price extends StripeObject {
  object: 'price';
  active: boolean;
  billing_scheme: string;
  created: number;
  currency: string;
  custom_unit_amount: unknown;
  livemode: false;
  lookup_key: string | null;
  metadata: Metadata;
  nickname: string | null;
  product: string;
  recurring: { interval: string; interval_count: number; meter: null; trial_period_days: number | null; usage_type: string } | null;
  tax_behavior: string;
  tiers_mode: null;
  transform_quantity: null;
  type: 'one_time' | 'recurring';
  unit_amount: number | null;
  unit_amount_decimal: string | null;
}

export type SetupIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'canceled'
  | 'succeeded';

export interface SetupIntent extends StripeObject {
  object: 'setup_intent';
  allowed_payment_method_types: string[] | null;
  application: null;
  automatic_payment_methods: unknown;
  cancellation_reason: string | null;
  client_secret: string;
  created: number;
  customer: string | null;
  description: string | null;
  excluded_payment_method_types: string[] | null;
  flow_directions: null;
  last_setup_error: Json | null;
  latest_attempt: null;
  livemode: false;
  mandate: null;
  metadata: Metadata;
  next_action: Json | null;
  on_behalf_of: null;
  payment_method: string | null;
  payment_method_configuration_details: null;
  payment_method_options: unknown;
  payment_method_types: string[];
  single_use_mandate: null;
  status: SetupIntentStatus;
  usage: string;
}

export interface WebhookEndpoint extends StripeObject {
  object: 'webhook_endpoint';
  api_version: string | null;
  application: null;
  created: number;
  description: string | null;
  enabled_events: string[];
  livemode: false;
  metadata: Metadata;
  status: 'enabled' | 'disabled';
  url: string;
  /** Only in the create response, as on the real API. */
  secret?: string;
}

export interface StripeEvent extends StripeObject {
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Json; previous_attributes?: Json };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

/** One line of a Checkout Session (`line_items`), with the price it was bought at. */
export interface CheckoutLineItem extends StripeObject {
  object: 'item';
  adjustable_quantity: null;
  amount_discount: number;
  amount_subtotal: number;
  amount_tax: number;
  amount_total: number;
  currency: string;
  description: string | null;
  metadata: Metadata;
  price: Price;
  quantity: number;
}

export interface CheckoutSession extends StripeObject {
  object: 'checkout.session';
  adaptive_pricing: { enabled: boolean } | null;
  after_expiration: null;
  allow_promotion_codes: boolean | null;
  allowed_payment_method_types: string[] | null;
  amount_subtotal: number | null;
  amount_total: number | null;
  automatic_tax: { enabled: boolean; liability: null; provider: null; status: null };
  billing_address_collection: string | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  client_secret: string | null;
  collected_information: { business_name: null; individual_name: null; shipping_details: null } | null;
  consent: null;
  consent_collection: unknown;
  created: number;
  currency: string | null;
  currency_conversion: null;
  custom_fields: unknown[];
  custom_text: { after_submit: null; shipping_address: null; submit: null; terms_of_service_acceptance: null };
  customer: string | null;
  customer_account: null;
  customer_creation: 'always' | 'if_required' | null;
  customer_details: {
    address: null;
    business_name: null;
    email: string | null;
    individual_name: null;
    name: string | null;
    phone: null;
    tax_exempt: 'none';
    tax_ids: unknown[];
  } | null;
  customer_email: string | null;
  discounts: unknown[];
  expires_at: number;
  integration_identifier: string | null;
  invoice: string | null;
  invoice_creation: Json | null;
  livemode: false;
  locale: string | null;
  managed_payments: null;
  metadata: Metadata;
  mode: 'payment' | 'setup' | 'subscription';
  origin_context: null;
  payment_intent: string | null;
  payment_link: null;
  payment_method_collection: 'always' | 'if_required' | null;
  payment_method_configuration_details: null;
  payment_method_options: Json | null;
  payment_method_types: string[];
  payment_status: 'no_payment_required' | 'paid' | 'unpaid';
  permissions: null;
  phone_number_collection: { enabled: boolean };
  recovered_from: null;
  redirect_on_completion?: string;
  return_url?: string;
  saved_payment_method_options: Json | null;
  setup_intent: string | null;
  shipping_address_collection: unknown;
  shipping_cost: null;
  shipping_options: unknown[];
  status: 'open' | 'complete' | 'expired';
  submit_type: string | null;
  subscription: string | null;
  success_url: string | null;
  total_details: { amount_discount: number; amount_shipping: number; amount_tax: number } | null;
  ui_mode: string;
  url: string | null;
  wallet_options: null;
}

export type DisputeStatus =
  | 'warning_needs_response'
  | 'warning_under_review'
  | 'warning_closed'
  | 'needs_response'
  | 'under_review'
  | 'won'
  | 'lost';

export interface Dispute extends StripeObject {
  object: 'dispute';
  amount: number;
  balance_transactions: BalanceTransaction[];
  charge: string;
  created: number;
  currency: string;
  enhanced_eligibility_types: string[];
  /** Every evidence field, null until given (enhanced_evidence is `{}` until given). */
  evidence: Record<string, unknown>;
  evidence_details: {
    due_by: number | null;
    enhanced_eligibility: Json;
    has_evidence: boolean;
    past_due: boolean;
    submission_count: number;
    submission_method: 'manual' | 'not_submitted';
  };
  intended_submission_method: string | null;
  is_charge_refundable: boolean;
  livemode: false;
  metadata: Metadata;
  network_reason_code: string | null;
  payment_intent: string | null;
  payment_method_details: { card: { brand: string; case_type: 'chargeback' | 'inquiry'; network: string; network_reason_code: string | null }; type: 'card' };
  reason: string;
  status: DisputeStatus;
}
