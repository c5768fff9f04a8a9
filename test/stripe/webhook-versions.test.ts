// A webhook endpoint's own api_version shapes what it receives: each delivery is the event rendered
// at the endpoint's version (api_version and data.object), while endpoints without one, and the
// Events API, get the account's version.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startReceiver, startStripe } from './stripe-support.ts';

describe('stripe twin: webhook endpoint API versions', () => {
  it('renders each delivery at its endpoint’s api_version', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const secret = rig.env.STRIPE_WEBHOOK_SECRET as string;
    await using current = await startReceiver(secret);
    await using legacy = await startReceiver(secret);
    await using acacia = await startReceiver(secret);
    const events: Stripe.WebhookEndpointCreateParams.EnabledEvent[] = ['payment_intent.succeeded', 'invoice.paid'];
    await stripe.webhookEndpoints.create({ url: current.url, enabled_events: events });
    const pinned = await stripe.webhookEndpoints.create({ url: legacy.url, enabled_events: events, api_version: '2022-08-01' });
    expect(pinned.api_version).toBe('2022-08-01');
    await stripe.webhookEndpoints.create({ url: acacia.url, enabled_events: events, api_version: '2025-02-24.acacia' });

    const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 900, recurring: { interval: 'month' }, product_data: { name: 'V' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await rig.h.twin.actions?.flush?.({});

    const received = (r: typeof current, type: string) => r.events.map((e) => e.event).find((e) => e.type === type) as Stripe.Event;
    const today = received(current, 'payment_intent.succeeded');
    expect(today.api_version).toBe(pi.lastResponse.apiVersion);
    expect(today.data.object).not.toHaveProperty('charges');

    // Before 2022-11-15 a PaymentIntent carried its charges.
    const old = received(legacy, 'payment_intent.succeeded');
    expect(old.id).toBe(today.id);
    expect(old.api_version).toBe('2022-08-01');
    const charges = (old.data.object as unknown as { charges: Stripe.ApiList<Stripe.Charge> }).charges;
    expect(charges.data.map((c) => c.id)).toEqual([pi.latest_charge]);

    // Before 2025-03-31 an invoice carried its subscription at the top level.
    expect(received(acacia, 'invoice.paid').data.object).toMatchObject({ subscription: sub.id });
    expect(received(current, 'invoice.paid').data.object).not.toHaveProperty('subscription');

    // The Events API answers at the account's version whatever the endpoints are pinned to.
    const listed = await stripe.events.retrieve(old.id);
    expect(listed.api_version).toBe(today.api_version);
    expect(listed.data.object).not.toHaveProperty('charges');
  });
});
