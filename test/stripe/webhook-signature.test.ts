// The signature module on its own: constructEvent accepts a clean delivery and rejects each
// corruption the `corrupt` fault can apply, for the reason the corruption names.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { signedDelivery } from '../../twins/stripe/webhooks/signature.ts';

const SECRET = 'whsec_unit';
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.created', data: { object: { id: 'cus_1' } } }, null, 2);
const verify = (body: string, signature: string) => new Stripe('sk_test_x').webhooks.constructEvent(body, signature, SECRET);

describe('stripe webhook signature', () => {
  const now = Math.floor(Date.now() / 1000);

  it('signs so that constructEvent accepts it', () => {
    const { body, signature } = signedDelivery(payload, SECRET, now, null);
    expect(signature).toMatch(new RegExp(`^t=${now},v1=[0-9a-f]{64}$`));
    expect(verify(body, signature).id).toBe('evt_1');
  });

  it.each([
    ['signature', /No signatures found matching the expected signature/],
    ['timestamp', /Timestamp outside the tolerance zone/],
    ['payload', /No signatures found matching the expected signature/],
  ] as const)('a %s corruption fails verification', (how, message) => {
    const { body, signature } = signedDelivery(payload, SECRET, now, how);
    expect(() => verify(body, signature)).toThrow(message);
  });
});
