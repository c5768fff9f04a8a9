// Paying a Checkout Session, as the hosted page's Pay button or the `complete_checkout` action does:
// a card (a test token such as pm_card_visa, or a test number) becomes a PaymentMethod; payment
// mode confirms a PaymentIntent, setup mode a SetupIntent, subscription mode creates the
// Subscription and confirms its first invoice's PaymentIntent. A decline leaves the session open
// for another card (the same intent is retried); a 3D Secure card leaves it waiting for the
// challenge; success completes it and fires checkout.session.completed.
// A delayed payment (as with bank debits) completes the session unpaid; settleCheckoutSession
// later fires checkout.session.async_payment_succeeded or _failed.
// @see https://docs.stripe.com/checkout/fulfillment and https://docs.stripe.com/payments/checkout/how-checkout-works
import { Type, type Static } from '@sinclair/typebox';
import { attempt, authenticatePaymentIntent, confirmPaymentIntent, createPaymentIntent } from './resources/payment-intents.ts';
import { lastError } from './charging.ts';
import { invalidRequest, StripeApiError } from './errors.ts';
import type { Params } from './params.ts';
import { createCustomer } from './resources/customers.ts';
import { checkoutPageUrl, paramsOf, requireSession, sessionLineItems } from './resources/checkout-sessions.ts';
import { invoicePaymentIntent } from './resources/invoices.ts';
import { attachPaymentMethod, createPaymentMethod, resolvePaymentMethod } from './resources/payment-methods.ts';
import { authenticateSetupIntent, createSetupIntent } from './resources/setup-intents.ts';
import { createSubscription } from './resources/subscriptions.ts';
import type { StripeState } from './state.ts';
import type { CheckoutSession, Customer, PaymentIntent, PaymentMethod, SetupIntent } from './stripe-objects.ts';
import { declineFor } from './test-cards.ts';

/** What the customer enters on the page (or the action is given). */
export interface CheckoutCard {
  /** `pm_card_visa`, `tok_visa`, or a card number such as 4000000000000259. */
  card: string;
  exp_month?: number;
  exp_year?: number;
  cvc?: string;
  email?: string;
  name?: string;
  /** A delayed-notification payment (payment mode): the session completes unpaid until settled. */
  delayed?: boolean;
}

export type CheckoutOutcome =
  | { outcome: 'complete'; session: CheckoutSession }
  | { outcome: 'processing'; session: CheckoutSession }
  | { outcome: 'requires_action'; session: CheckoutSession; intent: string }
  | { outcome: 'declined'; session: CheckoutSession; error: { code?: string; decline_code?: string; message: string } };

/** The PaymentMethod for what was entered, carrying the email and name given with it. */
function paymentMethodFor(state: StripeState, entered: CheckoutCard): PaymentMethod {
  const billing = { ...(entered.email ? { email: entered.email } : {}), ...(entered.name ? { name: entered.name } : {}) };
  let pm: PaymentMethod;
  if (entered.card.startsWith('pm_')) {
    pm = resolvePaymentMethod(state, entered.card, 'card');
    pm.billing_details = { ...(pm.billing_details as object), ...billing };
  } else {
    const card: Params = entered.card.startsWith('tok_')
      ? { token: entered.card }
      : {
          number: entered.card,
          exp_month: entered.exp_month ?? 12,
          exp_year: entered.exp_year ?? new Date(state.now() * 1000).getUTCFullYear() + 3,
          ...(entered.cvc ? { cvc: entered.cvc } : {}),
        };
    pm = createPaymentMethod(state, { type: 'card', card, billing_details: billing }, 'card');
  }
  return pm;
}

/** The customer the session pays as: its own, or one Checkout creates (always in subscription mode). */
function customerFor(state: StripeState, session: CheckoutSession, entered: CheckoutCard): Customer | undefined {
  if (session.customer) return state.customers.require(session.customer, 'customer');
  if (session.mode !== 'subscription' && session.customer_creation !== 'always') return undefined;
  const email = entered.email ?? session.customer_email ?? undefined;
  const customer = createCustomer(state, { ...(email ? { email } : {}), ...(entered.name ? { name: entered.name } : {}) }, null);
  session.customer = customer.id;
  return customer;
}

/** Where a 3D Secure challenge hands back to: the hosted page, which then finishes the session. */
function returnUrl(state: StripeState, session: CheckoutSession): string {
  return `${checkoutPageUrl(state, session.id)}/return`;
}

/** Pays `session` with the entered card. Card declines are outcomes, not errors. */
export function payCheckoutSession(state: StripeState, id: string, entered: CheckoutCard): CheckoutOutcome {
  const session = requireSession(state, id);
  if (session.status !== 'open') throw invalidRequest(`This Checkout Session is ${session.status} and can no longer be paid.`, 'session');
  if (entered.delayed && session.mode !== 'payment') throw invalidRequest('A delayed payment is only modelled in `payment` mode.', 'delayed');
  try {
    // A card number Stripe's page would refuse (bad Luhn digit, past expiry) is a decline too.
    const pm = paymentMethodFor(state, entered);
    const customer = customerFor(state, session, entered);
    const email = entered.email ?? session.customer_email ?? customer?.email ?? null;
    details.set(session, { email, name: entered.name ?? null });
    if (session.mode === 'payment') return payPayment(state, session, pm, customer, entered.delayed === true);
    if (session.mode === 'setup') return paySetup(state, session, pm, customer);
    return paySubscription(state, session, pm, customer as Customer);
  } catch (error) {
    if (error instanceof StripeApiError && error.fields.type === 'card_error') {
      const { code, decline_code, message } = error.fields;
      return { outcome: 'declined', session, error: { code, decline_code, message } };
    }
    throw error;
  }
}

/** Who paid, kept from the attempt until the session completes (customer_details). */
const details = new WeakMap<CheckoutSession, { email: string | null; name: string | null }>();

function payPayment(state: StripeState, session: CheckoutSession, pm: PaymentMethod, customer: Customer | undefined, delayed: boolean): CheckoutOutcome {
  state.touch(session);
  const data = paramsOf(session).paymentIntentData;
  let pi = session.payment_intent ? state.paymentIntents.get(session.payment_intent) : undefined;
  if (!pi) {
    pi = createPaymentIntent(
      state,
      {
        ...data,
        amount: session.amount_total as number,
        currency: session.currency as string,
        payment_method_types: session.payment_method_types,
        ...(customer ? { customer: customer.id } : {}),
      },
      null,
    );
    session.payment_intent = pi.id;
  }
  if (delayed) {
    // Bank debits confirm at once and settle days later: the intent waits in processing.
    state.touch(pi);
    pi.payment_method = pm.id;
    pi.status = 'processing';
    state.emit('payment_intent.processing', pi, null);
    return complete(state, session, 'processing');
  }
  confirmPaymentIntent(state, pi, { payment_method: pm.id, return_url: returnUrl(state, session) }, null);
  return afterIntent(state, session, pi);
}

function paySetup(state: StripeState, session: CheckoutSession, pm: PaymentMethod, customer: Customer | undefined): CheckoutOutcome {
  state.touch(session);
  const data = paramsOf(session).setupIntentData;
  const si = createSetupIntent(
    state,
    { ...data, payment_method: pm.id, confirm: true, usage: 'off_session', return_url: returnUrl(state, session), ...(customer ? { customer: customer.id } : {}) },
    null,
  );
  session.setup_intent = si.id;
  return afterIntent(state, session, si);
}

function paySubscription(state: StripeState, session: CheckoutSession, pm: PaymentMethod, customer: Customer): CheckoutOutcome {
  state.touch(session);
  const data = paramsOf(session).subscriptionData;
  let sub = session.subscription ? state.subscriptions.get(session.subscription) : undefined;
  if (!sub) {
    sub = createSubscription(
      state,
      {
        customer: customer.id,
        items: sessionLineItems(session).map((item) => ({ price: item.price.id, quantity: item.quantity })),
        payment_behavior: 'default_incomplete',
        ...(data.metadata ? { metadata: data.metadata } : {}),
        ...(data.description ? { description: data.description } : {}),
        ...(data.trial_period_days !== undefined ? { trial_period_days: data.trial_period_days } : {}),
        ...(data.trial_end !== undefined ? { trial_end: data.trial_end } : {}),
      },
      null,
    );
    session.subscription = sub.id;
    session.invoice = sub.latest_invoice;
  }
  if (pm.customer === null) attachPaymentMethod(state, pm, customer.id, null);
  state.touch(sub);
  sub.default_payment_method = pm.id;
  const invoice = sub.latest_invoice ? state.invoices.get(sub.latest_invoice) : undefined;
  // A trial's first invoice is $0 and paid already: the card is only saved.
  if (!invoice || invoice.status !== 'open') return complete(state, session, 'complete');
  const pi = invoicePaymentIntent(state, invoice, null);
  confirmPaymentIntent(state, pi, { payment_method: pm.id, return_url: returnUrl(state, session) }, null);
  return afterIntent(state, session, pi);
}

/** Where the intent's status leaves the session: waiting for 3DS, declined after it, or done. */
function afterIntent(state: StripeState, session: CheckoutSession, intent: PaymentIntent | SetupIntent): CheckoutOutcome {
  state.touch(session);
  if (intent.status === 'requires_action') return { outcome: 'requires_action', session, intent: intent.id };
  if (intent.status === 'succeeded' || intent.status === 'requires_capture') return complete(state, session, 'complete');
  const error = (intent.object === 'payment_intent' ? intent.last_payment_error : intent.last_setup_error) ?? {};
  return {
    outcome: 'declined',
    session,
    error: {
      ...(typeof error.code === 'string' ? { code: error.code } : {}),
      ...(typeof error.decline_code === 'string' ? { decline_code: error.decline_code } : {}),
      message: typeof error.message === 'string' ? error.message : 'Your card was declined.',
    },
  };
}

/** The intent a session is paying through, if it has started one. */
function sessionIntent(state: StripeState, session: CheckoutSession): PaymentIntent | SetupIntent | undefined {
  if (session.mode === 'setup') return session.setup_intent ? state.setupIntents.get(session.setup_intent) : undefined;
  if (session.mode === 'payment') return session.payment_intent ? state.paymentIntents.get(session.payment_intent) : undefined;
  const invoice = session.invoice ? state.invoices.get(session.invoice) : undefined;
  const piId = invoice ? state.invoicePayments.get(invoice.id) : undefined;
  return piId ? state.paymentIntents.get(piId) : undefined;
}

/** Completes (or fails) the 3D Secure challenge the session's intent waits on, then settles the session. */
export function authenticateCheckoutSession(state: StripeState, id: string, succeed: boolean): CheckoutOutcome {
  const session = requireSession(state, id);
  const intent = sessionIntent(state, session);
  if (session.status !== 'open' || intent?.status !== 'requires_action') {
    throw invalidRequest(`Checkout Session ${session.id} is not waiting for 3D Secure authentication.`, 'session');
  }
  if (intent.object === 'payment_intent') authenticatePaymentIntent(state, intent, succeed);
  else authenticateSetupIntent(state, intent, succeed);
  return afterIntent(state, session, intent);
}

/** The session's state once the 3DS page has handed back (the page shows it). */
export function checkoutSessionOutcome(state: StripeState, id: string): CheckoutOutcome {
  const session = requireSession(state, id);
  if (session.status === 'complete') return { outcome: session.payment_status === 'unpaid' && session.mode === 'payment' ? 'processing' : 'complete', session };
  const intent = sessionIntent(state, session);
  if (!intent) return { outcome: 'declined', session, error: { message: 'No payment was attempted.' } };
  return afterIntent(state, session, intent);
}

function complete(state: StripeState, session: CheckoutSession, outcome: 'complete' | 'processing'): CheckoutOutcome {
  state.touch(session);
  const paid = paymentStatus(state, session);
  const who = details.get(session) ?? { email: session.customer_email, name: null };
  session.status = 'complete';
  session.payment_status = paid;
  session.url = null;
  session.customer_details = { address: null, business_name: null, email: who.email, individual_name: null, name: who.name, phone: null, tax_exempt: 'none', tax_ids: [] };
  session.collected_information = { business_name: null, individual_name: null, shipping_details: null };
  state.emit('checkout.session.completed', session, null);
  return outcome === 'processing' ? { outcome, session } : { outcome: 'complete', session };
}

/** paid once money moved; unpaid while a delayed payment or an uncaptured authorization waits. */
function paymentStatus(state: StripeState, session: CheckoutSession): CheckoutSession['payment_status'] {
  if (session.mode === 'setup' || session.amount_total === 0) return 'no_payment_required';
  if (session.mode === 'subscription') {
    const invoice = session.invoice ? state.invoices.get(session.invoice) : undefined;
    return invoice?.amount_due === 0 ? 'no_payment_required' : invoice?.status === 'paid' ? 'paid' : 'unpaid';
  }
  const pi = session.payment_intent ? state.paymentIntents.get(session.payment_intent) : undefined;
  return pi?.status === 'succeeded' ? 'paid' : 'unpaid';
}

/**
 * Ends the delayed payment of a completed, unpaid session: `succeeded` charges the card and fires
 * checkout.session.async_payment_succeeded, `failed` fails the intent and fires _failed.
 */
export function settleCheckoutSession(state: StripeState, id: string, succeeded: boolean): CheckoutSession {
  const session = requireSession(state, id);
  const pi = session.payment_intent ? state.paymentIntents.get(session.payment_intent) : undefined;
  if (session.status !== 'complete' || !pi || pi.status !== 'processing') {
    throw invalidRequest(`Checkout Session ${session.id} has no delayed payment waiting to settle.`, 'session');
  }
  if (succeeded) {
    try {
      attempt(state, pi, { offSession: true, call: null });
    } catch (error) {
      // A card that declines when charged fails the settlement like a returned debit.
      if (!(error instanceof StripeApiError)) throw error;
    }
  }
  // attempt() moved it on (TypeScript still reads the status checked above).
  const status = pi.status as PaymentIntent['status'];
  if (status === 'succeeded') {
    session.payment_status = 'paid';
    state.emit('checkout.session.async_payment_succeeded', session, null);
    return session;
  }
  if (status === 'processing') {
    const pm = state.paymentMethods.require(pi.payment_method as string);
    pi.status = 'requires_payment_method';
    pi.last_payment_error = lastError(declineFor('generic_decline'), pm);
    state.emit('payment_intent.payment_failed', pi, null);
  }
  state.emit('checkout.session.async_payment_failed', session, null);
  return session;
}

export const CompleteCheckoutParamsSchema = Type.Object(
  {
    session: Type.String({ description: 'cs_test_…' }),
    card: Type.Optional(Type.String({ description: 'a test PaymentMethod (pm_card_visa, the default), a tok_… token, or a test card number' })),
    email: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    three_d_secure: Type.Optional(
      Type.Union([Type.Literal('succeed'), Type.Literal('fail'), Type.Literal('leave')], {
        description: 'when the card asks for 3D Secure: complete the challenge (default), fail it, or leave the session waiting for it',
      }),
    ),
    delayed: Type.Optional(Type.Boolean({ description: 'pay as a delayed-notification method would (payment mode): the session completes unpaid until settle_checkout' })),
  },
  { additionalProperties: false },
);

export const SettleCheckoutParamsSchema = Type.Object(
  {
    session: Type.String({ description: 'cs_test_… completed with delayed: true' }),
    outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  },
  { additionalProperties: false },
);

/** The `complete_checkout` action: what a customer on the hosted page does, without a browser. */
export function completeCheckout(state: StripeState, params: Static<typeof CompleteCheckoutParamsSchema>): CheckoutOutcome {
  const entered: CheckoutCard = { card: params.card ?? 'pm_card_visa' };
  if (params.email !== undefined) entered.email = params.email;
  if (params.name !== undefined) entered.name = params.name;
  if (params.delayed !== undefined) entered.delayed = params.delayed;
  const result = payCheckoutSession(state, params.session, entered);
  const challenge = params.three_d_secure ?? 'succeed';
  if (result.outcome !== 'requires_action' || challenge === 'leave') return result;
  return authenticateCheckoutSession(state, params.session, challenge === 'succeed');
}
