// Charges, as PaymentIntents make them: retrieve, update, capture, list, their refunds; and the
// legacy charges.create with a token.
// @see https://docs.stripe.com/api/charges
import { checkChargeAmount } from '../currencies.ts';
import { captureCharge, cardOutcome, createCharge, declineError, type Payment } from '../charging.ts';
import { invalidRequest, missingParam } from '../errors.ts';
import { changedFields, createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, int, mergeMetadata, metadataOf, obj, requireInt, requireStr, str } from '../params.ts';
import type { Route } from '../router.ts';
import { declineFor } from '../test-cards.ts';
import { createPaymentMethod, resolvePaymentMethod } from './payment-methods.ts';

export const chargeRoutes: Route[] = [
  { method: 'GET', path: '/v1/charges/:id', params: {}, handle: ({ pathParams }, state) => state.charges.require(pathParams.id, 'charge') },
  {
    method: 'POST',
    path: '/v1/charges/:id',
    stripeParams: 'ChargeUpdateParams',
    params: { description: 'string', metadata: 'metadata', receipt_email: 'email', shipping: 'hash', fraud_details: 'hash', transfer_group: 'string' },
    handle: (call, state) => {
      const charge = state.charges.require(call.pathParams.id, 'charge');
      const before = { ...charge };
      const p = call.params;
      if (has(p, 'description')) charge.description = str(p, 'description') ?? null;
      if (has(p, 'receipt_email')) charge.receipt_email = str(p, 'receipt_email') ?? null;
      if (has(p, 'shipping')) charge.shipping = obj(p, 'shipping') ?? null;
      if (has(p, 'transfer_group')) charge.transfer_group = str(p, 'transfer_group') ?? null;
      charge.metadata = mergeMetadata(charge.metadata, p);
      const previous = changedFields(before, charge);
      if (previous) state.emit('charge.updated', charge, call, previous);
      return charge;
    },
  },
  {
    method: 'POST',
    path: '/v1/charges/:id/capture',
    stripeParams: 'ChargeCaptureParams',
    params: { amount: 'integer', receipt_email: 'email', statement_descriptor: 'string' },
    handle: (call, state) => {
      const charge = state.charges.require(call.pathParams.id, 'charge');
      if (charge.captured || charge.status !== 'succeeded') {
        throw invalidRequest(`Charge ${charge.id} has already been captured.`, undefined, 'charge_already_captured');
      }
      const amount = int(call.params, 'amount') ?? charge.amount;
      if (amount > charge.amount) throw invalidRequest('Amount to capture exceeds the amount authorized.', 'amount');
      captureCharge(state, charge, amount, call);
      const pi = charge.payment_intent ? state.paymentIntents.get(charge.payment_intent) : undefined;
      if (pi && pi.status === 'requires_capture') {
        pi.status = 'succeeded';
        pi.amount_received = amount;
        pi.amount_capturable = 0;
        state.emit('payment_intent.succeeded', pi, call);
      }
      return charge;
    },
  },
  {
    method: 'GET',
    path: '/v1/charges',
    stripeParams: 'ChargeListParams',
    params: { ...LIST_PARAMS, customer: 'string', payment_intent: 'string', transfer_group: 'string' },
    handle: ({ params }, state) => {
      const customer = str(params, 'customer');
      const pi = str(params, 'payment_intent');
      const created = createdFilter(params);
      return state.charges.list('/v1/charges', listOptions(params), (c) =>
        (customer === undefined || c.customer === customer) && (pi === undefined || c.payment_intent === pi) && created(c),
      );
    },
  },
  {
    method: 'GET',
    path: '/v1/charges/:id/refunds',
    params: { ...LIST_PARAMS },
    handle: ({ params, pathParams }, state) => {
      const charge = state.charges.require(pathParams.id, 'charge');
      return state.refunds.list(`/v1/charges/${charge.id}/refunds`, listOptions(params), (r) => r.charge === charge.id);
    },
  },
];

/**
 * POST /v1/charges, the pre-PaymentIntents way older integrations still pay: `source` is a `tok_*`
 * test token or a payment method id; `capture: false` only authorizes.
 */
export const legacyChargeRoute: Route = {
  method: 'POST',
  path: '/v1/charges',
  stripeParams: 'ChargeCreateParams',
  params: {
    amount: 'integer',
    currency: 'currency',
    source: 'string',
    customer: 'string',
    description: 'string',
    metadata: 'metadata',
    capture: 'boolean',
    receipt_email: 'email',
    shipping: 'hash',
    statement_descriptor: 'string',
    statement_descriptor_suffix: 'string',
    transfer_group: 'string',
  },
  handle: (call, state) => {
    const p = call.params;
    const amount = requireInt(p, 'amount');
    const currency = requireStr(p, 'currency').toLowerCase();
    checkChargeAmount(amount, currency);
    const customer = str(p, 'customer');
    if (customer !== undefined) state.customers.require(customer, 'customer');
    const source = str(p, 'source');
    if (source === undefined) throw missingParam('source');
    const pm = source.startsWith('tok_')
      ? createPaymentMethod(state, { type: 'card', card: { token: source } }, '')
      : resolvePaymentMethod(state, source, 'source');
    const payment: Payment = {
      id: null,
      amount,
      currency,
      customer: customer ?? null,
      description: str(p, 'description') ?? null,
      metadata: metadataOf(p),
      receipt_email: str(p, 'receipt_email') ?? null,
      shipping: obj(p, 'shipping') ?? null,
      statement_descriptor: str(p, 'statement_descriptor') ?? null,
      statement_descriptor_suffix: str(p, 'statement_descriptor_suffix') ?? null,
      transfer_group: str(p, 'transfer_group') ?? null,
    };
    // No 3D Secure on this API: a card that needs it declines, as Stripe does for charges.
    const outcome = cardOutcome(state.cards.get(pm.id), { offSession: true, authenticated: false, forcedDecline: call.forcedDecline });
    if (outcome.kind !== 'approve') {
      const decline = outcome.kind === 'decline' ? outcome.decline : declineFor('authentication_required');
      const charge = createCharge(state, payment, pm, { approved: false, decline });
      state.emit('charge.failed', charge, call);
      throw declineError(decline, { charge: charge.id });
    }
    const charge = createCharge(state, payment, pm, { approved: true, capture: bool(p, 'capture') ?? true });
    state.emit('charge.succeeded', charge, call);
    return charge;
  },
};
