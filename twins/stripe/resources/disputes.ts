// Disputes: Stripe's dispute test cards (pm_card_createDispute, 4000000000000259 …) are disputed
// right after their charge succeeds, with charge.dispute.created (and, for a chargeback,
// charge.dispute.funds_withdrawn: the amount plus the $15 dispute fee leave the balance). Disputes
// can be listed, retrieved, updated with evidence and closed. Submitted evidence whose
// `uncategorized_text` is `winning_evidence` wins (funds and fee reinstated,
// charge.dispute.funds_reinstated), `losing_evidence` loses; other evidence stays under review.
// An inquiry (pm_card_createDisputeInquiry) moves no money; winning closes it as warning_closed,
// losing escalates it to a chargeback that is lost.
// Stripe decides a test dispute a few moments after the evidence; the twin decides at once, so the
// update's answer already shows the outcome.
// @see https://docs.stripe.com/testing#disputes and https://docs.stripe.com/api/disputes
import { invalidRequest } from '../errors.ts';
import { changedFields, createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, mergeMetadata, obj, str, type ObjectSpec, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { BalanceTransaction, Charge, Dispute } from '../stripe-objects.ts';

/** Stripe's dispute fee, withdrawn with the disputed amount (and returned when the dispute is won). */
const DISPUTE_FEE = 1500;
const DAY = 86_400;
/** Evidence is due 7 days after the dispute opens in test mode (the networks give 7–21). */
const RESPONSE_WINDOW = 7 * DAY;

const EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
] as const;

const EVIDENCE_PARAMS: ObjectSpec = {
  ...Object.fromEntries(EVIDENCE_FIELDS.map((field) => [field, 'string' as const])),
  appeal: 'hash',
  enhanced_evidence: 'hash',
};

/** Stripe's limit on the evidence text fields together. @see https://docs.stripe.com/api/disputes/update */
const EVIDENCE_CHARACTERS = 150_000;

/** The network reason code a Visa dispute of each reason carries (10.4 fraud, 13.1 not received). */
const VISA_REASON_CODES: Record<string, string> = { fraudulent: '10.4', product_not_received: '13.1' };

const CLOSED: ReadonlySet<Dispute['status']> = new Set(['won', 'lost', 'warning_closed']);

function emptyEvidence(): Dispute['evidence'] {
  return { ...Object.fromEntries(EVIDENCE_FIELDS.map((field) => [field, null])), enhanced_evidence: {} };
}

/** A balance adjustment for a dispute: money out when opened, back in when won. */
function adjustment(state: StripeState, dispute: Dispute, direction: 'withdrawal' | 'reversal', charge: string): BalanceTransaction {
  state.touch(dispute);
  const sign = direction === 'withdrawal' ? -1 : 1;
  const now = state.now();
  const fee = -sign * DISPUTE_FEE;
  const txn: BalanceTransaction = {
    id: state.ids.next('txn'),
    object: 'balance_transaction',
    amount: sign * dispute.amount,
    available_on: now,
    balance_type: 'payments',
    created: now,
    currency: dispute.currency,
    description: `Chargeback ${direction} for ${charge}`,
    exchange_rate: null,
    fee,
    fee_details: [{ amount: fee, application: null, currency: dispute.currency, description: 'Dispute fee', type: 'stripe_fee' }],
    net: sign * dispute.amount - fee,
    reporting_category: direction === 'withdrawal' ? 'dispute' : 'dispute_reversal',
    source: dispute.id,
    status: 'available',
    type: 'adjustment',
  };
  state.balanceTransactions.insert(txn);
  dispute.balance_transactions.push(txn);
  return txn;
}

/** Opens the dispute a dispute test card's charge gets, as the card network would. */
export function openDispute(state: StripeState, charge: Charge, reason: string, inquiry: boolean): Dispute {
  state.touch(charge);
  const now = state.now();
  const brand = String((charge.payment_method_details.card as { brand?: string } | undefined)?.brand ?? 'visa');
  const reasonCode = inquiry ? (VISA_REASON_CODES[reason]?.split('.')[0] ?? null) : (VISA_REASON_CODES[reason] ?? null);
  const dispute: Dispute = {
    id: state.ids.next('dp'),
    object: 'dispute',
    amount: charge.amount_captured,
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: emptyEvidence(),
    evidence_details: { due_by: now + RESPONSE_WINDOW, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'not_submitted' },
    intended_submission_method: null,
    // An inquiry has not taken the money: the charge can still be refunded to settle it.
    is_charge_refundable: inquiry,
    livemode: false,
    metadata: {},
    network_reason_code: reasonCode,
    payment_intent: charge.payment_intent,
    payment_method_details: { card: { brand, case_type: inquiry ? 'inquiry' : 'chargeback', network: brand, network_reason_code: reasonCode }, type: 'card' },
    reason,
    status: inquiry ? 'warning_needs_response' : 'needs_response',
  };
  state.disputes.insert(dispute);
  charge.disputed = true;
  // A chargeback takes the money as it opens: the created event already lists the withdrawal.
  if (!inquiry) adjustment(state, dispute, 'withdrawal', dispute.charge);
  state.emit('charge.dispute.created', dispute, null);
  if (!inquiry) state.emit('charge.dispute.funds_withdrawn', dispute, null);
  return dispute;
}

/** An inquiry escalated to a chargeback: the money leaves now. */
function withdraw(state: StripeState, dispute: Dispute): void {
  state.touch(dispute);
  adjustment(state, dispute, 'withdrawal', dispute.charge);
  dispute.is_charge_refundable = false;
  state.emit('charge.dispute.funds_withdrawn', dispute, null);
}

function close(state: StripeState, dispute: Dispute, status: Dispute['status'], call: ApiCall | null): void {
  state.touch(dispute);
  dispute.status = status;
  state.emit('charge.dispute.closed', dispute, call);
}

/** The outcome the test evidence values stand for; other evidence leaves the dispute under review. */
function decide(state: StripeState, dispute: Dispute, call: ApiCall | null): void {
  state.touch(dispute);
  const text = dispute.evidence.uncategorized_text;
  const inquiry = dispute.status === 'warning_under_review';
  if (text === 'winning_evidence') {
    if (inquiry) return close(state, dispute, 'warning_closed', call);
    adjustment(state, dispute, 'reversal', dispute.charge);
    state.emit('charge.dispute.funds_reinstated', dispute, call);
    return close(state, dispute, 'won', call);
  }
  if (text === 'losing_evidence') {
    if (inquiry) withdraw(state, dispute);
    close(state, dispute, 'lost', call);
  }
}

function updateDispute(state: StripeState, dispute: Dispute, p: Params, call: ApiCall): Dispute {
  state.touch(dispute);
  if (CLOSED.has(dispute.status) && (has(p, 'evidence') || bool(p, 'submit') === true)) {
    throw invalidRequest(`This dispute is already closed (status ${dispute.status}); its evidence can no longer be changed.`, 'evidence');
  }
  const reviewing = dispute.status === 'under_review' || dispute.status === 'warning_under_review';
  if (reviewing && has(p, 'evidence')) {
    throw invalidRequest('Evidence has already been submitted for this dispute and is under review; it can no longer be changed.', 'evidence');
  }
  const before = JSON.parse(JSON.stringify(dispute)) as Record<string, unknown>;
  const evidence = obj(p, 'evidence');
  if (evidence) {
    const next = { ...dispute.evidence };
    for (const [key, value] of Object.entries(evidence)) next[key] = key === 'enhanced_evidence' ? (value ?? {}) : value;
    const characters = EVIDENCE_FIELDS.reduce((sum, field) => sum + (typeof next[field] === 'string' ? (next[field] as string).length : 0), 0);
    if (characters > EVIDENCE_CHARACTERS) {
      throw invalidRequest(`The evidence text fields together can be at most ${EVIDENCE_CHARACTERS} characters; these have ${characters}.`, 'evidence');
    }
    dispute.evidence = next;
    dispute.evidence_details.has_evidence = EVIDENCE_FIELDS.some((field) => next[field] !== null && next[field] !== undefined);
  }
  if (has(p, 'intended_submission_method')) dispute.intended_submission_method = str(p, 'intended_submission_method') ?? null;
  dispute.metadata = mergeMetadata(dispute.metadata, p);
  // Evidence goes to the bank unless `submit: false` stages it.
  const submitting = !CLOSED.has(dispute.status) && !reviewing && bool(p, 'submit') !== false && (evidence !== undefined || bool(p, 'submit') === true);
  if (submitting) {
    dispute.evidence_details.submission_count += 1;
    dispute.evidence_details.submission_method = 'manual';
    dispute.status = dispute.status === 'warning_needs_response' ? 'warning_under_review' : 'under_review';
  }
  const previous = changedFields(before, dispute);
  if (previous) state.emit('charge.dispute.updated', dispute, call, previous);
  if (submitting) decide(state, dispute, call);
  return dispute;
}

/** Accepts the dispute as lost (an inquiry is closed as warning_closed instead). */
function closeDispute(state: StripeState, dispute: Dispute, call: ApiCall): Dispute {
  state.touch(dispute);
  if (CLOSED.has(dispute.status)) throw invalidRequest(`This dispute is already closed (status ${dispute.status}).`, 'dispute');
  const inquiry = dispute.status === 'warning_needs_response' || dispute.status === 'warning_under_review';
  close(state, dispute, inquiry ? 'warning_closed' : 'lost', call);
  return dispute;
}

/**
 * Opens disputes for the charges of dispute test cards. The dispute follows the whole payment
 * (queued as a microtask): its events come after payment_intent.succeeded, as a network's dispute
 * comes after the payment, yet before the API answers, so a SUT that looks next finds it.
 */
export function watchDisputes(state: StripeState, cardDispute: (pm: string) => { reason: string; inquiry: boolean } | undefined): void {
  state.onEvent((event, object) => {
    if (event.type !== 'charge.succeeded' && event.type !== 'charge.captured') return;
    const charge = object as Charge;
    if (!charge.captured || charge.disputed || charge.payment_method === null) return;
    const dispute = cardDispute(charge.payment_method);
    if (!dispute) return;
    queueMicrotask(() => {
      if (state.charges.get(charge.id) === charge && !charge.disputed) openDispute(state, charge, dispute.reason, dispute.inquiry);
    });
  });
}

/**
 * The dispute as it is now: once `due_by` has passed without a response it is past due, and a
 * chargeback nobody answered is lost. Noticed when the dispute is next read (no timer per dispute).
 */
function currentDispute(state: StripeState, dispute: Dispute): Dispute {
  state.touch(dispute);
  const due = dispute.evidence_details.due_by;
  const waiting = dispute.status === 'needs_response' || dispute.status === 'warning_needs_response';
  if (!waiting || due === null || state.now() <= due) return dispute;
  dispute.evidence_details.past_due = true;
  if (dispute.status === 'needs_response') close(state, dispute, 'lost', null);
  return dispute;
}

export function disputeRoutes(state: StripeState): Route[] {
  watchDisputes(state, (pm) => state.cards.get(pm)?.dispute);
  const byId = (s: StripeState, call: ApiCall): Dispute => currentDispute(s, s.disputes.require(call.pathParams.id as string, 'dispute'));
  return [
    { method: 'GET', path: '/v1/disputes/:id', params: {}, handle: (call, s) => byId(s, call) },
    {
      method: 'POST',
      path: '/v1/disputes/:id',
      stripeParams: 'DisputeUpdateParams',
      params: { evidence: EVIDENCE_PARAMS, intended_submission_method: 'string', metadata: 'metadata', submit: 'boolean' },
      handle: (call, s) => updateDispute(s, byId(s, call), call.params, call),
    },
    {
      method: 'POST',
      path: '/v1/disputes/:id/close',
      stripeParams: 'DisputeCloseParams',
      params: {},
      handle: (call, s) => closeDispute(s, byId(s, call), call),
    },
    {
      method: 'GET',
      path: '/v1/disputes',
      stripeParams: 'DisputeListParams',
      params: { ...LIST_PARAMS, charge: 'string', payment_intent: 'string' },
      handle: ({ params }, s) => {
        const charge = str(params, 'charge');
        const pi = str(params, 'payment_intent');
        const created = createdFilter(params);
        for (const dispute of s.disputes.all()) currentDispute(s, dispute);
        return s.disputes.list('/v1/disputes', listOptions(params), (d) =>
          (charge === undefined || d.charge === charge) && (pi === undefined || d.payment_intent === pi) && created(d),
        );
      },
    },
  ];
}
