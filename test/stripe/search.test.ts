// The Search API through the official client: query clauses, metadata, AND / OR, pages.
import { describe, expect, it } from 'vitest';
import { startStripe } from './stripe-support.ts';

describe('stripe twin: search', () => {
  it('finds objects by field, metadata and ranges, and pages with next_page', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const jenny = await stripe.customers.create({ email: 'Jenny@Example.com', name: 'Jenny Rosen', metadata: { plan: 'pro' } });
    const jan = await stripe.customers.create({ email: 'jan@example.org', name: 'Jan', metadata: { plan: 'free' } });
    await stripe.customers.create({ email: 'other@example.net' });

    const byEmail = await stripe.customers.search({ query: "email:'jenny@example.com'" });
    expect(byEmail.data.map((c) => c.id)).toEqual([jenny.id]);
    expect(byEmail.object).toBe('search_result');
    const byMeta = await stripe.customers.search({ query: "metadata['plan']:'pro' OR metadata['plan']:'free'" });
    expect(byMeta.data.map((c) => c.id)).toEqual([jan.id, jenny.id]);
    const both = await stripe.customers.search({ query: "name~'ja' AND -metadata['plan']:'pro'" });
    expect(both.data.map((c) => c.id)).toEqual([jan.id]);
    await expect(stripe.customers.search({ query: "email:'a' AND name:'b' OR name:'c'" })).rejects.toMatchObject({ param: 'query' });

    for (const amount of [500, 1500, 2500]) {
      await stripe.paymentIntents.create({ amount, currency: 'usd', metadata: { order: String(amount) } });
    }
    const big = await stripe.paymentIntents.search({ query: 'amount>=1500 AND currency:"usd"', limit: 1 });
    expect(big.data.map((p) => p.amount)).toEqual([2500]);
    expect(big.has_more).toBe(true);
    const next = await stripe.paymentIntents.search({ query: 'amount>=1500 AND currency:"usd"', limit: 1, page: big.next_page as string });
    expect(next.data.map((p) => p.amount)).toEqual([1500]);
    expect(next.has_more).toBe(false);
    const all: number[] = [];
    for await (const pi of stripe.paymentIntents.search({ query: 'amount>0', limit: 2 })) all.push(pi.amount);
    expect(all).toEqual([2500, 1500, 500]);
  });
});
