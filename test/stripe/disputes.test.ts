// Disputes through the official client: Stripe's dispute test cards dispute their charge once it
// succeeds (charge.dispute.created, funds withdrawn with the $15 fee), evidence with the test values
// winning_evidence / losing_evidence decides the dispute as Stripe's test mode does, close accepts
// the loss, and inquiries move no money. Every dispute is checked against the client's types.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { stripeTwin } from '../../twins/stripe/index.ts';
import { startTwin } from '../support/twin-harness.ts';
import { conformance } from './object-conformance.ts';
import { startReceiver, startStripe } from './stripe-support.ts';

const SECRET = 'whsec_dispute_test_secret';

function conforms(value: unknown): void {
  expect(conformance(value, 'Dispute')).toEqual([]);
}

describe('stripe twin: disputes', () => {
  it('disputes a createDispute charge, then winning evidence wins it and reinstates the funds', async () => {
    await using receiver = await startReceiver(SECRET);
    await using rig = await startStripe({ webhookSecret: SECRET, webhooks: [{ url: receiver.url }] });
    const { stripe } = rig;
    const pi = await stripe.paymentIntents.create({ amount: 4200, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
    expect(pi.status).toBe('succeeded');
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge.disputed).toBe(true);

    const [dispute] = (await stripe.disputes.list({ payment_intent: pi.id })).data;
    conforms(dispute);
    expect(dispute).toMatchObject({ object: 'dispute', amount: 4200, currency: 'usd', charge: charge.id, status: 'needs_response', reason: 'fraudulent', is_charge_refundable: false });
    expect(dispute?.id).toMatch(/^dp_/);
    expect(dispute?.payment_method_details).toMatchObject({ type: 'card', card: { case_type: 'chargeback', brand: 'visa', network_reason_code: '10.4' } });
    expect(dispute?.balance_transactions.map((t) => [t.amount, t.fee, t.net, t.reporting_category])).toEqual([[-4200, 1500, -5700, 'dispute']]);
    const id = dispute?.id as string;

    const staged = await stripe.disputes.update(id, { evidence: { customer_name: 'Jenny Rosen', uncategorized_text: 'winning_evidence' }, submit: false });
    conforms(staged);
    expect(staged).toMatchObject({ status: 'needs_response', evidence: { customer_name: 'Jenny Rosen', uncategorized_text: 'winning_evidence' }, evidence_details: { has_evidence: true, submission_count: 0 } });
    const won = await stripe.disputes.update(id, { submit: true });
    conforms(won);
    expect(won).toMatchObject({ status: 'won', evidence_details: { submission_count: 1, submission_method: 'manual' } });
    expect(won.balance_transactions.map((t) => t.net)).toEqual([-5700, 5700]);
    await expect(stripe.disputes.update(id, { evidence: { uncategorized_text: 'more' } })).rejects.toMatchObject({ statusCode: 400, param: 'evidence' });
    await expect(stripe.disputes.close(id)).rejects.toMatchObject({ statusCode: 400 });

    await rig.h.twin.actions?.flush?.({});
    const about = receiver.events.filter((e) => (e.event.data.object as { id?: string }).id === id).map((e) => e.event.type);
    expect(about).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.updated', 'charge.dispute.updated', 'charge.dispute.funds_reinstated', 'charge.dispute.closed']);
    // The dispute follows the payment: its events come after payment_intent.succeeded.
    const types = receiver.events.map((e) => e.event.type);
    expect(types.indexOf('payment_intent.succeeded')).toBeLessThan(types.indexOf('charge.dispute.created'));
    const created = receiver.events.find((e) => e.event.type === 'charge.dispute.created')?.event.data.object as Stripe.Dispute;
    expect(created.balance_transactions.map((t) => t.net)).toEqual([-5700]);
    const balance = await stripe.balance.retrieve();
    // Won: the withdrawal (amount and fee) and the reversal cancel out; the charge itself is still pending.
    expect(balance.available.find((b) => b.currency === 'usd')?.amount).toBe(0);
  });

  it('losing evidence loses a product_not_received dispute; close accepts a chargeback as lost', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const notReceived = await stripe.paymentIntents.create({ amount: 3000, currency: 'eur', payment_method: 'pm_card_createDisputeProductNotReceived', confirm: true });
    const [first] = (await stripe.disputes.list({ charge: notReceived.latest_charge as string })).data;
    expect(first).toMatchObject({ reason: 'product_not_received', status: 'needs_response', network_reason_code: '13.1' });
    const lost = await stripe.disputes.update(first?.id as string, { evidence: { uncategorized_text: 'losing_evidence', shipping_tracking_number: 'Z123' } });
    conforms(lost);
    expect(lost).toMatchObject({ status: 'lost', evidence: { shipping_tracking_number: 'Z123' } });
    expect(lost.balance_transactions).toHaveLength(1);

    // Other evidence leaves the dispute under review.
    const reviewed = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
    const [second] = (await stripe.disputes.list({ payment_intent: reviewed.id })).data;
    expect((await stripe.disputes.update(second?.id as string, { evidence: { uncategorized_text: 'we shipped it' } })).status).toBe('under_review');

    const closed = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
    const [third] = (await stripe.disputes.list({ payment_intent: closed.id })).data;
    const accepted = await stripe.disputes.close(third?.id as string);
    conforms(accepted);
    expect(accepted.status).toBe('lost');
    expect((await stripe.disputes.list({ limit: 100 })).data.map((d) => d.status)).toEqual(['lost', 'under_review', 'lost']);
    await expect(stripe.disputes.retrieve('dp_missing')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'dispute' });
    await expect(stripe.disputes.update(third?.id as string, { evidence: { colour: 'red' } as Stripe.DisputeUpdateParams.Evidence })).rejects.toMatchObject({ code: 'parameter_unknown', param: 'evidence[colour]' });
  });

  it('an inquiry moves no money: winning closes it as warning_closed, losing escalates to a lost chargeback', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const pay = () => stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_createDisputeInquiry', confirm: true });
    const first = await pay();
    const [inquiry] = (await stripe.disputes.list({ payment_intent: first.id })).data;
    conforms(inquiry);
    expect(inquiry).toMatchObject({ status: 'warning_needs_response', is_charge_refundable: true, balance_transactions: [], payment_method_details: { card: { case_type: 'inquiry' } } });
    expect((await stripe.disputes.update(inquiry?.id as string, { evidence: { uncategorized_text: 'winning_evidence' } })).status).toBe('warning_closed');

    const second = await pay();
    const [escalating] = (await stripe.disputes.list({ payment_intent: second.id })).data;
    const lost = await stripe.disputes.update(escalating?.id as string, { evidence: { uncategorized_text: 'losing_evidence' } });
    expect(lost).toMatchObject({ status: 'lost', is_charge_refundable: false });
    expect(lost.balance_transactions.map((t) => t.net)).toEqual([-4000]);
  });

  it('refuses to refund a charged-back charge, refunds an inquiry\'s, and triggers charge.dispute.created on demand', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const chargedBack = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
    await expect(stripe.refunds.create({ payment_intent: chargedBack.id })).rejects.toMatchObject({ statusCode: 400, code: 'charge_disputed', param: 'charge' });
    const inquired = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_createDisputeInquiry', confirm: true });
    expect((await stripe.refunds.create({ payment_intent: inquired.id })).status).toBe('succeeded');

    const triggered = (await rig.h.twin.actions?.trigger?.({ event: 'charge.dispute.created' })) as { event: Stripe.Event };
    const dispute = triggered.event.data.object as Stripe.Dispute;
    conforms(dispute);
    expect((await stripe.disputes.retrieve(dispute.id)).status).toBe('needs_response');
    // Opened once: the card's own dispute is not opened a second time.
    expect((await stripe.disputes.list({ charge: dispute.charge as string })).data).toHaveLength(1);
  });

  it('a chargeback left unanswered past evidence_details.due_by is lost', async () => {
    let now = Date.UTC(2026, 0, 5, 12, 0, 0);
    await using h = await startTwin(stripeTwin, {}, { seed: 7, now: () => now });
    const env = h.twin.env;
    const stripe = new Stripe(env.STRIPE_SECRET_KEY as string, { host: env.STRIPE_HOST, port: Number(env.STRIPE_PORT), protocol: 'http' });
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
    const [dispute] = (await stripe.disputes.list({ payment_intent: pi.id })).data;
    expect(dispute?.evidence_details.due_by).toBe(Math.floor(now / 1000) + 7 * 86_400);
    now += 7 * 86_400_000;
    expect((await stripe.disputes.retrieve(dispute?.id as string)).status).toBe('needs_response');
    now += 1000;
    const late = await stripe.disputes.retrieve(dispute?.id as string);
    expect(late).toMatchObject({ status: 'lost', evidence_details: { past_due: true } });
    await expect(stripe.disputes.update(late.id, { evidence: { uncategorized_text: 'winning_evidence' } })).rejects.toMatchObject({ param: 'evidence' });
  });

  it('a card number typed on the hosted checkout page is disputed as its pm_card_ token is', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 1800, product_data: { name: 'Lamp' } }, quantity: 1 }],
      success_url: 'https://shop.example/done',
    });
    await rig.h.twin.actions?.complete_checkout?.({ session: session.id, card: '4000000000000259' });
    const pi = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
    expect((await stripe.disputes.list({ payment_intent: pi })).data.map((d) => [d.amount, d.status])).toEqual([[1800, 'needs_response']]);
  });
});
