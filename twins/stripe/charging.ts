// What happens when a card is charged: the test card (or a fault rule's forced decline) decides
// between success, a decline, and 3D Secure; the outcome becomes a Charge and, once captured, a
// balance transaction. Shared by PaymentIntents, SetupIntents and the `trigger` action.
// @see https://docs.stripe.com/testing#declined-payments and https://docs.stripe.com/declines
import { StripeApiError } from './errors.ts';
import type { ApiCall, StripeState } from './state.ts';
import type { BalanceTransaction, Charge, PaymentIntent, PaymentMethod } from './stripe-objects.ts';
import { DECLINES, type Decline, type TestCard } from './test-cards.ts';

export type CardOutcome = { kind: 'approve' } | { kind: 'authenticate' } | { kind: 'decline'; decline: Decline };

/**
 * The outcome of charging `card`: a forced decline wins; a 3DS card asks for authentication on
 * session (and declines off session with authentication_required) until `authenticated`.
 */
export function cardOutcome(
  card: TestCard | undefined,
  options: { offSession: boolean; authenticated: boolean; forcedDecline?: Decline },
): CardOutcome {
  if (options.forcedDecline) return { kind: 'decline', decline: options.forcedDecline };
  if (!card) return { kind: 'approve' };
  const needs3DS = card.threeDS === 'always' || (card.threeDS === 'on_session' && !options.offSession);
  if (needs3DS && !options.authenticated) {
    return options.offSession ? { kind: 'decline', decline: DECLINES.authentication_required as Decline } : { kind: 'authenticate' };
  }
  if (card.decline) return { kind: 'decline', decline: card.decline };
  return { kind: 'approve' };
}

/** The card error Stripe answers a decline with, objects attached by the caller. */
export function declineError(decline: Decline, extra: Record<string, unknown>): StripeApiError {
  return new StripeApiError(402, {
    type: 'card_error',
    code: decline.code,
    decline_code: decline.decline_code,
    message: decline.message,
    param: decline.param,
    extra,
  });
}

/** `last_payment_error` / `last_setup_error`: the error object with the payment method embedded. */
export function lastError(decline: Decline, pm: PaymentMethod, charge?: string): Record<string, unknown> {
  return {
    ...(charge ? { charge } : {}),
    code: decline.code,
    decline_code: decline.decline_code,
    doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, '-')}`,
    message: decline.message,
    ...(decline.param ? { param: decline.param } : {}),
    payment_method: JSON.parse(JSON.stringify(pm)) as unknown,
    type: 'card_error',
  };
}

/**
 * A completed 3D Secure 2 challenge as the charge reports it. The ECI of a fully authenticated
 * payment is 02 on Mastercard and 05 on the other networks.
 */
function challengeResult(state: StripeState, pm: PaymentMethod) {
  const hex = [...state.ids.random(32)].map((c) => (c.charCodeAt(0) % 16).toString(16)).join('');
  return {
    authentication_flow: 'challenge',
    electronic_commerce_indicator: pm.card.brand === 'mastercard' ? '02' : '05',
    exemption_indicator: null,
    result: 'authenticated',
    result_reason: null,
    transaction_id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    version: '2.2.0',
  };
}

/** What a charge copies from the payment it belongs to: a PaymentIntent, or a bare charges.create. */
export type Payment = Pick<
  PaymentIntent,
  'amount' | 'currency' | 'customer' | 'description' | 'metadata' | 'receipt_email' | 'shipping' | 'statement_descriptor' | 'statement_descriptor_suffix' | 'transfer_group'
> & { id: string | null };

/**
 * A new charge for `pi` with `pm`, approved (captured or not) or declined; `authenticated` when a 3D
 * Secure challenge preceded it, which the card details then report as Stripe does.
 */
export function createCharge(
  state: StripeState,
  pi: Payment,
  pm: PaymentMethod,
  result: { approved: true; capture: boolean } | { approved: false; decline: Decline },
  authenticated = false,
): Charge {
  const id = state.ids.next('ch');
  const threeDSecure = authenticated ? challengeResult(state, pm) : null;
  const approved = result.approved;
  const captured = approved && result.capture;
  const charge: Charge = {
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: captured ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: pm.billing_details,
    calculated_statement_descriptor: pi.statement_descriptor ?? 'STANDIN',
    captured,
    created: state.now(),
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: approved ? null : result.decline.code,
    failure_message: approved ? null : result.decline.message,
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: null,
    outcome: approved
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          risk_score: 32,
          seller_message: 'Payment complete.',
          type: 'authorized',
        }
      : {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: result.decline.decline_code === 'fraudulent' ? 'not_sent_to_network' : 'declined_by_network',
          reason: result.decline.decline_code,
          risk_level: 'normal',
          risk_score: 32,
          seller_message: 'The bank did not return any further details with this decline.',
          type: result.decline.decline_code === 'fraudulent' ? 'blocked' : 'issuer_declined',
        },
    paid: approved,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: {
      card: {
        amount_authorized: approved ? pi.amount : null,
        authorization_code: approved ? state.ids.random(6).toUpperCase() : null,
        brand: pm.card.brand,
        checks: { ...pm.card.checks, cvc_check: pm.card.checks.cvc_check === null ? null : approved ? 'pass' : 'unavailable' },
        country: pm.card.country,
        electronic_commerce_indicator: threeDSecure?.electronic_commerce_indicator ?? null,
        exp_month: pm.card.exp_month,
        exp_year: pm.card.exp_year,
        extended_authorization: { status: 'disabled' },
        fingerprint: pm.card.fingerprint,
        funding: pm.card.funding,
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        last4: pm.card.last4,
        mandate: null,
        multicapture: { status: 'unavailable' },
        network: pm.card.brand,
        network_token: { used: false },
        network_transaction_id: approved ? state.ids.random(15) : null,
        overcapture: { maximum_amount_capturable: pi.amount, status: 'unavailable' },
        regulated_status: null,
        three_d_secure: threeDSecure,
        // Links Cartes Bancaires transactions; null for every other network.
        transaction_link_id: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/payment/${state.ids.random(40)}`,
    refunded: false,
    review: null,
    shipping: pi.shipping,
    source: null,
    source_transfer: null,
    statement_descriptor: pi.statement_descriptor,
    statement_descriptor_suffix: pi.statement_descriptor_suffix,
    status: approved ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: pi.transfer_group,
  };
  state.charges.insert(charge);
  if (captured) charge.balance_transaction = recordBalance(state, 'charge', charge.amount, charge.currency, charge.id).id;
  return charge;
}

/** Stripe's US card pricing (2.9% + 30¢) on charges; refunds return the amount, not the fee. */
export function recordBalance(state: StripeState, type: 'charge' | 'refund', amount: number, currency: string, source: string): BalanceTransaction {
  const fee = type === 'charge' ? Math.round(amount * 0.029) + 30 : 0;
  const signed = type === 'charge' ? amount : -amount;
  const now = state.now();
  const txn: BalanceTransaction = {
    id: state.ids.next('txn'),
    object: 'balance_transaction',
    amount: signed,
    available_on: now + 2 * 86_400,
    balance_type: 'payments',
    created: now,
    currency,
    description: null,
    exchange_rate: null,
    fee,
    fee_details: fee > 0 ? [{ amount: fee, application: null, currency, description: 'Stripe processing fees', type: 'stripe_fee' }] : [],
    net: signed - fee,
    reporting_category: type,
    source,
    status: 'pending',
    type,
  };
  state.balanceTransactions.insert(txn);
  return txn;
}

/** Captures `amount` of an authorized charge; the rest of the authorization is released. */
export function captureCharge(state: StripeState, charge: Charge, amount: number, call: ApiCall | null): void {
  state.touch(charge);
  const before = { amount_captured: charge.amount_captured, captured: charge.captured, amount_refunded: charge.amount_refunded };
  charge.captured = true;
  charge.amount_captured = amount;
  if (amount < charge.amount) {
    charge.amount_refunded = charge.amount - amount;
  }
  charge.balance_transaction = recordBalance(state, 'charge', amount, charge.currency, charge.id).id;
  state.emit('charge.captured', charge, call, before);
}
