// A request's headers as the journal keeps them: node:http's `req.headers` without Authorization
// (the API key never reaches the journal), each value shared through a small table of strings seen
// before. A client sends the same User-Agent, Content-Type and Stripe-Version (stripe-node: ~430
// characters in all) on every request, and the journal keeps every request's headers: with the
// table it keeps one string per distinct value instead of one per request (~0.8 KB less kept per
// create + confirm). One table per twin, bounded: when full it starts again.
import type { IncomingHttpHeaders } from 'node:http';

/** New on every request: not worth a place in the table. */
const UNSHARED = new Set(['idempotency-key']);
/** Distinct values kept at most, and the longest worth keeping. */
export const TABLE_SIZE = 2048;
const LONGEST_SHARED = 512;

export class JournaledHeaders {
  private readonly values = new Map<string, string>();

  /** Distinct values kept now (at most TABLE_SIZE). */
  get size(): number {
    return this.values.size;
  }

  of(headers: IncomingHttpHeaders): IncomingHttpHeaders {
    const journaled: IncomingHttpHeaders = {};
    for (const name in headers) {
      if (name === 'authorization') continue;
      const value = headers[name];
      journaled[name] = typeof value === 'string' && !UNSHARED.has(name) ? this.shared(value) : value;
    }
    return journaled;
  }

  private shared(value: string): string {
    if (value.length > LONGEST_SHARED) return value;
    const kept = this.values.get(value);
    if (kept !== undefined) return kept;
    if (this.values.size >= TABLE_SIZE) this.values.clear();
    this.values.set(value, value);
    return value;
  }
}
