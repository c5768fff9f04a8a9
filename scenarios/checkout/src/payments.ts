// Charging the order through Stripe's official client. One idempotency key per order, so every
// retry (the client's own, after a timeout or a lost response) is the same payment to Stripe.
import Stripe from 'stripe';

export class CardDeclined extends Error {
  constructor(readonly declineCode: string | undefined, message: string) {
    super(message);
  }
}

export function stripeClient(): Stripe {
  return new Stripe(required('STRIPE_SECRET_KEY'), {
    host: required('STRIPE_HOST'),
    port: Number(required('STRIPE_PORT')),
    protocol: 'http',
    maxNetworkRetries: 3,
    timeout: 3000,
    ...(process.env.STRIPE_API_VERSION ? { apiVersion: process.env.STRIPE_API_VERSION as Stripe.LatestApiVersion } : {}),
  });
}

export async function charge(stripe: Stripe, order: { id: number; amountCents: number; currency: string; card: string }): Promise<Stripe.PaymentIntent> {
  const params: Stripe.PaymentIntentCreateParams = {
    amount: order.amountCents,
    currency: order.currency.toLowerCase(),
    payment_method: order.card,
    confirm: true,
    metadata: { order_id: String(order.id) },
  };
  try {
    if (process.env.NAIVE === 'retry-without-idempotency') return await naiveCreate(params);
    return await stripe.paymentIntents.create(params, { idempotencyKey: `order-${order.id}` });
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError) throw new CardDeclined(error.decline_code, error.message);
    throw error;
  }
}

/** The charge that paid the intent: the order's receipt. */
export function receiptCharge(intent: Stripe.PaymentIntent): string | null {
  if (process.env.NAIVE === 'legacy-charges') {
    // Code written for API version 2020-08-27 reads the PaymentIntent's `charges` list, which
    // 2022-11-15 removed: pinned to its version it works; with the version upgraded it throws.
    return (intent as unknown as { charges: { data: Array<{ id: string }> } }).charges.data[0]?.id ?? null;
  }
  const latest = intent.latest_charge;
  return typeof latest === 'string' ? latest : (latest?.id ?? null);
}

/**
 * The bug the naive variant demonstrates: a hand-rolled call to Stripe's API with a retry loop and
 * no Idempotency-Key, so a retry after a lost response is a second payment.
 */
async function naiveCreate(params: Stripe.PaymentIntentCreateParams): Promise<Stripe.PaymentIntent> {
  const body = new URLSearchParams({
    amount: String(params.amount),
    currency: params.currency,
    payment_method: String(params.payment_method),
    confirm: 'true',
    'metadata[order_id]': String(params.metadata?.order_id ?? ''),
  });
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${required('STRIPE_API_BASE')}/v1/payment_intents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${required('STRIPE_SECRET_KEY')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(3000),
      });
      const json = (await response.json()) as Stripe.PaymentIntent & { error?: { type: string; decline_code?: string; message: string } };
      if (json.error?.type === 'card_error') throw new CardDeclined(json.error.decline_code, json.error.message);
      if (!response.ok) throw new Error(`Stripe answered ${response.status}`);
      return json;
    } catch (error) {
      if (attempt >= 4 || error instanceof CardDeclined) throw error;
    }
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
