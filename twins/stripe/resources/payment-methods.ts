// PaymentMethods (cards only): from raw test numbers, `tok_*` tokens, or the `pm_card_*` ids that
// Stripe accepts anywhere a PaymentMethod id goes (each use makes a fresh `pm_…`, as on the real
// API). Attach / detach to customers, update, list.
// @see https://docs.stripe.com/api/payment_methods and https://docs.stripe.com/testing
import { createRng } from '../../../src/core/index.ts';
import { invalidRequest, noSuchObject, StripeApiError } from '../errors.ts';
import { changedFields, LIST_PARAMS, listOptions } from '../lists.ts';
import { has, int, mergeMetadata, metadataOf, obj, requireStr, str, type ObjectSpec, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { PaymentMethod } from '../stripe-objects.ts';
import { cardByNumber, cardByToken, luhnValid, type TestCard } from '../test-cards.ts';

export const CARD_PARAMS: ObjectSpec = { number: 'string', exp_month: 'integer', exp_year: 'integer', cvc: 'string', token: 'string' };

export const PAYMENT_METHOD_DATA: ObjectSpec = {
  type: 'string',
  card: CARD_PARAMS,
  billing_details: 'hash',
  metadata: 'metadata',
  allow_redisplay: 'string',
};

const EMPTY_BILLING = {
  address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
  email: null,
  name: null,
  phone: null,
  tax_id: null,
};

function billingDetails(p: Params | undefined): Record<string, unknown> {
  const given = p ?? {};
  const address = given.address;
  return {
    ...EMPTY_BILLING,
    ...given,
    address: address && typeof address === 'object' ? { ...EMPTY_BILLING.address, ...address } : EMPTY_BILLING.address,
  };
}

/** Each card's fingerprint, drawn once: a seeded stream per new PaymentMethod showed in profiles. */
const fingerprints = new WeakMap<TestCard, string>();

function fingerprintOf(card: TestCard): string {
  let known = fingerprints.get(card);
  if (known === undefined) fingerprints.set(card, (known = fingerprint(card.number)));
  return known;
}

/** Deterministic per card number, like Stripe's fingerprint: same card, same fingerprint. */
function fingerprint(number: string): string {
  const rng = createRng('stripe-card-fingerprint', number);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 16; i++) out += alphabet[rng.int(alphabet.length)];
  return out;
}

function newCardPaymentMethod(
  state: StripeState,
  card: TestCard,
  details: { exp_month?: number; exp_year?: number; cvc?: boolean },
  p: Params,
  param: string,
): PaymentMethod {
  const year = new Date(state.now() * 1000).getUTCFullYear();
  const expYear = details.exp_year ?? year + 4;
  const expMonth = details.exp_month ?? 12;
  if (expMonth < 1 || expMonth > 12) {
    throw new StripeApiError(402, { type: 'card_error', code: 'invalid_expiry_month', message: "Your card's expiration month is invalid.", param: `${param}[exp_month]` });
  }
  if (expYear < year || expYear > year + 50) {
    throw new StripeApiError(402, { type: 'card_error', code: 'invalid_expiry_year', message: "Your card's expiration year is invalid.", param: `${param}[exp_year]` });
  }
  const pm: PaymentMethod = {
    id: state.ids.next('pm'),
    object: 'payment_method',
    allow_redisplay: str(p, 'allow_redisplay') ?? 'unspecified',
    billing_details: billingDetails(obj(p, 'billing_details')),
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: details.cvc ? 'unchecked' : null },
      country: card.country,
      display_brand: card.brand,
      exp_month: expMonth,
      exp_year: expYear,
      fingerprint: fingerprintOf(card),
      funding: card.funding,
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
      regulated_status: null,
    },
    created: state.now(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: metadataOf(p),
    type: 'card',
  };
  state.paymentMethods.insert(pm);
  state.cards.set(pm.id, card);
  return pm;
}

/** A PaymentMethod from `type` + `card` params (the body of create, or `payment_method_data`). */
export function createPaymentMethod(state: StripeState, p: Params, param = ''): PaymentMethod {
  const type = requireStr(p, 'type');
  const at = (name: string): string => (param ? `${param}[${name}]` : name);
  if (type !== 'card') {
    throw invalidRequest(`The payment method type provided: ${type} is invalid. This twin supports: card.`, at('type'));
  }
  const card = obj(p, 'card');
  if (!card) throw invalidRequest('Missing required param: card.', at('card'), 'parameter_missing');
  const token = str(card, 'token');
  if (token !== undefined) {
    const tokenCard = cardByToken(token);
    if (!tokenCard) throw noSuchObject('token', token, at('card[token]'));
    return newCardPaymentMethod(state, tokenCard, {}, p, at('card'));
  }
  const number = str(card, 'number')?.replace(/[\s-]/g, '');
  if (number === undefined) throw invalidRequest('Missing required param: card[number].', at('card[number]'), 'parameter_missing');
  if (!luhnValid(number)) {
    throw new StripeApiError(402, { type: 'card_error', code: 'incorrect_number', message: 'Your card number is incorrect.', param: at('card[number]') });
  }
  if (int(card, 'exp_month') === undefined) throw invalidRequest('Missing required param: card[exp_month].', at('card[exp_month]'), 'parameter_missing');
  if (int(card, 'exp_year') === undefined) throw invalidRequest('Missing required param: card[exp_year].', at('card[exp_year]'), 'parameter_missing');
  return newCardPaymentMethod(
    state,
    cardByNumber(number),
    { exp_month: int(card, 'exp_month'), exp_year: int(card, 'exp_year'), cvc: str(card, 'cvc') !== undefined },
    p,
    at('card'),
  );
}

/** An existing PaymentMethod, or a fresh one for a `pm_card_*` test id. */
export function resolvePaymentMethod(state: StripeState, id: string, param: string): PaymentMethod {
  const existing = state.paymentMethods.get(id);
  if (existing) return existing;
  const card = cardByToken(id);
  if (card && id.startsWith('pm_')) return newCardPaymentMethod(state, card, {}, {}, param);
  throw noSuchObject('PaymentMethod', id, param);
}

export function attachPaymentMethod(state: StripeState, pm: PaymentMethod, customerId: string, call: ApiCall | null): PaymentMethod {
  state.touch(pm);
  const customer = state.customers.require(customerId, 'customer');
  if (pm.customer === customer.id) return pm;
  if (pm.customer !== null) {
    throw invalidRequest('The payment method you provided has already been attached to a customer.', 'payment_method', 'payment_method_already_attached');
  }
  pm.customer = customer.id;
  state.emit('payment_method.attached', pm, call);
  return pm;
}

export const paymentMethodRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/payment_methods',
    stripeParams: 'PaymentMethodCreateParams',
    params: { ...PAYMENT_METHOD_DATA, customer: 'string', payment_method: 'string' },
    handle: ({ params }, state) => {
      const source = str(params, 'payment_method');
      if (source !== undefined) return resolvePaymentMethod(state, source, 'payment_method');
      return createPaymentMethod(state, params);
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_methods/:id',
    params: {},
    handle: ({ pathParams }, state) => resolvePaymentMethod(state, pathParams.id, 'payment_method'),
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id',
    stripeParams: 'PaymentMethodUpdateParams',
    params: { billing_details: 'hash', metadata: 'metadata', allow_redisplay: 'string', card: { exp_month: 'integer', exp_year: 'integer' } },
    handle: ({ pathParams, params }, state) => {
      const pm = state.paymentMethods.require(pathParams.id, 'payment_method');
      const before = { ...pm, card: { ...pm.card } };
      if (has(params, 'billing_details')) pm.billing_details = billingDetails({ ...(pm.billing_details as Params), ...obj(params, 'billing_details') });
      const card = obj(params, 'card');
      if (card) {
        pm.card.exp_month = int(card, 'exp_month') ?? pm.card.exp_month;
        pm.card.exp_year = int(card, 'exp_year') ?? pm.card.exp_year;
      }
      pm.allow_redisplay = str(params, 'allow_redisplay') ?? pm.allow_redisplay;
      pm.metadata = mergeMetadata(pm.metadata, params);
      const previous = changedFields(before, pm);
      if (previous) state.emit('payment_method.updated', pm, null, previous);
      return pm;
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/attach',
    params: { customer: 'string' },
    handle: (call, state) => {
      const customer = requireStr(call.params, 'customer');
      return attachPaymentMethod(state, resolvePaymentMethod(state, call.pathParams.id, 'payment_method'), customer, call);
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/detach',
    params: {},
    handle: (call, state) => {
      const pm = state.paymentMethods.require(call.pathParams.id, 'payment_method');
      if (pm.customer === null) {
        throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.', undefined, 'payment_method_unexpected_state');
      }
      const customer = state.customers.get(pm.customer);
      if (customer?.invoice_settings.default_payment_method === pm.id) customer.invoice_settings.default_payment_method = null;
      const previous = { customer: pm.customer };
      pm.customer = null;
      state.emit('payment_method.detached', pm, call, previous);
      return pm;
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_methods',
    stripeParams: 'PaymentMethodListParams',
    params: { ...LIST_PARAMS, customer: 'string', type: 'string', allow_redisplay: 'string' },
    handle: ({ params }, state) => {
      const customer = str(params, 'customer');
      if (customer !== undefined) state.customers.require(customer, 'customer');
      const type = str(params, 'type');
      return state.paymentMethods.list('/v1/payment_methods', listOptions(params), (pm) =>
        (customer === undefined || pm.customer === customer) && (type === undefined || pm.type === type),
      );
    },
  },
];
