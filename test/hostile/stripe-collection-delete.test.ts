// The stripe twin's store of one kind of object: creation order through inserts and deletes, and a
// delete that does not walk the whole collection (it did: deleting n objects one by one was O(n²),
// minutes of a blocked event loop for the 250,000 objects the stripeObjects limit allows).
import { describe, expect, it } from 'vitest';
import { Collection } from '../../twins/stripe/collection.ts';
import { Snapshots } from '../../twins/stripe/snapshots.ts';
import type { StripeObject } from '../../twins/stripe/stripe-objects.ts';

const customers = (): Collection<StripeObject> => new Collection<StripeObject>('customer', new Snapshots());
const customer = (n: number): StripeObject => ({ id: `cus_${n}`, object: 'customer' }) as StripeObject;

describe('stripe collection', () => {
  it('lists newest first and all() oldest first, through deletes', () => {
    const c = customers();
    for (let n = 1; n <= 5; n++) c.insert(customer(n));
    c.delete('cus_2');
    c.delete('cus_5');
    expect(c.size).toBe(3);
    expect(c.all().map((x) => x.id)).toEqual(['cus_1', 'cus_3', 'cus_4']);
    expect(c.list('/v1/customers', {}).data.map((x) => x.id)).toEqual(['cus_4', 'cus_3', 'cus_1']);
    expect(c.list('/v1/customers', { limit: 1, starting_after: 'cus_4' })).toMatchObject({ data: [{ id: 'cus_3' }], has_more: true });
    expect(c.delete('cus_2')).toBeUndefined();
  });

  // The deletes yield now and then, so the test's timeout can fire (and fail it) if they walk the collection again.
  it('deletes 250,000 objects one at a time without walking the rest each time', async () => {
    const c = customers();
    const n = 250_000;
    for (let i = 0; i < n; i++) c.insert(customer(i));
    // Newest first, as a client deleting what it listed would: each delete used to copy the rest.
    for (let i = n - 1; i >= 0; i--) {
      c.delete(`cus_${i}`);
      if (i % 1000 === 0) await new Promise(setImmediate);
    }
    expect(c.size).toBe(0);
    expect(c.list('/v1/customers', {}).data).toEqual([]);
  }, 20_000);
});
