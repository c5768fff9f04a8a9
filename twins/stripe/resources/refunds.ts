// Refunds, full and partial, of a charge or of a PaymentIntent's latest charge.
// @see https://docs.stripe.com/api/refunds
import { recordBalance } from '../charging.ts';
import { invalidRequest, missingParam } from '../errors.ts';
import { createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { int, mergeMetadata, metadataOf, str, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { Charge, Refund } from '../stripe-objects.ts';

const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

const money = (amount: number): string => `$${(amount / 100).toFixed(2)}`;

function chargeToRefund(state: StripeState, p: Params): Charge {
  const chargeId = str(p, 'charge');
  const piId = str(p, 'payment_intent');
  if (chargeId) return state.charges.require(chargeId, 'charge');
  if (!piId) throw missingParam('charge');
  const pi = state.paymentIntents.require(piId, 'payment_intent');
  const charge = pi.latest_charge ? state.charges.get(pi.latest_charge) : undefined;
  if (!charge || charge.status !== 'succeeded') {
    throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, 'payment_intent');
  }
  return charge;
}

export function createRefund(state: StripeState, p: Params, call: ApiCall | null): Refund {
  const charge = chargeToRefund(state, p);
  if (!charge.captured) {
    throw invalidRequest(`Charge ${charge.id} has not been captured; cancel its PaymentIntent to release the authorization.`, 'charge', 'charge_not_refundable');
  }
  // A chargeback took the money back already (disputes.ts); an inquiry's charge can still be refunded.
  if (state.disputes.all().some((d) => d.charge === charge.id && !d.is_charge_refundable)) {
    throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, 'charge', 'charge_disputed');
  }
  // A partial capture already counts its released remainder as refunded (amount_refunded).
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge', 'charge_already_refunded');
  const amount = int(p, 'amount') ?? remaining;
  if (amount <= 0) throw invalidRequest('Invalid positive integer', 'amount');
  if (amount > remaining) {
    throw invalidRequest(`Refund amount (${money(amount)}) is greater than unrefunded amount on charge (${money(remaining)})`, 'amount');
  }
  const reason = str(p, 'reason');
  if (reason !== undefined && !REASONS.includes(reason)) {
    throw invalidRequest(`Invalid reason: must be one of ${REASONS.join(', ')}`, 'reason');
  }
  const refund: Refund = {
    id: state.ids.next('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: state.now(),
    currency: charge.currency,
    customer: charge.customer,
    customer_account: null,
    destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
    metadata: metadataOf(p),
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason: reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  refund.balance_transaction = recordBalance(state, 'refund', amount, charge.currency, refund.id).id;
  state.refunds.insert(refund);
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  state.emit('refund.created', refund, call);
  state.emit('charge.refunded', charge, call, previous);
  return refund;
}

export const refundRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/refunds',
    stripeParams: 'RefundCreateParams',
    params: { charge: 'string', payment_intent: 'string', amount: 'integer', reason: 'string', metadata: 'metadata', instructions_email: 'email', refund_application_fee: 'boolean', reverse_transfer: 'boolean' },
    handle: (call, state) => createRefund(state, call.params, call),
  },
  { method: 'GET', path: '/v1/refunds/:id', params: {}, handle: ({ pathParams }, state) => state.refunds.require(pathParams.id, 'refund') },
  {
    method: 'POST',
    path: '/v1/refunds/:id',
    params: { metadata: 'metadata' },
    handle: (call, state) => {
      const refund = state.refunds.require(call.pathParams.id, 'refund');
      const previous = { metadata: refund.metadata };
      refund.metadata = mergeMetadata(refund.metadata, call.params);
      state.emit('refund.updated', refund, call, previous);
      return refund;
    },
  },
  {
    method: 'POST',
    path: '/v1/refunds/:id/cancel',
    params: {},
    handle: ({ pathParams }, state) => {
      const refund = state.refunds.require(pathParams.id, 'refund');
      throw invalidRequest(`Refund ${refund.id} has a status of ${refund.status}; only pending refunds can be canceled.`, undefined, 'refund_unexpected_state');
    },
  },
  {
    method: 'GET',
    path: '/v1/refunds',
    stripeParams: 'RefundListParams',
    params: { ...LIST_PARAMS, charge: 'string', payment_intent: 'string' },
    handle: ({ params }, state) => {
      const charge = str(params, 'charge');
      const pi = str(params, 'payment_intent');
      const created = createdFilter(params);
      return state.refunds.list('/v1/refunds', listOptions(params), (r) =>
        (charge === undefined || r.charge === charge) && (pi === undefined || r.payment_intent === pi) && created(r),
      );
    },
  },
];
