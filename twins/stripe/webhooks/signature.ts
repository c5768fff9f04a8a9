// The Stripe-Signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed by
// the endpoint secret>`, which stripe.webhooks.constructEvent verifies (with a 300 s tolerance);
// and the `corrupt` fault's three ways of spoiling a delivery so that verification fails.
// @see https://docs.stripe.com/webhooks#verify-manually
import { createHmac } from 'node:crypto';

export type Corruption = 'signature' | 'timestamp' | 'payload';

/** How far back a `timestamp` corruption dates the signature: twice constructEvent's tolerance. */
export const STALE_SECONDS = 600;

export function signPayload(payload: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/**
 * The body and header of one delivery attempt. `signature`: signed with a wrong secret;
 * `timestamp`: correctly signed, 10 minutes ago; `payload`: the body changed after signing.
 */
export function signedDelivery(payload: string, secret: string, now: number, corruption: Corruption | null): { body: string; signature: string } {
  const timestamp = corruption === 'timestamp' ? now - STALE_SECONDS : now;
  const signature = signPayload(payload, corruption === 'signature' ? `${secret}_wrong` : secret, timestamp);
  const body = corruption === 'payload' ? payload.replace(/"id": "([^"]+)"/, '"id": "$1x"') : payload;
  return { body, signature };
}
