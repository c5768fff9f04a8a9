// Subscriptions and their invoices (issue 6's stretch, simple form): the first invoice charged at
// once, left for the SUT to confirm, declined, paid later, trials, cancellation.
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { keysAtClientVersion } from './object-conformance.ts';
import { startStripe, type StripeRig } from './stripe-support.ts';

const FIELD_SETS = JSON.parse(readFileSync(new URL('./fixtures/field-sets.json', import.meta.url), 'utf8')) as Record<string, string[]>;
const keysOf = (o: object): string[] => Object.keys(o).filter((k) => k !== 'lastResponse').sort();

async function customerWithCard(rig: StripeRig, card = 'pm_card_visa'): Promise<{ customer: Stripe.Customer; price: Stripe.Price }> {
  const { stripe } = rig;
  const customer = await stripe.customers.create({ email: 'sub@example.com' });
  const pm = await stripe.paymentMethods.attach(card, { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' }, product_data: { name: 'Pro' } });
  return { customer, price };
}

describe('stripe twin: subscriptions and invoices', () => {
  it('charges the first invoice to the default payment method', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const { customer, price } = await customerWithCard(rig);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity: 2 }], expand: ['latest_invoice.payments'] });
    expect(sub.status).toBe('active');
    const item = sub.items.data[0] as Stripe.SubscriptionItem;
    expect(item).toMatchObject({ quantity: 2, price: { id: price.id } });
    expect(item.current_period_end - item.current_period_start).toBeGreaterThanOrEqual(28 * 86_400);
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: 'paid', amount_due: 3000, amount_paid: 3000, billing_reason: 'subscription_create', customer: customer.id });
    expect(invoice.parent?.subscription_details?.subscription).toBe(sub.id);
    const piId = invoice.payments?.data[0]?.payment.payment_intent as string;
    expect((await stripe.paymentIntents.retrieve(piId)).status).toBe('succeeded');
    const types = (await stripe.events.list({ limit: 50 })).data.map((e) => e.type);
    for (const t of ['customer.subscription.created', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']) expect(types).toContain(t);

    // Stripe's sample objects brought to the client's API version (invoice.subscription moved under parent).
    expect(keysOf(sub).filter((k) => k !== 'latest_invoice')).toEqual(keysAtClientVersion(FIELD_SETS.subscription ?? [], 'Subscription').filter((k) => k !== 'latest_invoice'));
    expect(keysOf(await stripe.invoices.retrieve(invoice.id))).toEqual(keysAtClientVersion(FIELD_SETS.invoice ?? [], 'Invoice'));
    expect(keysOf(item)).toEqual(keysAtClientVersion(FIELD_SETS.subscription_item ?? [], 'SubscriptionItem'));
  });

  it('leaves the payment to the SUT with default_incomplete, and activates once it is confirmed', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const customer = await stripe.customers.create({});
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 900, recurring: { interval: 'year' }, product_data: { name: 'Yearly' } });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      payment_behavior: 'default_incomplete',
      expand: ['latest_invoice.confirmation_secret'],
    });
    expect(sub.status).toBe('incomplete');
    const secret = (sub.latest_invoice as Stripe.Invoice).confirmation_secret?.client_secret as string;
    const piId = secret.split('_secret_')[0] as string;
    const pi = await stripe.paymentIntents.confirm(piId, { payment_method: 'pm_card_visa' });
    expect(pi.status).toBe('succeeded');
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    expect((await stripe.invoices.retrieve((sub.latest_invoice as Stripe.Invoice).id)).status).toBe('paid');
  });

  it('stays incomplete when the card declines, and activates when the invoice is paid with another card', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const { customer, price } = await customerWithCard(rig, 'pm_card_chargeCustomerFail');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    expect(sub.status).toBe('incomplete');
    const invoice = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 1, attempted: true, amount_remaining: 1500 });
    expect((await stripe.events.list({ type: 'invoice.payment_failed' })).data).toHaveLength(1);
    const again = await stripe.invoices.pay(invoice.id, { payment_method: 'pm_card_visa' }).catch((e: Stripe.errors.StripeError) => e);
    expect(again).toMatchObject({ status: 'paid' });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');

    const strict = await stripe.subscriptions
      .create({ customer: customer.id, items: [{ price: price.id }], payment_behavior: 'error_if_incomplete' })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(strict).toBeInstanceOf(Stripe.errors.StripeCardError);
  });

  it('starts trials with a zero invoice, lists, cancels at period end and now', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const { customer, price } = await customerWithCard(rig);
    const trial = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 14, expand: ['latest_invoice'] });
    expect(trial.status).toBe('trialing');
    expect((trial.trial_end as number) - (trial.trial_start as number)).toBe(14 * 86_400);
    expect(trial.latest_invoice).toMatchObject({ total: 0, status: 'paid' });
    const atEnd = await stripe.subscriptions.update(trial.id, { cancel_at_period_end: true, metadata: { why: 'price' } });
    expect(atEnd).toMatchObject({ cancel_at_period_end: true, status: 'trialing', metadata: { why: 'price' } });
    expect(atEnd.cancel_at).toBe(trial.trial_end);
    const other = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const canceled = await stripe.subscriptions.cancel(other.id);
    expect(canceled).toMatchObject({ status: 'canceled' });
    expect((await stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([trial.id]);
    expect((await stripe.subscriptions.list({ status: 'canceled' })).data.map((s) => s.id)).toEqual([other.id]);
    expect((await stripe.invoices.list({ subscription: other.id })).data).toHaveLength(1);
    await expect(stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, bogus: 1 } as Stripe.SubscriptionCreateParams.Item] })).rejects.toMatchObject({
      param: 'items[0][bogus]',
    });
  });
});
