// The journal: one append-only timeline per environment. Events carry a sequence number that only
// grows. Memory is bounded twice: past `capacity` events, or past `maxBytes` of estimated size, the
// oldest are evicted and counted in `dropped`, so a long-running environment keeps its most recent
// history and says how much it lost. The ring grows as events arrive: a large capacity that is never
// used costs nothing.
import { DEFAULT_LIMITS } from './limits.ts';

export interface FaultRef {
  rule: string;
  action: string;
}

export interface JournalEvent {
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  twin: string;
  /** The fault point the event happened at; absent for events that are not at a fault point. */
  point?: string;
  /** e.g. request, response, fault, connection, unmatched, state, action, webhook. */
  type: string;
  summary: string;
  data?: Record<string, unknown>;
  fault?: FaultRef;
}

export type JournalEntry = Omit<JournalEvent, 'seq' | 'time'>;

export interface JournalFilter {
  twin?: string;
  point?: string;
  type?: string;
  rule?: string;
  /** Only events with seq greater than this. */
  since?: number;
  limit?: number;
}

export interface JournalPage {
  events: JournalEvent[];
  /** How many events were removed (evicted or reset) since it was created: lastSeq - dropped are kept. */
  dropped: number;
  /** Sequence number of the newest event, 0 when empty. */
  lastSeq: number;
}

export const DEFAULT_JOURNAL_CAPACITY = 100_000;
export const DEFAULT_QUERY_LIMIT = 10_000;
/** Slots allocated up front; the ring doubles from here, so a large capacity costs nothing until used. */
const INITIAL_SLOTS = 1024;

type Listener = (event: JournalEvent) => void;

export interface JournalOptions {
  /** Most events kept. */
  capacity?: number;
  /** Most estimated bytes kept (see estimateBytes); the oldest events go first. */
  maxBytes?: number;
  now?: () => number;
}

export class Journal {
  readonly capacity: number;
  readonly maxBytes: number;
  private readonly now: () => number;
  private ring: Array<JournalEvent | undefined>;
  /** Estimated size of the event in the same slot of `ring`. */
  private sizes: Float64Array;
  private head = 0; // index of the oldest event in `ring`
  private size = 0;
  private bytes = 0;
  private nextSeq = 1;
  private evicted = 0;
  private readonly listeners = new Set<Listener>();
  private readonly closeListeners = new Set<() => void>();
  private closed = false;

  constructor(options: JournalOptions = {}) {
    const { capacity = DEFAULT_JOURNAL_CAPACITY, maxBytes = DEFAULT_LIMITS.journalBytes } = options;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('journal capacity must be a positive integer');
    if (!(maxBytes > 0)) throw new RangeError('journal maxBytes must be positive');
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.now = options.now ?? Date.now;
    const slots = Math.min(capacity, INITIAL_SLOTS);
    this.ring = new Array(slots);
    this.sizes = new Float64Array(slots);
  }

  append(entry: JournalEntry): JournalEvent {
    return this.record(entry.twin, entry);
  }

  /** Appends an event of `twin`; built field by field, since twins journal on their hot paths. */
  record(twin: string, entry: Omit<JournalEntry, 'twin'>): JournalEvent {
    const event = new RecordedEvent(this.nextSeq++, this.now(), twin, entry);
    if (this.size === this.capacity) this.evictOldest();
    else if (this.size === this.ring.length) this.grow();
    const slot = (this.head + this.size) % this.ring.length;
    const bytes = estimateBytes(event);
    this.ring[slot] = event;
    this.sizes[slot] = bytes;
    this.size++;
    this.bytes += bytes;
    // The newest event stays even when it alone is over the bound: a journal never hides the last thing.
    while (this.bytes > this.maxBytes && this.size > 1) this.evictOldest();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Events removed so far, by capacity, size or reset: `lastSeq - dropped` events are kept. */
  get dropped(): number {
    return this.evicted;
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  query(filter: JournalFilter = {}): JournalPage {
    const limit = filter.limit ?? DEFAULT_QUERY_LIMIT;
    const events: JournalEvent[] = [];
    const firstSeq = this.nextSeq - this.size;
    const slots = this.ring.length;
    // Sequence numbers are dense, so `since` is a direct offset into the ring.
    let offset = filter.since === undefined ? 0 : Math.max(0, filter.since + 1 - firstSeq);
    for (; offset < this.size && events.length < limit; offset++) {
      const event = this.ring[(this.head + offset) % slots] as JournalEvent;
      if (matchesFilter(event, filter)) events.push(event);
    }
    return { events, dropped: this.evicted, lastSeq: this.lastSeq };
  }

  /** Calls `listener` with every event appended from now on; returns the unsubscribe function. */
  subscribe(listener: Listener, filter: JournalFilter = {}): () => void {
    const wrapped: Listener = (event) => {
      if (matchesFilter(event, filter)) listener(event);
    };
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  /** Calls `listener` once when the journal is closed (its environment destroyed); returns the undo. */
  onClose(listener: () => void): () => void {
    if (this.closed) {
      queueMicrotask(listener); // after the caller has its undo in hand
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** No more events will come: followers are told and let go. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    for (const listener of this.closeListeners) listener();
    this.closeListeners.clear();
  }

  /** Removes every event; they count as dropped, so a follower sees that history went away. */
  clear(): void {
    this.evicted += this.size;
    const slots = Math.min(this.capacity, INITIAL_SLOTS);
    this.ring = new Array(slots);
    this.sizes = new Float64Array(slots);
    this.head = 0;
    this.size = 0;
    this.bytes = 0;
  }

  private evictOldest(): void {
    this.bytes -= this.sizes[this.head] as number;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.size--;
    this.evicted++;
  }

  /** Doubles the ring (up to capacity), oldest event first in the new one. */
  private grow(): void {
    const slots = Math.min(this.capacity, this.ring.length * 2);
    const ring = new Array<JournalEvent | undefined>(slots);
    const sizes = new Float64Array(slots);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) % this.ring.length;
      ring[i] = this.ring[from];
      sizes[i] = this.sizes[from] as number;
    }
    this.ring = ring;
    this.sizes = sizes;
    this.head = 0;
  }
}

/**
 * An event as the journal keeps it. A class rather than an object literal given its optional fields
 * afterwards: V8 sizes a class's objects for every field its constructor may set, where each such
 * literal grew a second, out-of-object property store (one more object per event for the GC).
 * Absent fields stay absent, so the event reads and serializes as the literal did.
 */
class RecordedEvent implements JournalEvent {
  seq: number;
  time: number;
  twin: string;
  type: string;
  summary: string;
  declare point?: string;
  declare data?: Record<string, unknown>;
  declare fault?: FaultRef;

  constructor(seq: number, time: number, twin: string, entry: Omit<JournalEntry, 'twin'>) {
    this.seq = seq;
    this.time = time;
    this.twin = twin;
    this.type = entry.type;
    this.summary = entry.summary;
    if (entry.point !== undefined) this.point = entry.point;
    if (entry.data !== undefined) this.data = entry.data;
    if (entry.fault !== undefined) this.fault = entry.fault;
  }
}

/** What an event holds besides its fields, and what one property or element adds, roughly (V8). */
const EVENT_OVERHEAD = 96;
const SLOT_BYTES = 16;
/** Past this many values the walk stops: the estimate is a bound on memory, not an exact count. */
const ESTIMATE_BUDGET = 10_000;

/**
 * A cheap estimate of the memory an event holds: its strings' lengths plus a fixed cost per value,
 * walked without recursion or allocation beyond a small stack (no JSON.stringify on the hot path).
 * An http event keeps every header, so its size grows with what the client sent.
 */
export function estimateBytes(event: JournalEvent): number {
  let bytes = EVENT_OVERHEAD + event.twin.length + (event.point?.length ?? 0) + event.type.length + event.summary.length;
  if (event.fault !== undefined) bytes += SLOT_BYTES * 2 + event.fault.rule.length + event.fault.action.length;
  if (event.data === undefined) return bytes;
  const stack: unknown[] = [event.data];
  let budget = ESTIMATE_BUDGET;
  while (stack.length > 0 && budget-- > 0) {
    const value = stack.pop();
    bytes += SLOT_BYTES;
    if (typeof value === 'string') bytes += value.length;
    else if (typeof value !== 'object' || value === null) continue;
    else if (ArrayBuffer.isView(value)) bytes += value.byteLength;
    else if (Array.isArray(value)) for (const item of value) stack.push(item);
    else {
      for (const key in value) {
        bytes += key.length;
        stack.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return bytes;
}

function matchesFilter(event: JournalEvent, filter: JournalFilter): boolean {
  return (
    (filter.twin === undefined || event.twin === filter.twin) &&
    (filter.point === undefined || event.point === filter.point) &&
    (filter.type === undefined || event.type === filter.type) &&
    (filter.rule === undefined || event.fault?.rule === filter.rule)
  );
}

/** What a twin holds: a journal writer that stamps its own name on every entry. */
export interface TwinJournal {
  record(entry: Omit<JournalEntry, 'twin'>): JournalEvent;
}

export function twinJournal(journal: Journal, twin: string): TwinJournal {
  return { record: (entry) => journal.record(twin, entry) };
}
