// The requests the twin received, newest last, for inspect(). Bounded: past `capacity` the oldest
// go. Each record is the same object as the journal entry's data, so logging copies nothing.
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultRef } from '../../src/core/index.ts';
import { compilePath } from './path-matcher.ts';
import type { Query } from './recorded-request.ts';

export interface RequestRecord {
  [key: string]: unknown;
  method: string;
  path: string;
  query: Query;
  headers: IncomingHttpHeaders;
  /** The first 512 bytes of the body, as text. */
  body: string;
  bodyBytes: number;
  /** null when no answer was sent (hang, disconnect, a network error from an msw handler). */
  status: number | null;
  /** What answered: a stub, an msw handler, a fault, or nothing (404). */
  answeredBy: 'stub' | 'msw' | 'fault' | 'unmatched';
  stub?: string;
  fault?: FaultRef;
}

export interface RequestFilter {
  method?: string;
  /** Exact, or a template with :param segments. */
  path?: string;
  stub?: string;
  status?: number;
  answeredBy?: string;
  limit?: number;
}

export class RequestLog {
  private records: RequestRecord[] = [];

  constructor(private readonly capacity: number) {}

  push(record: RequestRecord): void {
    if (this.capacity === 0) return;
    // Trim in batches so each push stays O(1) amortized.
    if (this.records.length >= this.capacity * 2) this.records = this.records.slice(-this.capacity);
    this.records.push(record);
  }

  list(filter: RequestFilter = {}): RequestRecord[] {
    const path = filter.path === undefined ? undefined : compilePath(filter.path, 'path');
    const method = filter.method?.toUpperCase();
    const out = this.records.slice(-this.capacity).filter(
      (r) =>
        (method === undefined || r.method === method) &&
        (path === undefined || path.match(r.path) !== undefined) &&
        (filter.stub === undefined || r.stub === filter.stub) &&
        (filter.status === undefined || r.status === Number(filter.status)) &&
        (filter.answeredBy === undefined || r.answeredBy === filter.answeredBy),
    );
    // Inspect queries may come from a URL's query string: numbers arrive as text.
    return filter.limit === undefined ? out : out.slice(-Number(filter.limit));
  }

  get size(): number {
    return Math.min(this.records.length, this.capacity);
  }

  clear(): void {
    this.records = [];
  }
}
