// One kind of stored object: a Map by id, which keeps creation order (a Map iterates in insertion
// order, and a deleted id leaves it in O(1)). Stripe lists newest first, so a list walks that order
// backwards; pagination cursors are ids (starting_after / ending_before).
// @see https://docs.stripe.com/api/pagination
import type { StripeList, StripeObject } from './stripe-objects.ts';
import { invalidRequest, noSuchObject } from './errors.ts';
import type { Snapshots } from './snapshots.ts';

export interface ListOptions {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
}

export class Collection<T extends StripeObject> {
  private readonly byId = new Map<string, T>();

  /**
   * `noun` as Stripe's errors say it: `No such payment_intent: 'pi_…'`. Whatever is fetched may be
   * changed next, so fetching takes the copies owed of it (events, stored answers: snapshots.ts).
   */
  constructor(
    readonly noun: string,
    private readonly snapshots: Snapshots,
  ) {}

  insert(item: T): T {
    this.byId.set(item.id, item);
    return item;
  }

  get(id: string): T | undefined {
    const item = this.byId.get(id);
    if (item !== undefined) this.snapshots.settle(item);
    return item;
  }

  /** Whether `item` is the stored object of its id (without settling anything: for reads). */
  holds(item: StripeObject): boolean {
    return this.byId.get(item.id) === item;
  }

  /** The object, or Stripe's 404 naming `param`. */
  require(id: string, param = 'id'): T {
    const item = this.byId.get(id);
    if (!item) throw noSuchObject(this.noun, id, param);
    this.snapshots.settle(item);
    return item;
  }

  delete(id: string): T | undefined {
    const item = this.byId.get(id);
    if (!item) return undefined;
    this.byId.delete(id);
    return item;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Every object, oldest first (a new array: callers may filter or keep it). */
  all(): T[] {
    const items = Array.from(this.byId.values());
    for (const item of items) this.snapshots.settle(item);
    return items;
  }

  clear(): void {
    this.byId.clear();
  }

  /** A page of the objects passing `filter`, newest first; for answers only (copies owed of them are not taken). */
  list(url: string, options: ListOptions, filter?: (item: T) => boolean): StripeList<T> {
    const limit = options.limit ?? 10;
    if (limit < 1 || limit > 100) {
      throw invalidRequest('This value must be greater than or equal to 1 and less than or equal to 100.', 'limit');
    }
    const all = Array.from(this.byId.values()).reverse();
    const newestFirst = filter ? all.filter(filter) : all;
    if (options.ending_before !== undefined) {
      const end = this.cursor(newestFirst, options.ending_before, 'ending_before');
      const start = Math.max(0, end - limit);
      return { object: 'list', data: newestFirst.slice(start, end), has_more: start > 0, url };
    }
    const start = options.starting_after !== undefined ? this.cursor(newestFirst, options.starting_after, 'starting_after') + 1 : 0;
    const data = newestFirst.slice(start, start + limit);
    return { object: 'list', data, has_more: start + limit < newestFirst.length, url };
  }

  private cursor(items: T[], id: string, param: string): number {
    const index = items.findIndex((x) => x.id === id);
    if (index < 0) throw noSuchObject(this.noun, id, param);
    return index;
  }
}
