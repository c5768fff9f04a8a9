// SetupIntents: save a card for later. A successful setup attaches the card to the customer; 3DS
// cards ask for authentication on session; cards that decline every charge fail the setup.
// @see https://docs.stripe.com/api/setup_intents
import { cardOutcome, declineError, lastError } from '../charging.ts';
import { unexpectedState } from '../errors.ts';
import { createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, mergeMetadata, metadataOf, obj, str, strs, type ObjectSpec, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import { snapshot, type ApiCall, type StripeState } from '../state.ts';
import type { PaymentMethod, SetupIntent } from '../stripe-objects.ts';
import { attachPaymentMethod, createPaymentMethod, PAYMENT_METHOD_DATA, resolvePaymentMethod } from './payment-methods.ts';

const CONFIRM_PARAMS: ObjectSpec = {
  payment_method: 'string',
  payment_method_data: PAYMENT_METHOD_DATA,
  payment_method_options: 'hash',
  return_url: 'string',
  mandate_data: 'hash',
  use_stripe_sdk: 'boolean',
  confirmation_token: 'string',
};
const UPDATE_PARAMS: ObjectSpec = {
  customer: 'string',
  description: 'string',
  metadata: 'metadata',
  payment_method: 'string',
  payment_method_data: PAYMENT_METHOD_DATA,
  payment_method_options: 'hash',
  payment_method_types: 'strings',
  flow_directions: 'strings',
};
const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
/** Insufficient funds only shows when money moves; a $0 setup check passes. */
const SETUP_PASSES = new Set(['insufficient_funds']);

function setPaymentMethod(state: StripeState, si: SetupIntent, p: Params): void {
  state.touch(si);
  const data = obj(p, 'payment_method_data');
  const pmId = str(p, 'payment_method');
  let pm: PaymentMethod | undefined;
  if (data) pm = createPaymentMethod(state, data, 'payment_method_data');
  else if (pmId) pm = resolvePaymentMethod(state, pmId, 'payment_method');
  if (!pm) return;
  si.payment_method = pm.id;
  si.last_setup_error = null;
  state.authenticated.delete(si.id);
  if (si.status === 'requires_payment_method' || si.status === 'requires_action') si.status = 'requires_confirmation';
}

export function createSetupIntent(state: StripeState, p: Params, call: ApiCall | null): SetupIntent {
  const customer = str(p, 'customer');
  if (customer !== undefined) state.customers.require(customer, 'customer');
  const id = state.ids.next('seti');
  const apm = obj(p, 'automatic_payment_methods');
  const si: SetupIntent = {
    id,
    object: 'setup_intent',
    allowed_payment_method_types: strs(p, 'allowed_payment_method_types') ?? null,
    application: null,
    automatic_payment_methods: apm ? { allow_redirects: str(apm, 'allow_redirects') ?? 'always', enabled: bool(apm, 'enabled') ?? false } : null,
    cancellation_reason: null,
    client_secret: state.ids.secret(id),
    created: state.now(),
    customer: customer ?? null,
    description: str(p, 'description') ?? null,
    excluded_payment_method_types: strs(p, 'excluded_payment_method_types') ?? null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: metadataOf(p),
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: strs(p, 'payment_method_types') ?? ['card'],
    single_use_mandate: null,
    status: 'requires_payment_method',
    usage: str(p, 'usage') ?? 'off_session',
  };
  setPaymentMethod(state, si, p);
  state.setupIntents.insert(si);
  state.emit('setup_intent.created', si, call);
  if (bool(p, 'confirm') === true) confirm(state, si, p, call);
  return si;
}

function confirm(state: StripeState, si: SetupIntent, p: Params, call: ApiCall | null): SetupIntent {
  state.touch(si);
  if (!CONFIRMABLE.includes(si.status)) {
    throw unexpectedState(
      `You cannot confirm this SetupIntent because it has a status of ${si.status}. Only a SetupIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
      'setup_intent_unexpected_state',
    );
  }
  setPaymentMethod(state, si, p);
  if (si.payment_method === null) {
    throw unexpectedState("You cannot confirm this SetupIntent because it's missing a payment method.", 'setup_intent_unexpected_state');
  }
  return attemptSetup(state, si, str(p, 'return_url'), call);
}

function attemptSetup(state: StripeState, si: SetupIntent, returnUrl: string | undefined, call: ApiCall | null): SetupIntent {
  state.touch(si);
  const pm = state.paymentMethods.require(si.payment_method as string, 'payment_method');
  const card = state.cards.get(pm.id);
  const outcome = cardOutcome(card, { offSession: false, authenticated: state.authenticated.has(si.id), forcedDecline: call?.forcedDecline });
  if (outcome.kind === 'authenticate') {
    si.status = 'requires_action';
    const url = `${state.baseUrl}/_standin/3ds/${si.id}/authenticate`;
    si.next_action = returnUrl
      ? { redirect_to_url: { return_url: returnUrl, url }, type: 'redirect_to_url' }
      : { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url, source: pm.id } };
    state.emit('setup_intent.requires_action', si, call);
    return si;
  }
  si.next_action = null;
  if (outcome.kind === 'decline' && !SETUP_PASSES.has(outcome.decline.decline_code)) {
    si.status = 'requires_payment_method';
    si.last_setup_error = lastError(outcome.decline, pm);
    state.emit('setup_intent.setup_failed', si, call);
    throw declineError(outcome.decline, { setup_intent: snapshot(si), payment_method: snapshot(pm) });
  }
  if (si.customer !== null && pm.customer === null) attachPaymentMethod(state, pm, si.customer, call);
  si.status = 'succeeded';
  state.emit('setup_intent.succeeded', si, call);
  return si;
}

/** Completes (or fails) the 3D Secure challenge of a SetupIntent in requires_action. */
export function authenticateSetupIntent(state: StripeState, si: SetupIntent, succeed: boolean): SetupIntent {
  state.touch(si);
  if (si.status !== 'requires_action') {
    throw unexpectedState(`SetupIntent ${si.id} has status ${si.status}; only requires_action can be authenticated.`, 'setup_intent_unexpected_state');
  }
  if (!succeed) {
    const pm = state.paymentMethods.require(si.payment_method as string);
    si.status = 'requires_payment_method';
    si.next_action = null;
    si.last_setup_error = {
      code: 'setup_intent_authentication_failure',
      doc_url: 'https://stripe.com/docs/error-codes/setup-intent-authentication-failure',
      message: 'The latest attempt to set up the payment method has failed because authentication failed.',
      payment_method: snapshot(pm),
      type: 'invalid_request_error',
    };
    state.emit('setup_intent.setup_failed', si, null);
    return si;
  }
  state.authenticated.add(si.id);
  try {
    return attemptSetup(state, si, undefined, null);
  } catch {
    return si;
  }
}

const byId = (state: StripeState, call: ApiCall): SetupIntent => state.setupIntents.require(call.pathParams.id, 'intent');

export const setupIntentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/setup_intents',
    stripeParams: 'SetupIntentCreateParams',
    params: { ...CONFIRM_PARAMS, ...UPDATE_PARAMS, allowed_payment_method_types: 'strings', excluded_payment_method_types: 'strings', confirm: 'boolean', usage: 'string', automatic_payment_methods: { enabled: 'boolean', allow_redirects: 'string' }, single_use: 'hash', on_behalf_of: 'string', attach_to_self: 'boolean' },
    handle: (call, state) => createSetupIntent(state, call.params, call),
  },
  { method: 'GET', path: '/v1/setup_intents/:id', params: { client_secret: 'string' }, handle: (call, state) => byId(state, call) },
  {
    method: 'POST',
    path: '/v1/setup_intents/:id',
    stripeParams: 'SetupIntentUpdateParams',
    params: UPDATE_PARAMS,
    handle: (call, state) => {
      const si = byId(state, call);
      const p = call.params;
      const customer = str(p, 'customer');
      if (customer !== undefined) si.customer = state.customers.require(customer, 'customer').id;
      if (has(p, 'description')) si.description = str(p, 'description') ?? null;
      if (strs(p, 'payment_method_types')) si.payment_method_types = strs(p, 'payment_method_types') as string[];
      si.metadata = mergeMetadata(si.metadata, p);
      setPaymentMethod(state, si, p);
      return si;
    },
  },
  {
    method: 'POST',
    path: '/v1/setup_intents/:id/confirm',
    stripeParams: 'SetupIntentConfirmParams',
    params: { ...CONFIRM_PARAMS, client_secret: 'string' },
    handle: (call, state) => confirm(state, byId(state, call), call.params, call),
  },
  {
    method: 'POST',
    path: '/v1/setup_intents/:id/cancel',
    stripeParams: 'SetupIntentCancelParams',
    params: { cancellation_reason: 'string' },
    handle: (call, state) => {
      const si = byId(state, call);
      if (!CANCELABLE.includes(si.status)) {
        throw unexpectedState(
          `You cannot cancel this SetupIntent because it has a status of ${si.status}. Only a SetupIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
          'setup_intent_unexpected_state',
        );
      }
      si.status = 'canceled';
      si.cancellation_reason = str(call.params, 'cancellation_reason') ?? null;
      si.next_action = null;
      state.emit('setup_intent.canceled', si, call);
      return si;
    },
  },
  {
    method: 'GET',
    path: '/v1/setup_intents',
    stripeParams: 'SetupIntentListParams',
    params: { ...LIST_PARAMS, customer: 'string', payment_method: 'string', attach_to_self: 'boolean' },
    handle: ({ params }, state) => {
      const customer = str(params, 'customer');
      const pm = str(params, 'payment_method');
      const created = createdFilter(params);
      return state.setupIntents.list('/v1/setup_intents', listOptions(params), (si) =>
        (customer === undefined || si.customer === customer) && (pm === undefined || si.payment_method === pm) && created(si),
      );
    },
  },
];
