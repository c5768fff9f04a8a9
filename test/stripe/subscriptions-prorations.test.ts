// Price and quantity changes mid-period, as proration_behavior asks: credit for the unused time and
// a charge for the rest as pending invoice items on the next invoice (create_prorations), invoiced
// at once (always_invoice), or nothing (none); a price of another interval restarts the period.
// Driven with a test clock so the renewal that takes the prorations can be seen.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { conformance } from './object-conformance.ts';
import { startStripe, type StripeRig } from './stripe-support.ts';

const DAY = 86_400;
const HOUR = 3600;
/** January has 31 days: half way is 15.5 days in. */
const JAN_1 = Date.UTC(2026, 0, 1) / 1000;
const FEB_1 = Date.UTC(2026, 1, 1) / 1000;
const HALF_WAY = JAN_1 + 15.5 * DAY;

const noFindings = (value: unknown, shape: string): void => expect(conformance(value, shape).map((f) => `${f.kind} ${f.path}: ${f.detail}`)).toEqual([]);

interface Setup {
  clock: Stripe.TestHelpers.TestClock;
  basic: Stripe.Price;
  premium: Stripe.Price;
}

async function setup(rig: StripeRig): Promise<Setup> {
  const { stripe } = rig;
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_1 });
  const basic = await stripe.prices.create({ currency: 'usd', unit_amount: 1000, recurring: { interval: 'month' }, product_data: { name: 'Basic' }, nickname: 'Basic' });
  const premium = await stripe.prices.create({ currency: 'usd', unit_amount: 3000, recurring: { interval: 'month' }, product_data: { name: 'Premium' }, nickname: 'Premium' });
  return { clock, basic, premium };
}

async function subscribe(rig: StripeRig, s: Setup, price = s.basic): Promise<Stripe.Subscription> {
  const customer = await rig.stripe.customers.create({ test_clock: s.clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  return rig.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
}

async function advance(rig: StripeRig, s: Setup, to: number): Promise<void> {
  await rig.stripe.testHelpers.testClocks.advance(s.clock.id, { frozen_time: to });
  expect(await rig.stripe.testHelpers.testClocks.retrieve(s.clock.id)).toMatchObject({ status: 'ready', frozen_time: to });
}

const itemOf = (sub: Stripe.Subscription): Stripe.SubscriptionItem => sub.items.data[0] as Stripe.SubscriptionItem;

describe('stripe twin: prorations', () => {
  it('create_prorations: credit and charge as pending invoice items, taken by the renewal invoice', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const s = await setup(rig);
    const sub = await subscribe(rig, s);
    await advance(rig, s, HALF_WAY);
    const upgraded = await stripe.subscriptions.update(sub.id, { items: [{ id: itemOf(sub).id, price: s.premium.id }] });
    expect(itemOf(upgraded).price.id).toBe(s.premium.id);
    expect(upgraded.latest_invoice).toBe(sub.latest_invoice);
    const pending = await stripe.invoiceItems.list({ customer: sub.customer as string, pending: true });
    for (const item of pending.data) noFindings(item, 'InvoiceItem');
    expect(pending.data.map((i) => [i.amount, i.description, i.proration, i.period.start, i.period.end]).reverse()).toEqual([
      [-500, 'Unused time on 1 × Basic after 16 Jan 2026', true, HALF_WAY, FEB_1],
      [1500, 'Remaining time on 1 × Premium after 16 Jan 2026', true, HALF_WAY, FEB_1],
    ]);
    const updated = (await stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data[0];
    expect(Object.keys(updated?.data.previous_attributes ?? {})).toContain('items');

    await advance(rig, s, FEB_1 + 2 * HOUR);
    const renewal = await stripe.invoices.retrieve((await stripe.subscriptions.retrieve(sub.id)).latest_invoice as string);
    noFindings(renewal, 'Invoice');
    for (const line of renewal.lines.data) noFindings(line, 'InvoiceLineItem');
    expect(renewal.lines.data.map((l) => [l.amount, l.parent?.type])).toEqual([
      [-500, 'invoice_item_details'],
      [1500, 'invoice_item_details'],
      [3000, 'subscription_item_details'],
    ]);
    expect(renewal).toMatchObject({ status: 'paid', total: 4000, amount_paid: 4000, billing_reason: 'subscription_cycle' });
    expect((await stripe.invoiceItems.list({ customer: sub.customer as string, pending: true })).data).toEqual([]);
    expect((await stripe.invoiceItems.list({ invoice: renewal.id })).data).toHaveLength(2);
  });

  it('always_invoice bills the prorations at once; none leaves the next invoice at the new price only', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const s = await setup(rig);
    const now = await subscribe(rig, s);
    const later = await subscribe(rig, s);
    await advance(rig, s, HALF_WAY);

    const billed = await stripe.subscriptions.update(now.id, { items: [{ id: itemOf(now).id, price: s.premium.id }], proration_behavior: 'always_invoice', expand: ['latest_invoice'] });
    const invoice = billed.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ billing_reason: 'subscription_update', status: 'paid', total: 1000, amount_paid: 1000, created: HALF_WAY });
    expect(invoice.lines.data.map((l) => l.amount)).toEqual([-500, 1500]);
    expect(billed.status).toBe('active');

    const quiet = await stripe.subscriptions.update(later.id, { items: [{ id: itemOf(later).id, price: s.premium.id }], proration_behavior: 'none' });
    expect(quiet.latest_invoice).toBe(later.latest_invoice);
    expect((await stripe.invoiceItems.list({ customer: later.customer as string })).data).toEqual([]);
    await advance(rig, s, FEB_1 + 2 * HOUR);
    const renewal = await stripe.invoices.retrieve((await stripe.subscriptions.retrieve(later.id)).latest_invoice as string);
    expect(renewal).toMatchObject({ total: 3000, status: 'paid' });
  });

  it('prorates a quantity change at proration_date, and nothing in a trial', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1200, recurring: { interval: 'week' }, product_data: { name: 'Seat' } });
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const item = itemOf(sub);
    // Off any clock: proration_date names the moment, a quarter of the week left.
    const at = item.current_period_start + (3 * (item.current_period_end - item.current_period_start)) / 4;
    await stripe.subscriptions.update(sub.id, { items: [{ id: item.id, quantity: 3 }], proration_date: at });
    const items = (await stripe.invoiceItems.list({ customer: customer.id })).data.reverse();
    expect(items.map((i) => [i.amount, i.quantity])).toEqual([
      [-300, 1],
      [900, 3],
    ]);

    const trial = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 5 });
    await stripe.subscriptions.update(trial.id, { items: [{ id: itemOf(trial).id, quantity: 2 }] });
    expect((await stripe.invoiceItems.list({ customer: customer.id })).data).toHaveLength(2);
  });

  it('a price of another interval starts a new period now, invoiced at once with the credit', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const s = await setup(rig);
    const yearly = await stripe.prices.create({ currency: 'usd', unit_amount: 10_000, recurring: { interval: 'year' }, product_data: { name: 'Yearly' }, nickname: 'Yearly' });
    const sub = await subscribe(rig, s);
    await advance(rig, s, HALF_WAY);
    const switched = await stripe.subscriptions.update(sub.id, { items: [{ id: itemOf(sub).id, price: yearly.id }], expand: ['latest_invoice'] });
    expect(switched).toMatchObject({ billing_cycle_anchor: HALF_WAY });
    expect(itemOf(switched)).toMatchObject({ current_period_start: HALF_WAY, current_period_end: HALF_WAY + 365 * DAY });
    const invoice = switched.latest_invoice as Stripe.Invoice;
    expect(invoice.lines.data.map((l) => l.amount)).toEqual([-500, 10_000]);
    expect(invoice).toMatchObject({ billing_reason: 'subscription_update', total: 9500, status: 'paid' });
    // A refused update changes nothing, though its first item was fine.
    const itemsBefore = (await stripe.invoiceItems.list({ customer: sub.customer as string })).data.length;
    const refused = stripe.subscriptions.update(sub.id, { items: [{ id: itemOf(sub).id, price: s.premium.id }, { price: 'price_missing' }], metadata: { tried: 'yes' } });
    await expect(refused).rejects.toMatchObject({ statusCode: 404, param: 'items[1][price]' });
    const unchanged = await stripe.subscriptions.retrieve(sub.id);
    expect(itemOf(unchanged).price.id).toBe(yearly.id);
    expect(unchanged.metadata).toEqual({});
    expect((await stripe.invoiceItems.list({ customer: sub.customer as string })).data).toHaveLength(itemsBefore);
  });
});
