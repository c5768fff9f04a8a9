// The `trigger` action: makes an event happen, like `stripe trigger`, by running the real flow
// behind it (a payment_intent.succeeded comes from a PaymentIntent confirmed with pm_card_visa,
// with its charge and events), so the objects an event names exist. Types without a flow here
// emit an event around the given object.
import { Type } from '@sinclair/typebox';
import { StripeApiError } from './errors.ts';
import type { Params } from './params.ts';
import { payCheckoutSession } from './checkout-payment.ts';
import { createCheckoutSession, expireCheckoutSession } from './resources/checkout-sessions.ts';
import { createCustomer } from './resources/customers.ts';
import { openDispute } from './resources/disputes.ts';
import { attachPaymentMethod, resolvePaymentMethod } from './resources/payment-methods.ts';
import { createPaymentIntent } from './resources/payment-intents.ts';
import { createPrice, createProduct } from './resources/products.ts';
import { createRefund } from './resources/refunds.ts';
import { createSetupIntent } from './resources/setup-intents.ts';
import { cancelSubscription, createSubscription } from './resources/subscriptions.ts';
import type { StripeState } from './state.ts';
import type { StripeEvent } from './stripe-objects.ts';

export const TriggerParamsSchema = Type.Object(
  {
    event: Type.String({ description: 'event type, e.g. payment_intent.succeeded' }),
    object: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'for types without a built-in flow: data.object' })),
  },
  { additionalProperties: false },
);

const paid = (state: StripeState, extra: Params = {}) => {
  try {
    return createPaymentIntent(state, { amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...extra }, null);
  } catch (error) {
    if (error instanceof StripeApiError && error.fields.type === 'card_error') return undefined;
    throw error;
  }
};

/** Id prefixes of objects the twin does not model, for events made up around them. */
const ID_PREFIXES: Record<string, string> = {
  payout: 'po',
  transfer: 'tr',
  charge: 'ch',
  checkout: 'cs',
  invoice: 'in',
  invoiceitem: 'ii',
  subscription_schedule: 'sub_sched',
  account: 'acct',
  issuing_card: 'ic',
  coupon: 'co',
  file: 'file',
  review: 'prv',
};

/** A customer whose default card is `card`, subscribed monthly to a new price. */
const subscribed = (state: StripeState, card = 'pm_card_visa') => {
  const customer = createCustomer(state, { email: 'jenny.rosen@example.com' }, null);
  const pm = attachPaymentMethod(state, resolvePaymentMethod(state, card, 'payment_method'), customer.id, null);
  state.touch(customer);
  customer.invoice_settings.default_payment_method = pm.id;
  const price = createPrice(state, { currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' }, product_data: { name: 'myproduct' } }, null);
  return createSubscription(state, { customer: customer.id, items: [{ price: price.id }] }, null);
};

/** An open Checkout Session for one $30 T-shirt. */
const checkout = (state: StripeState) =>
  createCheckoutSession(
    state,
    { mode: 'payment', line_items: [{ price_data: { currency: 'usd', unit_amount: 3000, product_data: { name: 'T-shirt' } }, quantity: 1 }], success_url: 'https://example.com/success' },
    null,
  );

/** A payment with pm_card_createDispute, disputed now rather than after the flow (trigger reports what the flow emitted). */
const disputed = (state: StripeState) => {
  const pi = paid(state, { payment_method: 'pm_card_createDispute' });
  if (pi?.latest_charge) openDispute(state, state.charges.require(pi.latest_charge), 'fraudulent', false);
};

const FLOWS: Record<string, (state: StripeState) => void> = {
  'customer.created': (s) => void createCustomer(s, { email: 'jenny.rosen@example.com', name: 'Jenny Rosen' }, null),
  'customer.updated': (s) => {
    const c = createCustomer(s, { name: 'Jenny Rosen' }, null);
    const previous = { email: c.email };
    c.email = 'jenny.rosen@example.com';
    s.emit('customer.updated', c, null, previous);
  },
  'customer.deleted': (s) => {
    const c = createCustomer(s, { name: 'Jenny Rosen' }, null);
    s.customers.delete(c.id);
    s.deleted.set(c.id, 'customer');
    s.emit('customer.deleted', c, null);
  },
  'payment_method.attached': (s) => {
    const c = createCustomer(s, {}, null);
    attachPaymentMethod(s, resolvePaymentMethod(s, 'pm_card_visa', 'payment_method'), c.id, null);
  },
  'payment_intent.created': (s) => void createPaymentIntent(s, { amount: 2000, currency: 'usd' }, null),
  'payment_intent.succeeded': (s) => void paid(s),
  'charge.succeeded': (s) => void paid(s),
  'payment_intent.payment_failed': (s) => void paid(s, { payment_method: 'pm_card_chargeDeclined' }),
  'charge.failed': (s) => void paid(s, { payment_method: 'pm_card_chargeDeclined' }),
  'payment_intent.requires_action': (s) => void paid(s, { payment_method: 'pm_card_authenticationRequired' }),
  'payment_intent.amount_capturable_updated': (s) => void paid(s, { capture_method: 'manual' }),
  'payment_intent.canceled': (s) => {
    const pi = createPaymentIntent(s, { amount: 2000, currency: 'usd' }, null);
    pi.status = 'canceled';
    pi.canceled_at = s.now();
    s.emit('payment_intent.canceled', pi, null);
  },
  'charge.refunded': (s) => {
    const pi = paid(s);
    if (pi) createRefund(s, { payment_intent: pi.id }, null);
  },
  'refund.created': (s) => {
    const pi = paid(s);
    if (pi) createRefund(s, { payment_intent: pi.id }, null);
  },
  'product.created': (s) => void createProduct(s, { name: 'myproduct' }, null),
  'setup_intent.succeeded': (s) => void createSetupIntent(s, { payment_method: 'pm_card_visa', confirm: true }, null),
  'customer.subscription.created': (s) => void subscribed(s),
  'invoice.created': (s) => void subscribed(s),
  'invoice.finalized': (s) => void subscribed(s),
  'invoice.paid': (s) => void subscribed(s),
  'invoice.payment_succeeded': (s) => void subscribed(s),
  'invoice.payment_failed': (s) => void subscribed(s, 'pm_card_chargeCustomerFail'),
  'customer.subscription.deleted': (s) => void cancelSubscription(s, subscribed(s), {}, null),
  'checkout.session.completed': (s) => void payCheckoutSession(s, checkout(s).id, { card: 'pm_card_visa' }),
  'checkout.session.expired': (s) => void expireCheckoutSession(s, checkout(s), null),
  'charge.dispute.created': disputed,
  'charge.dispute.funds_withdrawn': disputed,
  'price.created': (s) => void createPrice(s, { currency: 'usd', unit_amount: 1500, product_data: { name: 'myproduct' } }, null),
};

/** Runs the flow for `type` and returns the events it emitted, the triggered one last-found. */
export function trigger(state: StripeState, type: string, object?: Record<string, unknown>): { event: StripeEvent | undefined; events: string[] } {
  const before = state.events.size;
  const flow = FLOWS[type];
  if (flow) flow(state);
  else {
    const noun = type.split('.')[0] ?? 'object';
    const data = { id: state.ids.next(ID_PREFIXES[noun] ?? noun.slice(0, 4)), object: noun, ...(object ?? {}) } as { id: string; object: string };
    state.emit(type, data, null);
  }
  const emitted = state.events.all().slice(before);
  const event = [...emitted].reverse().find((e) => e.type === type);
  return { event, events: emitted.map((e) => e.id) };
}
