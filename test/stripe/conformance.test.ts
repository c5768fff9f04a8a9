// Response conformance: a flow through the official client touches every resource the twin serves,
// and each object it answers is checked against the current client's types (the generated field
// list, test/stripe/object-conformance.ts): 0 missing required fields, 0 unknown fields, 0 wrong
// types or enum values.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { conformance, OBJECT_SHAPES, type Finding } from './object-conformance.ts';
import { startStripe } from './stripe-support.ts';

describe('stripe twin: response conformance with the client types', () => {
  it('answers objects with exactly the fields of the types, at the client’s API version', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const seen: Array<[string, unknown]> = [];
    const see = <T>(shape: string, value: T): T => {
      seen.push([shape, value]);
      return value;
    };

    const customer = see('Customer', await stripe.customers.create({ email: 'c@example.com', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } }));
    const pm = see('PaymentMethod', await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id }));
    const pi = see('PaymentIntent', await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customer.id, payment_method: pm.id, capture_method: 'manual', confirm: true }));
    see('PaymentIntent', await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 1500 }));
    const charge = see('Charge', await stripe.charges.retrieve(pi.latest_charge as string, { expand: ['refunds'] }));
    see('Refund', await stripe.refunds.create({ payment_intent: pi.id, amount: 500 }));
    see('BalanceTransaction', await stripe.balanceTransactions.retrieve(charge.balance_transaction as string));
    see('Balance', await stripe.balance.retrieve());
    const declined = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }).catch((e: Stripe.errors.StripeCardError) => e);
    see('PaymentIntent', (declined as Stripe.errors.StripeCardError).payment_intent);
    see('PaymentIntent', await stripe.paymentIntents.create({ amount: 900, currency: 'eur', payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: 'https://example.com/back' }));
    // A 3D Secure challenge completed: the charge reports the authentication (ECI, result, version).
    const challenged = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true });
    const authenticated = (await rig.h.twin.actions?.authenticate?.({ intent: challenged.id })) as Stripe.PaymentIntent;
    const charge3ds = see('Charge', await stripe.charges.retrieve(authenticated.latest_charge as string));
    expect(charge3ds.payment_method_details?.card?.three_d_secure).toMatchObject({ result: 'authenticated', authentication_flow: 'challenge', electronic_commerce_indicator: '05' });
    expect(charge3ds.payment_method_details?.card?.electronic_commerce_indicator).toBe('05');
    expect(charge.payment_method_details?.card?.three_d_secure).toBeNull();
    const product = see('Product', await stripe.products.create({ name: 'Pro', default_price_data: { currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' } } }));
    const price = see('Price', await stripe.prices.retrieve(product.default_price as string));
    const sub = see('Subscription', await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], expand: ['latest_invoice'] }));
    see('Invoice', sub.latest_invoice);
    see('SubscriptionItem', sub.items.data[0]);
    for (const line of (sub.latest_invoice as Stripe.Invoice).lines.data) see('InvoiceLineItem', line);
    see('Subscription', await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true }));
    see('SetupIntent', await stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_visa', confirm: true, usage: 'off_session' }));
    see('SetupIntent', await stripe.setupIntents.create({ payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: 'https://example.com/back' }));
    see('PaymentIntent', await stripe.paymentIntents.cancel((await stripe.paymentIntents.create({ amount: 600, currency: 'usd' })).id, { cancellation_reason: 'abandoned' }));
    const expanded = see('PaymentIntent', await stripe.paymentIntents.retrieve(pi.id, { expand: ['customer', 'payment_method', 'latest_charge'] }));
    see('Customer', expanded.customer);
    see('PaymentMethod', expanded.payment_method);
    see('Charge', expanded.latest_charge);
    for (const m of (await stripe.customers.listPaymentMethods(customer.id)).data) see('PaymentMethod', m);
    for (const c of (await stripe.charges.list({ limit: 100 })).data) see('Charge', c);
    for (const r of (await stripe.refunds.list({ limit: 100 })).data) see('Refund', r);
    see('Price', await stripe.prices.update(price.id, { nickname: 'monthly', lookup_key: 'pro-monthly' }));
    see('Product', await stripe.products.update(product.id, { tax_code: 'txcd_10000000' }));
    see('Subscription', await stripe.subscriptions.cancel(sub.id));
    const declining = await stripe.customers.create({ payment_method: 'pm_card_chargeCustomerFail', invoice_settings: { default_payment_method: 'pm_card_chargeCustomerFail' } });
    const failed = see('Subscription', await stripe.subscriptions.create({ customer: declining.id, items: [{ price: price.id }], expand: ['latest_invoice.payments'] }));
    see('Invoice', failed.latest_invoice);
    see('Invoice', await stripe.invoices.pay((failed.latest_invoice as Stripe.Invoice).id, { payment_method: 'pm_card_visa' }));
    const session = see('Checkout.Session', await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: (await stripe.prices.create({ currency: 'usd', unit_amount: 2500, product_data: { name: 'Once' } })).id, quantity: 2 }], success_url: 'https://example.com/done' }));
    await rig.h.twin.actions?.complete_checkout?.({ session: session.id, card: 'pm_card_createDispute' });
    const paidSession = see('Checkout.Session', await stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] }));
    for (const item of paidSession.line_items?.data ?? []) see('LineItem', item);
    const [dispute] = (await stripe.disputes.list({ payment_intent: paidSession.payment_intent as string })).data;
    see('Dispute', dispute);
    see('Dispute', await stripe.disputes.update(dispute?.id as string, { evidence: { uncategorized_text: 'winning_evidence' } }));
    see('DeletedProduct', await stripe.products.del((await stripe.products.create({ name: 'Gone' })).id));
    // A test clock: a subscription renewed, prorated and invoiced as the clock moves.
    const clock = see('TestHelpers.TestClock', await stripe.testHelpers.testClocks.create({ frozen_time: 1_767_225_600, name: 'conformance' }));
    const onClock = await stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const clocked = await stripe.subscriptions.create({ customer: onClock.id, items: [{ price: price.id }] });
    see('TestHelpers.TestClock', await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: 1_767_225_600 + 10 * 86_400 }));
    see('Subscription', await stripe.subscriptions.update(clocked.id, { items: [{ id: clocked.items.data[0]?.id as string, quantity: 2 }] }));
    for (const item of (await stripe.invoiceItems.list({ customer: onClock.id })).data) see('InvoiceItem', item);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: 1_767_225_600 + 40 * 86_400 });
    for (const invoice of (await stripe.invoices.list({ customer: onClock.id, expand: ['data.payments'] })).data) see('Invoice', invoice);
    see('TestHelpers.DeletedTestClock', await stripe.testHelpers.testClocks.del(clock.id));
    const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hook', enabled_events: ['*'] });
    see('WebhookEndpoint', endpoint);
    for (const event of (await stripe.events.list({ limit: 100 })).data) see('EventBase', event);
    see('DeletedWebhookEndpoint', await stripe.webhookEndpoints.del(endpoint.id));
    see('DeletedCustomer', await stripe.customers.del((await stripe.customers.create({})).id));

    const findings: Finding[] = seen.flatMap(([shape, value]) => conformance(value, shape));
    const distinct = [...new Set(findings.map((f) => `${f.kind} ${f.path.replace(/\[\d+\]/g, '[]')}: ${f.detail}`))].sort();
    expect(distinct).toEqual([]);
    expect(seen.length).toBeGreaterThan(30);
    // The objects were answered at the API version the types describe.
    expect(customer.lastResponse.apiVersion).toBe(OBJECT_SHAPES.apiVersion);
  });

  it('the checker reports a missing field, an unknown one, a wrong type and a value off an enum', async () => {
    await using rig = await startStripe();
    const pi = await rig.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    expect(conformance(pi, 'PaymentIntent')).toEqual([]);
    const { amount: _amount, ...withoutAmount } = pi;
    const spoiled = { ...withoutAmount, status: 'pondering', livemode: 'no', colour: 'red', next_action: { type: 'redirect_to_url', redirect_to_url: { url: 7 } } };
    const found = conformance(spoiled, 'PaymentIntent').map((f) => `${f.kind} ${f.path}`);
    expect(found.sort()).toEqual(
      [
        'enum PaymentIntent.status',
        'missing PaymentIntent.amount',
        'missing PaymentIntent.next_action.redirect_to_url.return_url',
        'type PaymentIntent.livemode',
        'type PaymentIntent.next_action.redirect_to_url.url',
        'unknown PaymentIntent.colour',
      ].sort(),
    );
  });

  it('puts invoice.subscription back for a client pinned before 2025-03-31, where it was a top-level field', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 800, recurring: { interval: 'month' }, product_data: { name: 'Old' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const today = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(today).not.toHaveProperty('subscription');
    expect(today.parent?.subscription_details?.subscription).toBe(sub.id);
    const pinned = rig.client({ apiVersion: '2025-02-24.acacia' as Stripe.StripeConfig['apiVersion'] });
    const old = (await pinned.invoices.retrieve(today.id)) as Stripe.Response<Stripe.Invoice> & { subscription?: string };
    expect(old.subscription).toBe(sub.id);
    expect(old.lastResponse.apiVersion).toBe('2025-02-24.acacia');
  });
});
