// Checkout Sessions: create (payment, setup and subscription modes; line items from prices or
// `price_data`), retrieve, list, line items, update metadata, expire. A session is paid by the
// hosted page (checkout-page.ts) or by the `complete_checkout` action (checkout-payment.ts); this
// file holds the session itself. As on Stripe since 2022-08-01, the PaymentIntent, SetupIntent or
// Subscription is made when the customer pays, not when the session is created.
// @see https://docs.stripe.com/api/checkout/sessions
import { checkChargeAmount } from '../currencies.ts';
import { invalidRequest, missingParam } from '../errors.ts';
import { secretText } from '../ids.ts';
import { createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, int, mergeMetadata, metadataOf, obj, str, strs, type ObjectSpec, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { CheckoutLineItem, CheckoutSession, Price } from '../stripe-objects.ts';
import { createPrice } from './products.ts';

const MINUTE = 60;
/** Stripe's bounds on `expires_at`: 30 minutes to 24 hours after creation (24 hours when absent). */
const MIN_LIFETIME = 30 * MINUTE;
const MAX_LIFETIME = 24 * 60 * MINUTE;

/** Stripe's caps on line items per session. @see https://docs.stripe.com/api/checkout/sessions/create#create_checkout_session-line_items */
const MAX_PAYMENT_ITEMS = 100;
const MAX_SUBSCRIPTION_ITEMS = 20;

const PRICE_DATA: ObjectSpec = {
  currency: 'currency',
  product: 'string',
  product_data: { name: 'string', description: 'string', images: 'strings', metadata: 'metadata', tax_code: 'string', unit_label: 'string', tax_details: 'hash' },
  recurring: { interval: 'string', interval_count: 'integer' },
  tax_behavior: 'string',
  unit_amount: 'integer',
  unit_amount_decimal: 'string',
};

const LINE_ITEM: ObjectSpec = {
  price: 'string',
  price_data: PRICE_DATA,
  quantity: 'integer',
  adjustable_quantity: 'hash',
  metadata: 'metadata',
  tax_rates: 'strings',
  dynamic_tax_rates: 'strings',
};

const CREATE_PARAMS: ObjectSpec = {
  mode: 'string',
  line_items: [LINE_ITEM],
  success_url: 'string',
  cancel_url: 'string',
  return_url: 'string',
  ui_mode: 'string',
  redirect_on_completion: 'string',
  customer: 'string',
  customer_email: 'email',
  customer_creation: 'string',
  customer_update: 'hash',
  customer_account: 'string',
  client_reference_id: 'string',
  metadata: 'metadata',
  currency: 'currency',
  payment_method_types: 'strings',
  allowed_payment_method_types: 'strings',
  excluded_payment_method_types: 'strings',
  payment_method_options: 'hash',
  payment_method_collection: 'string',
  payment_method_configuration: 'string',
  payment_method_data: 'hash',
  expires_at: 'integer',
  locale: 'string',
  submit_type: 'string',
  billing_address_collection: 'string',
  allow_promotion_codes: 'boolean',
  integration_identifier: 'string',
  payment_intent_data: {
    application_fee_amount: 'integer',
    capture_method: 'string',
    description: 'string',
    metadata: 'metadata',
    on_behalf_of: 'string',
    receipt_email: 'email',
    setup_future_usage: 'string',
    shipping: 'hash',
    statement_descriptor: 'string',
    statement_descriptor_suffix: 'string',
    transfer_data: 'hash',
    transfer_group: 'string',
  },
  setup_intent_data: { description: 'string', metadata: 'metadata', on_behalf_of: 'string' },
  subscription_data: {
    application_fee_percent: 'string',
    billing_cycle_anchor: 'integer',
    billing_mode: 'hash',
    default_tax_rates: 'strings',
    description: 'string',
    invoice_settings: 'hash',
    metadata: 'metadata',
    on_behalf_of: 'string',
    proration_behavior: 'string',
    transfer_data: 'hash',
    trial_end: 'integer',
    trial_period_days: 'integer',
    trial_settings: 'hash',
  },
  adaptive_pricing: 'hash',
  after_expiration: 'hash',
  automatic_tax: 'hash',
  branding_settings: 'hash',
  consent_collection: 'hash',
  custom_fields: 'hashes',
  custom_text: 'hash',
  discounts: 'hashes',
  invoice_creation: 'hash',
  managed_payments: 'hash',
  name_collection: 'hash',
  optional_items: 'hashes',
  origin_context: 'string',
  permissions: 'hash',
  phone_number_collection: 'hash',
  saved_payment_method_options: 'hash',
  shipping_address_collection: 'hash',
  shipping_options: 'hashes',
  tax_id_collection: 'hash',
  wallet_options: 'hash',
};

/** The line items of each session, kept beside it: Stripe sends them only when asked (`line_items`). */
const lineItemsOf = new WeakMap<CheckoutSession, CheckoutLineItem[]>();

export function sessionLineItems(session: CheckoutSession): readonly CheckoutLineItem[] {
  return lineItemsOf.get(session) ?? [];
}

/** The hosted page's address: the twin serves it itself (checkout-page.ts). */
export function checkoutPageUrl(state: StripeState, id: string): string {
  return `${state.baseUrl}/c/pay/${id}`;
}

/** One requested line as a price and a quantity; `price_data` makes the price inline. */
function lineItem(state: StripeState, p: Params, i: number, call: ApiCall | null): CheckoutLineItem {
  const at = `line_items[${i}]`;
  const priceId = str(p, 'price');
  const data = obj(p, 'price_data');
  if (priceId !== undefined && data) throw invalidRequest(`You may only specify one of these parameters: price, price_data.`, `${at}[price]`);
  const quantity = int(p, 'quantity');
  if (quantity === undefined) throw missingParam(`${at}[quantity]`);
  if (quantity < 1) throw invalidRequest('This value must be greater than or equal to 1.', `${at}[quantity]`);
  let price: Price;
  if (priceId !== undefined) {
    price = state.prices.require(priceId, `${at}[price]`);
    if (!price.active) throw invalidRequest(`The price specified is inactive. This field only accepts active prices.`, `${at}[price]`);
  } else if (data) {
    if (str(data, 'product') === undefined && !obj(data, 'product_data')) throw missingParam(`${at}[price_data][product]`);
    if (str(data, 'product') !== undefined) state.products.require(str(data, 'product') as string, `${at}[price_data][product]`);
    price = createPrice(state, data, call);
  } else {
    throw invalidRequest('You must specify either `price` or `price_data` in each line item.', at);
  }
  if (price.unit_amount === null) throw invalidRequest('Prices without a `unit_amount` cannot be used in Checkout here.', `${at}[price]`);
  const amount = price.unit_amount * quantity;
  const product = state.products.get(price.product);
  return {
    id: state.ids.next('li'),
    object: 'item',
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: price.currency,
    description: product?.name ?? null,
    metadata: metadataOf(p),
    price,
    quantity,
  };
}

/** The checks Stripe makes on how mode, line items, customer and the URLs fit together. */
function checkShape(state: StripeState, p: Params, mode: CheckoutSession['mode'], uiMode: string, requested: Params[]): void {
  for (const [key, only] of [
    ['payment_intent_data', 'payment'],
    ['setup_intent_data', 'setup'],
    ['subscription_data', 'subscription'],
    ['submit_type', 'payment'],
    ['payment_method_collection', 'subscription'],
  ] as const) {
    if (has(p, key) && mode !== only) throw invalidRequest(`You can only specify \`${key}\` in \`${only}\` mode.`, key);
  }
  if (has(p, 'customer_creation') && mode === 'subscription') {
    throw invalidRequest('`customer_creation` can only be used in `payment` and `setup` mode.', 'customer_creation');
  }
  if (str(p, 'customer') !== undefined && str(p, 'customer_email') !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
  }
  const hosted = uiMode === 'hosted_page';
  if (hosted && has(p, 'return_url')) throw invalidRequest('`return_url` can only be used when `ui_mode` is `embedded_page` or `elements`.', 'return_url');
  if (!hosted && has(p, 'success_url')) throw invalidRequest(`\`success_url\` cannot be used when \`ui_mode\` is \`${uiMode}\`; use \`return_url\`.`, 'success_url');
  if (!hosted && str(p, 'return_url') === undefined && str(p, 'redirect_on_completion') !== 'never') throw missingParam('return_url');
  if (mode === 'setup') {
    if (has(p, 'line_items')) throw invalidRequest('You cannot pass `line_items` in `setup` mode.', 'line_items');
    return;
  }
  if (requested.length === 0) throw missingParam('line_items');
  const most = mode === 'payment' ? MAX_PAYMENT_ITEMS : MAX_SUBSCRIPTION_ITEMS;
  if (requested.length > most) throw invalidRequest(`A Checkout Session in \`${mode}\` mode can have at most ${most} line items; ${requested.length} were given.`, 'line_items');
  // Each line's price (named or inline) is read before any inline price is made, so a refused
  // request leaves nothing behind.
  let currency: string | undefined;
  let total = 0;
  requested.forEach((item, i) => {
    const at = `line_items[${i}]`;
    const priceId = str(item, 'price');
    const data = obj(item, 'price_data');
    const price = priceId !== undefined ? state.prices.require(priceId, `${at}[price]`) : undefined;
    const recurring = price ? price.type === 'recurring' : data ? obj(data, 'recurring') !== undefined : false;
    const itemCurrency = price?.currency ?? (data ? str(data, 'currency') : undefined);
    currency ??= itemCurrency;
    const unit = price ? price.unit_amount : data ? (int(data, 'unit_amount') ?? Number(str(data, 'unit_amount_decimal') ?? 0)) : 0;
    total += (unit ?? 0) * (int(item, 'quantity') ?? 1);
    if (itemCurrency !== undefined && itemCurrency !== currency) throw invalidRequest('All line items must have the same currency.', at);
    if (mode === 'payment' && recurring) {
      throw invalidRequest('You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.', at);
    }
    if (mode === 'subscription' && !recurring) {
      // Stripe adds one-time prices to the first invoice; the twin's subscriptions bill recurring items only.
      throw invalidRequest('This twin supports only recurring prices in `subscription` mode (one-time items on the first invoice are not modelled).', at);
    }
  });
  // A one-off payment must reach the currency's minimum charge; a subscription may start at $0 (trials).
  if (mode === 'payment' && currency !== undefined) checkChargeAmount(total, currency, 'line_items');
}

export function createCheckoutSession(state: StripeState, p: Params, call: ApiCall | null): CheckoutSession {
  const mode = str(p, 'mode');
  if (mode === undefined) throw missingParam('mode');
  const sessionMode = mode as CheckoutSession['mode'];
  const uiMode = str(p, 'ui_mode') ?? 'hosted_page';
  const customer = str(p, 'customer');
  if (customer !== undefined) state.customers.require(customer, 'customer');
  const now = state.now();
  const expiresAt = int(p, 'expires_at') ?? now + MAX_LIFETIME;
  if (expiresAt < now + MIN_LIFETIME) throw invalidRequest('The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.', 'expires_at');
  if (expiresAt > now + MAX_LIFETIME) throw invalidRequest('The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.', 'expires_at');
  const requested = Array.isArray(p.line_items) ? (p.line_items as Params[]) : [];
  checkShape(state, p, sessionMode, uiMode, requested);
  const items = requested.map((item, i) => lineItem(state, item, i, call));

  const total = sessionMode === 'setup' ? null : items.reduce((sum, item) => sum + item.amount_total, 0);
  const id = state.ids.next('cs_test');
  const paying = sessionMode !== 'setup';
  const session: CheckoutSession = {
    id,
    object: 'checkout.session',
    adaptive_pricing: sessionMode === 'payment' ? { enabled: false } : null,
    after_expiration: null,
    allow_promotion_codes: bool(p, 'allow_promotion_codes') ?? null,
    allowed_payment_method_types: strs(p, 'allowed_payment_method_types') ?? null,
    amount_subtotal: total,
    amount_total: total,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: str(p, 'billing_address_collection') ?? null,
    cancel_url: str(p, 'cancel_url') ?? null,
    client_reference_id: str(p, 'client_reference_id') ?? null,
    client_secret: uiMode === 'hosted_page' ? null : `${id}_secret_${secretText(24)}`,
    collected_information: null,
    consent: null,
    consent_collection: obj(p, 'consent_collection') ?? null,
    created: now,
    currency: items[0]?.currency ?? str(p, 'currency') ?? null,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: customer ?? null,
    customer_account: null,
    customer_creation: customer !== undefined || sessionMode === 'subscription' ? null : ((str(p, 'customer_creation') ?? 'if_required') as 'always' | 'if_required'),
    customer_details: null,
    customer_email: str(p, 'customer_email') ?? null,
    discounts: [],
    expires_at: expiresAt,
    integration_identifier: str(p, 'integration_identifier') ?? null,
    invoice: null,
    invoice_creation:
      sessionMode === 'payment'
        ? { enabled: false, invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null } }
        : null,
    livemode: false,
    locale: str(p, 'locale') ?? null,
    managed_payments: null,
    metadata: metadataOf(p),
    mode: sessionMode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: sessionMode === 'subscription' ? ((str(p, 'payment_method_collection') ?? 'always') as 'always' | 'if_required') : null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: strs(p, 'payment_method_types') ?? ['card'],
    payment_status: !paying || total === 0 ? 'no_payment_required' : 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    ...(uiMode === 'hosted_page' ? {} : { redirect_on_completion: str(p, 'redirect_on_completion') ?? 'always' }),
    ...(str(p, 'return_url') !== undefined ? { return_url: str(p, 'return_url') as string } : {}),
    saved_payment_method_options: paying ? { allow_redisplay_filters: ['always'], payment_method_remove: null, payment_method_save: null } : null,
    setup_intent: null,
    shipping_address_collection: obj(p, 'shipping_address_collection') ?? null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: str(p, 'submit_type') ?? null,
    subscription: null,
    success_url: str(p, 'success_url') ?? null,
    total_details: paying ? { amount_discount: 0, amount_shipping: 0, amount_tax: 0 } : null,
    ui_mode: uiMode,
    url: uiMode === 'hosted_page' ? checkoutPageUrl(state, id) : null,
    wallet_options: null,
  };
  lineItemsOf.set(session, items);
  checkoutParams.set(session, {
    paymentIntentData: obj(p, 'payment_intent_data') ?? {},
    setupIntentData: obj(p, 'setup_intent_data') ?? {},
    subscriptionData: obj(p, 'subscription_data') ?? {},
  });
  state.checkoutSessions.insert(session);
  return session;
}

/** What the session passes on to the objects made when it is paid. */
export interface CheckoutParams {
  paymentIntentData: Params;
  setupIntentData: Params;
  subscriptionData: Params;
}
const checkoutParams = new WeakMap<CheckoutSession, CheckoutParams>();

export function paramsOf(session: CheckoutSession): CheckoutParams {
  return checkoutParams.get(session) ?? { paymentIntentData: {}, setupIntentData: {}, subscriptionData: {} };
}

/** Ends an open session; its unpaid PaymentIntent is canceled with it, as on Stripe. */
export function expireCheckoutSession(state: StripeState, session: CheckoutSession, call: ApiCall | null): CheckoutSession {
  state.touch(session);
  if (session.status !== 'open') {
    throw invalidRequest(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`, 'session');
  }
  const pi = session.payment_intent ? state.paymentIntents.get(session.payment_intent) : undefined;
  if (pi && (pi.status === 'requires_payment_method' || pi.status === 'requires_action' || pi.status === 'requires_confirmation')) {
    pi.status = 'canceled';
    pi.canceled_at = state.now();
    pi.cancellation_reason = 'abandoned';
    pi.next_action = null;
    state.emit('payment_intent.canceled', pi, call);
  }
  session.status = 'expired';
  session.url = null;
  state.emit('checkout.session.expired', session, call);
  return session;
}

/**
 * The session as it is now: one whose `expires_at` has passed expires when it is next looked at
 * (the twin keeps no timer per session), firing checkout.session.expired then.
 */
export function currentSession(state: StripeState, session: CheckoutSession): CheckoutSession {
  state.touch(session);
  if (session.status === 'open' && state.now() >= session.expires_at) expireCheckoutSession(state, session, null);
  return session;
}

export function requireSession(state: StripeState, id: string, param = 'session'): CheckoutSession {
  return currentSession(state, state.checkoutSessions.require(id, param));
}

export function checkoutSessionRoutes(state: StripeState): Route[] {
  state.includable.set('checkout.session.line_items', (id, s) => {
    const session = s.checkoutSessions.require(id);
    return { object: 'list', data: [...sessionLineItems(session)], has_more: false, url: `/v1/checkout/sessions/${id}/line_items` };
  });
  const byId = (s: StripeState, call: ApiCall): CheckoutSession => requireSession(s, call.pathParams.id as string);
  return [
    {
      method: 'POST',
      path: '/v1/checkout/sessions',
      stripeParams: 'Checkout.SessionCreateParams',
      params: CREATE_PARAMS,
      handle: (call, s) => createCheckoutSession(s, call.params, call),
    },
    { method: 'GET', path: '/v1/checkout/sessions/:id', params: {}, handle: (call, s) => byId(s, call) },
    {
      method: 'POST',
      path: '/v1/checkout/sessions/:id',
      params: { metadata: 'metadata' },
      handle: (call, s) => {
        const session = byId(s, call);
        session.metadata = mergeMetadata(session.metadata, call.params);
        return session;
      },
    },
    {
      method: 'POST',
      path: '/v1/checkout/sessions/:id/expire',
      stripeParams: 'Checkout.SessionExpireParams',
      params: {},
      handle: (call, s) => expireCheckoutSession(s, byId(s, call), call),
    },
    {
      method: 'GET',
      path: '/v1/checkout/sessions/:id/line_items',
      stripeParams: 'Checkout.SessionListLineItemsParams',
      params: { limit: 'integer', starting_after: 'string', ending_before: 'string' },
      handle: (call, s) => {
        const session = byId(s, call);
        return pageOf(sessionLineItems(session), `/v1/checkout/sessions/${session.id}/line_items`, call.params);
      },
    },
    {
      method: 'GET',
      path: '/v1/checkout/sessions',
      stripeParams: 'Checkout.SessionListParams',
      params: {
        ...LIST_PARAMS,
        customer: 'string',
        customer_account: 'string',
        customer_details: { email: 'string' },
        payment_intent: 'string',
        payment_link: 'string',
        status: 'string',
        subscription: 'string',
      },
      handle: ({ params }, s) => {
        for (const session of s.checkoutSessions.all()) currentSession(s, session);
        const created = createdFilter(params);
        const want = (key: string): string | undefined => str(params, key);
        const email = str(obj(params, 'customer_details') ?? {}, 'email');
        return s.checkoutSessions.list('/v1/checkout/sessions', listOptions(params), (x) =>
          (want('customer') === undefined || x.customer === want('customer')) &&
          (want('payment_intent') === undefined || x.payment_intent === want('payment_intent')) &&
          (want('subscription') === undefined || x.subscription === want('subscription')) &&
          (want('status') === undefined || x.status === want('status')) &&
          (want('payment_link') === undefined || x.payment_link === want('payment_link')) &&
          (email === undefined || x.customer_details?.email === email) &&
          created(x),
        );
      },
    },
  ];
}

/** A page of line items in the order they were given (Stripe lists them so, not newest first). */
function pageOf(items: readonly CheckoutLineItem[], url: string, p: Params): object {
  const { limit = 10, starting_after, ending_before } = listOptions(p);
  if (limit < 1 || limit > 100) throw invalidRequest('This value must be greater than or equal to 1 and less than or equal to 100.', 'limit');
  const index = (id: string, param: string): number => {
    const at = items.findIndex((x) => x.id === id);
    if (at < 0) throw invalidRequest(`No such line item: '${id}'`, param, 'resource_missing', 404);
    return at;
  };
  if (ending_before !== undefined) {
    const end = index(ending_before, 'ending_before');
    const start = Math.max(0, end - limit);
    return { object: 'list', data: items.slice(start, end), has_more: start > 0, url };
  }
  const start = starting_after !== undefined ? index(starting_after, 'starting_after') + 1 : 0;
  return { object: 'list', data: items.slice(start, start + limit), has_more: start + limit < items.length, url };
}
