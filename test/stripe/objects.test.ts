// The objects the twin answers with carry the field sets of Stripe's reference objects
// (fixtures/field-sets.json holds the keys of Stripe's published sample objects, brought to the
// client's API version by the generated types: keysAtClientVersion), and ids are seeded: the same seed and the same calls give the same ids, after a reset too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keysAtClientVersion } from './object-conformance.ts';
import { startStripe } from './stripe-support.ts';

const FIELD_SETS = JSON.parse(readFileSync(new URL('./fixtures/field-sets.json', import.meta.url), 'utf8')) as Record<string, string[]>;

/** The generated type of each sample object. */
const SHAPES: Record<string, string> = {
  customer: 'Customer',
  deleted_customer: 'DeletedCustomer',
  payment_method: 'PaymentMethod',
  payment_intent: 'PaymentIntent',
  charge: 'Charge',
  refund: 'Refund',
  product: 'Product',
  price: 'Price',
  setup_intent: 'SetupIntent',
  webhook_endpoint: 'WebhookEndpoint',
  event: 'EventBase',
  balance: 'Balance',
  balance_transaction: 'BalanceTransaction',
};

const keysOf = (o: object): string[] => Object.keys(o).filter((k) => k !== 'lastResponse').sort();

describe('stripe twin: objects', () => {
  it('answers with the field sets of Stripe objects', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const customer = await stripe.customers.create({ email: 'f@example.com' });
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: pm.id, confirm: true });
    // `refunds` is includable: Stripe's sample object shows it, today's API sends it when expanded.
    const charge = await stripe.charges.retrieve(pi.latest_charge as string, { expand: ['refunds'] });
    const refund = await stripe.refunds.create({ charge: charge.id, amount: 100 });
    const product = await stripe.products.create({ name: 'p' });
    const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100 });
    const si = await stripe.setupIntents.create({});
    const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/x', enabled_events: ['*'] });
    const event = (await stripe.events.list({ limit: 1 })).data[0] as object;
    const balance = await stripe.balance.retrieve();
    const txn = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    const deleted = await stripe.customers.del(customer.id);
    const { secret: _secret, ...endpointWithoutSecret } = endpoint;
    const answers: Record<string, object> = {
      customer,
      deleted_customer: deleted,
      payment_method: pm,
      payment_intent: pi,
      charge,
      refund,
      product,
      price,
      setup_intent: si,
      webhook_endpoint: endpointWithoutSecret,
      event,
      balance,
      balance_transaction: txn,
    };
    for (const [name, object] of Object.entries(answers)) {
      expect({ name, keys: keysOf(object) }).toEqual({ name, keys: keysAtClientVersion(FIELD_SETS[name] ?? [], SHAPES[name] as string) });
    }
  });

  it('gives the same ids for the same seed and calls, and again after reset', async () => {
    const run = async (seed: number): Promise<string[]> => {
      await using rig = await startStripe({}, seed);
      const ids = async (): Promise<string[]> => {
        const c = await rig.stripe.customers.create({});
        const pi = await rig.stripe.paymentIntents.create({ amount: 900, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
        return [c.id, pi.id, pi.payment_method as string, pi.latest_charge as string, pi.lastResponse.requestId];
      };
      const first = await ids();
      await rig.h.twin.reset();
      expect(await ids()).toEqual(first);
      return first;
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
    expect(a[0]).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(a[1]).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(a[3]).toMatch(/^ch_[A-Za-z0-9]{24}$/);
  });

  it('resets to the config: fixtures come back, everything else goes', async () => {
    await using rig = await startStripe({
      fixtures: {
        customers: [{ email: 'seed@example.com', metadata: { tier: 'gold' } }],
        products: [{ name: 'Plan', default_price_data: { currency: 'usd', unit_amount: 1200, recurring: { interval: 'month' } } }],
      },
    });
    const { stripe, h } = rig;
    const seeded = (await stripe.customers.list()).data;
    expect(seeded.map((c) => c.email)).toEqual(['seed@example.com']);
    expect((await stripe.prices.list()).data[0]?.recurring?.interval).toBe('month');
    await stripe.customers.create({ email: 'extra@example.com' });
    await stripe.paymentIntents.create({ amount: 900, currency: 'usd' }, { idempotencyKey: 'before-reset' });
    await h.twin.reset();
    const after = (await stripe.customers.list()).data;
    expect(after.map((c) => c.id)).toEqual(seeded.map((c) => c.id));
    expect((await stripe.paymentIntents.list()).data).toHaveLength(0);
    const again = await stripe.paymentIntents.create({ amount: 901, currency: 'usd' }, { idempotencyKey: 'before-reset' });
    expect(again.amount).toBe(901); // idempotency keys were forgotten too

    const view = (await h.twin.inspect({ resource: 'customers' })) as { objects: Record<string, Array<{ id: string }>> };
    expect(Object.keys(view.objects)).toEqual(['customers']);
    expect(view.objects.customers).toHaveLength(1);
    const one = (await h.twin.inspect({ id: again.id })) as { object: { id: string }; events: Array<{ type: string }> };
    expect(one.object.id).toBe(again.id);
    expect(one.events.map((e) => e.type)).toEqual(['payment_intent.created']);
  });
});
