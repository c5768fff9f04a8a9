// Stripe's subscription guide creates the customer with a test payment method and makes it the
// default in the same call: `pm_card_visa` as both payment_method and
// invoice_settings[default_payment_method] names the one payment method the call creates and attaches.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startStripe } from './stripe-support.ts';

describe('stripe twin: customers created with a test payment method', () => {
  it('attaches a new payment method for pm_card_visa, makes it the default, and a subscription is paid with it', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const customer = await stripe.customers.create({
      email: 'guide@example.com',
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const pmId = customer.invoice_settings.default_payment_method as string;
    expect(pmId).toMatch(/^pm_[A-Za-z0-9]{24}$/);
    const pm = await stripe.paymentMethods.retrieve(pmId);
    expect(pm).toMatchObject({ customer: customer.id, card: { brand: 'visa', last4: '4242' } });
    expect((await stripe.customers.listPaymentMethods(customer.id)).data.map((p) => p.id)).toEqual([pmId]);

    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 2500, recurring: { interval: 'month' }, product_data: { name: 'Guide plan' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], expand: ['latest_invoice.payments'] });
    expect(sub.status).toBe('active');
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 2500 });
    const pi = await stripe.paymentIntents.retrieve(invoice.payments?.data[0]?.payment.payment_intent as string);
    expect(pi).toMatchObject({ status: 'succeeded', payment_method: pmId });
  });

  it('refuses a default payment method the customer does not have', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const loose = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    const error = await stripe.customers.create({ invoice_settings: { default_payment_method: loose.id } }).catch((e: Stripe.errors.StripeError) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ param: 'invoice_settings[default_payment_method]', code: 'resource_missing' });
    expect((error as Stripe.errors.StripeError).message).toContain(loose.id);
    expect((await stripe.customers.list()).data).toHaveLength(0); // nothing created by the refused call
  });
});
