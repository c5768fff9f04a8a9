// PaymentIntents: create, confirm, capture, cancel, retrieve, update, list, with the status machine
// requires_payment_method → requires_confirmation → requires_action (3DS) → succeeded /
// requires_capture / canceled, and the events each step emits.
// @see https://docs.stripe.com/api/payment_intents and https://docs.stripe.com/payments/paymentintents/lifecycle
import { checkChargeAmount } from '../currencies.ts';
import { captureCharge, cardOutcome, createCharge, declineError, lastError } from '../charging.ts';
import { invalidRequest, unexpectedState } from '../errors.ts';
import { createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, int, mergeMetadata, metadataOf, obj, requireInt, requireStr, str, strs, type ObjectSpec, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import { snapshot, type ApiCall, type StripeState } from '../state.ts';
import type { PaymentIntent, PaymentMethod } from '../stripe-objects.ts';
import { attachPaymentMethod, createPaymentMethod, PAYMENT_METHOD_DATA, resolvePaymentMethod } from './payment-methods.ts';

const CONFIRM_PARAMS: ObjectSpec = {
  payment_method: 'string',
  payment_method_data: PAYMENT_METHOD_DATA,
  payment_method_options: 'hash',
  payment_method_types: 'strings',
  off_session: 'any',
  return_url: 'string',
  receipt_email: 'email',
  setup_future_usage: 'string',
  capture_method: 'string',
  error_on_requires_action: 'boolean',
  mandate_data: 'hash',
  shipping: 'hash',
  use_stripe_sdk: 'boolean',
  confirmation_token: 'string',
};

const UPDATE_PARAMS: ObjectSpec = {
  amount: 'integer',
  currency: 'currency',
  customer: 'string',
  description: 'string',
  metadata: 'metadata',
  payment_method: 'string',
  payment_method_data: PAYMENT_METHOD_DATA,
  payment_method_options: 'hash',
  payment_method_types: 'strings',
  receipt_email: 'email',
  setup_future_usage: 'string',
  shipping: 'hash',
  statement_descriptor: 'string',
  statement_descriptor_suffix: 'string',
  transfer_group: 'string',
  capture_method: 'string',
  application_fee_amount: 'integer',
};

const CREATE_PARAMS: ObjectSpec = {
  ...CONFIRM_PARAMS,
  ...UPDATE_PARAMS,
  automatic_payment_methods: { enabled: 'boolean', allow_redirects: 'string' },
  confirm: 'boolean',
  confirmation_method: 'string',
  on_behalf_of: 'string',
  transfer_data: 'hash',
  allowed_payment_method_types: 'strings',
  excluded_payment_method_types: 'strings',
};

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];

export function createPaymentIntent(state: StripeState, p: Params, call: ApiCall | null): PaymentIntent {
  const amount = requireInt(p, 'amount');
  const currency = requireStr(p, 'currency').toLowerCase();
  checkChargeAmount(amount, currency);
  const customer = str(p, 'customer');
  if (customer !== undefined) state.customers.require(customer, 'customer');
  const id = state.ids.next('pi');
  const apm = obj(p, 'automatic_payment_methods');
  const pi: PaymentIntent = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: strs(p, 'allowed_payment_method_types') ?? null,
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: int(p, 'application_fee_amount') ?? null,
    automatic_payment_methods: apm ? { allow_redirects: str(apm, 'allow_redirects') ?? 'always', enabled: bool(apm, 'enabled') ?? false } : null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: (str(p, 'capture_method') ?? 'automatic_async') as PaymentIntent['capture_method'],
    client_secret: state.ids.secret(id),
    confirmation_method: (str(p, 'confirmation_method') ?? 'automatic') as PaymentIntent['confirmation_method'],
    created: state.now(),
    currency,
    customer: customer ?? null,
    customer_account: null,
    description: str(p, 'description') ?? null,
    excluded_payment_method_types: strs(p, 'excluded_payment_method_types') ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: metadataOf(p),
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: strs(p, 'payment_method_types') ?? ['card'],
    // The PaymentRecord of a payment made outside Stripe; null for the twin's own card payments.
    payment_record: null,
    processing: null,
    receipt_email: str(p, 'receipt_email') ?? null,
    review: null,
    setup_future_usage: str(p, 'setup_future_usage') ?? null,
    shipping: obj(p, 'shipping') ?? null,
    source: null,
    statement_descriptor: str(p, 'statement_descriptor') ?? null,
    statement_descriptor_suffix: str(p, 'statement_descriptor_suffix') ?? null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: str(p, 'transfer_group') ?? null,
  };
  setPaymentMethod(state, pi, p);
  state.paymentIntents.insert(pi);
  state.emit('payment_intent.created', pi, call);
  if (bool(p, 'confirm') === true) confirmPaymentIntent(state, pi, p, call);
  return pi;
}

/** `payment_method` or `payment_method_data` from the params, if any; moves to requires_confirmation. */
function setPaymentMethod(state: StripeState, pi: PaymentIntent, p: Params): void {
  state.touch(pi);
  const data = obj(p, 'payment_method_data');
  const pmId = str(p, 'payment_method');
  let pm: PaymentMethod | undefined;
  if (data) pm = createPaymentMethod(state, data, 'payment_method_data');
  else if (pmId) pm = resolvePaymentMethod(state, pmId, 'payment_method');
  if (!pm) return;
  if (pm.customer !== null && pi.customer !== null && pm.customer !== pi.customer) {
    throw invalidRequest(
      `The provided PaymentMethod belongs to a different Customer (${pm.customer}) than the one on this PaymentIntent (${pi.customer}).`,
      'payment_method',
    );
  }
  pi.payment_method = pm.id;
  pi.last_payment_error = null;
  state.authenticated.delete(pi.id);
  if (pi.status === 'requires_payment_method' || pi.status === 'requires_action') pi.status = 'requires_confirmation';
}

export function confirmPaymentIntent(state: StripeState, pi: PaymentIntent, p: Params, call: ApiCall | null): PaymentIntent {
  state.touch(pi);
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
    );
  }
  setPaymentMethod(state, pi, p);
  if (has(p, 'receipt_email')) pi.receipt_email = str(p, 'receipt_email') ?? null;
  if (has(p, 'setup_future_usage')) pi.setup_future_usage = str(p, 'setup_future_usage') ?? null;
  if (has(p, 'shipping')) pi.shipping = obj(p, 'shipping') ?? null;
  const captureMethod = str(p, 'capture_method');
  if (captureMethod) pi.capture_method = captureMethod as PaymentIntent['capture_method'];
  if (pi.payment_method === null) {
    throw unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
    );
  }
  const offSessionParam = p.off_session;
  const offSession = offSessionParam === true || offSessionParam === 'true' || offSessionParam === 'one_off' || offSessionParam === 'recurring';
  return attempt(state, pi, { offSession, returnUrl: str(p, 'return_url'), call });
}

/** Charges the intent's payment method and moves the intent to where the outcome leads. */
export function attempt(
  state: StripeState,
  pi: PaymentIntent,
  options: { offSession: boolean; returnUrl?: string; call: ApiCall | null },
): PaymentIntent {
  state.touch(pi);
  const pm = state.paymentMethods.require(pi.payment_method as string, 'payment_method');
  const outcome = cardOutcome(state.cards.get(pm.id), {
    offSession: options.offSession,
    authenticated: state.authenticated.has(pi.id),
    forcedDecline: options.call?.forcedDecline,
  });
  const { call } = options;
  if (outcome.kind === 'authenticate') {
    pi.status = 'requires_action';
    pi.next_action = options.returnUrl
      ? {
          redirect_to_url: { return_url: options.returnUrl, url: `${state.baseUrl}/_standin/3ds/${pi.id}/authenticate` },
          type: 'redirect_to_url',
        }
      : {
          type: 'use_stripe_sdk',
          use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: `${state.baseUrl}/_standin/3ds/${pi.id}/authenticate`, source: pm.id },
        };
    state.emit('payment_intent.requires_action', pi, call);
    return pi;
  }
  pi.next_action = null;
  if (outcome.kind === 'decline') {
    const charge = createCharge(state, pi, pm, { approved: false, decline: outcome.decline }, state.authenticated.has(pi.id));
    pi.status = 'requires_payment_method';
    pi.latest_charge = charge.id;
    pi.last_payment_error = lastError(outcome.decline, pm, charge.id);
    state.emit('charge.failed', charge, call);
    state.emit('payment_intent.payment_failed', pi, call);
    throw declineError(outcome.decline, { charge: charge.id, payment_intent: snapshot(pi), payment_method: snapshot(pm) });
  }
  const manual = pi.capture_method === 'manual';
  const charge = createCharge(state, pi, pm, { approved: true, capture: !manual }, state.authenticated.has(pi.id));
  pi.latest_charge = charge.id;
  pi.last_payment_error = null;
  if (pi.setup_future_usage !== null && pi.customer !== null && pm.customer === null) attachPaymentMethod(state, pm, pi.customer, call);
  state.emit('charge.succeeded', charge, call);
  if (manual) {
    pi.status = 'requires_capture';
    pi.amount_capturable = pi.amount;
    state.emit('payment_intent.amount_capturable_updated', pi, call);
  } else {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    state.emit('payment_intent.succeeded', pi, call);
  }
  return pi;
}

/** Completes (or fails) the 3D Secure challenge of an intent in requires_action. */
export function authenticatePaymentIntent(state: StripeState, pi: PaymentIntent, succeed: boolean): PaymentIntent {
  state.touch(pi);
  if (pi.status !== 'requires_action') {
    throw unexpectedState(`PaymentIntent ${pi.id} has status ${pi.status}; only requires_action can be authenticated.`);
  }
  if (!succeed) {
    const pm = state.paymentMethods.require(pi.payment_method as string);
    pi.status = 'requires_payment_method';
    pi.next_action = null;
    pi.last_payment_error = {
      code: 'payment_intent_authentication_failure',
      doc_url: 'https://stripe.com/docs/error-codes/payment-intent-authentication-failure',
      message:
        'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
      payment_method: snapshot(pm),
      type: 'invalid_request_error',
    };
    state.emit('payment_intent.payment_failed', pi, null);
    return pi;
  }
  state.authenticated.add(pi.id);
  try {
    return attempt(state, pi, { offSession: false, call: null });
  } catch {
    // A card that declines after authentication: the intent records it; there is no caller to tell.
    return pi;
  }
}

function capture(state: StripeState, pi: PaymentIntent, p: Params, call: ApiCall): PaymentIntent {
  state.touch(pi);
  if (pi.status !== 'requires_capture') {
    throw unexpectedState(
      `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
    );
  }
  const amount = int(p, 'amount_to_capture') ?? pi.amount_capturable;
  if (amount > pi.amount_capturable) {
    throw invalidRequest(
      `The amount_to_capture (${amount}) must be less than or equal to the amount_capturable (${pi.amount_capturable}).`,
      'amount_to_capture',
    );
  }
  const charge = state.charges.require(pi.latest_charge as string);
  captureCharge(state, charge, amount, call);
  pi.metadata = mergeMetadata(pi.metadata, p);
  pi.amount_received = amount;
  pi.amount_capturable = 0;
  pi.status = 'succeeded';
  state.emit('payment_intent.succeeded', pi, call);
  return pi;
}

function cancel(state: StripeState, pi: PaymentIntent, p: Params, call: ApiCall): PaymentIntent {
  state.touch(pi);
  if (!CANCELABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
    );
  }
  if (pi.status === 'requires_capture' && pi.latest_charge) {
    // Canceling an authorization releases it: the charge reads as fully refunded.
    const charge = state.charges.require(pi.latest_charge);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded = charge.amount;
    charge.refunded = true;
    state.emit('charge.refunded', charge, call, previous);
  }
  pi.status = 'canceled';
  pi.canceled_at = state.now();
  pi.cancellation_reason = str(p, 'cancellation_reason') ?? null;
  pi.amount_capturable = 0;
  pi.next_action = null;
  state.emit('payment_intent.canceled', pi, call);
  return pi;
}

function update(state: StripeState, pi: PaymentIntent, p: Params): PaymentIntent {
  state.touch(pi);
  if (pi.status === 'succeeded' || pi.status === 'canceled') {
    const changing = Object.keys(p).filter((k) => !['metadata', 'description', 'receipt_email', 'shipping', 'expand'].includes(k));
    if (changing.length > 0) {
      throw unexpectedState(`This PaymentIntent's ${changing[0]} could not be updated because it has a status of ${pi.status}.`);
    }
  }
  const amount = int(p, 'amount');
  if (amount !== undefined) {
    checkChargeAmount(amount, pi.currency);
    pi.amount = amount;
  }
  const customer = str(p, 'customer');
  if (customer !== undefined) pi.customer = state.customers.require(customer, 'customer').id;
  if (str(p, 'currency')) pi.currency = (str(p, 'currency') as string).toLowerCase();
  for (const key of ['description', 'receipt_email', 'setup_future_usage', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_group'] as const) {
    if (has(p, key)) pi[key] = str(p, key) ?? null;
  }
  if (str(p, 'capture_method')) pi.capture_method = str(p, 'capture_method') as PaymentIntent['capture_method'];
  if (has(p, 'shipping')) pi.shipping = obj(p, 'shipping') ?? null;
  if (strs(p, 'payment_method_types')) pi.payment_method_types = strs(p, 'payment_method_types') as string[];
  pi.metadata = mergeMetadata(pi.metadata, p);
  setPaymentMethod(state, pi, p);
  return pi;
}

const byId = (state: StripeState, call: ApiCall): PaymentIntent => state.paymentIntents.require(call.pathParams.id, 'intent');

export const paymentIntentRoutes: Route[] = [
  { method: 'POST', path: '/v1/payment_intents', stripeParams: 'PaymentIntentCreateParams', params: CREATE_PARAMS, handle: (call, state) => createPaymentIntent(state, call.params, call) },
  { method: 'GET', path: '/v1/payment_intents/:id', params: { client_secret: 'string' }, handle: (call, state) => byId(state, call) },
  { method: 'POST', path: '/v1/payment_intents/:id', stripeParams: 'PaymentIntentUpdateParams', params: UPDATE_PARAMS, handle: (call, state) => update(state, byId(state, call), call.params) },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/confirm',
    stripeParams: 'PaymentIntentConfirmParams',
    params: { ...CONFIRM_PARAMS, client_secret: 'string' },
    handle: (call, state) => confirmPaymentIntent(state, byId(state, call), call.params, call),
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/capture',
    stripeParams: 'PaymentIntentCaptureParams',
    params: { amount_to_capture: 'integer', metadata: 'metadata', final_capture: 'boolean', statement_descriptor: 'string', application_fee_amount: 'integer' },
    handle: (call, state) => capture(state, byId(state, call), call.params, call),
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/cancel',
    stripeParams: 'PaymentIntentCancelParams',
    params: { cancellation_reason: 'string' },
    handle: (call, state) => cancel(state, byId(state, call), call.params, call),
  },
  {
    method: 'GET',
    path: '/v1/payment_intents',
    stripeParams: 'PaymentIntentListParams',
    params: { ...LIST_PARAMS, customer: 'string' },
    handle: ({ params }, state) => {
      const customer = str(params, 'customer');
      const created = createdFilter(params);
      return state.paymentIntents.list('/v1/payment_intents', listOptions(params), (pi) => (customer === undefined || pi.customer === customer) && created(pi));
    },
  },
];
