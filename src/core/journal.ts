// The journal: one append-only timeline per environment. Events carry a sequence number that only
// grows. Memory is bounded: past `capacity` events the oldest are evicted and counted in `dropped`,
// so a long-running environment keeps its most recent history and says how much it lost.

export interface FaultRef {
  rule: string;
  action: string;
}

export interface JournalEvent {
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  twin: string;
  point: string;
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
  /** How many events were evicted from this journal since it was created. */
  dropped: number;
  /** Sequence number of the newest event, 0 when empty. */
  lastSeq: number;
}

export const DEFAULT_JOURNAL_CAPACITY = 100_000;
export const DEFAULT_QUERY_LIMIT = 10_000;

type Listener = (event: JournalEvent) => void;

export class Journal {
  readonly capacity: number;
  private readonly ring: Array<JournalEvent | undefined>;
  private head = 0; // index of the oldest event in `ring`
  private size = 0;
  private nextSeq = 1;
  private evicted = 0;
  private readonly listeners = new Set<Listener>();

  constructor(capacity = DEFAULT_JOURNAL_CAPACITY, private readonly now: () => number = Date.now) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('journal capacity must be a positive integer');
    this.capacity = capacity;
    this.ring = new Array(capacity);
  }

  append(entry: JournalEntry): JournalEvent {
    return this.record(entry.twin, entry);
  }

  /** Appends an event of `twin`; built field by field, since twins journal on their hot paths. */
  record(twin: string, entry: Omit<JournalEntry, 'twin'>): JournalEvent {
    const event: JournalEvent = { seq: this.nextSeq++, time: this.now(), twin, point: entry.point, type: entry.type, summary: entry.summary };
    if (entry.data !== undefined) event.data = entry.data;
    if (entry.fault !== undefined) event.fault = entry.fault;
    if (this.size < this.capacity) {
      this.ring[(this.head + this.size) % this.capacity] = event;
      this.size++;
    } else {
      this.ring[this.head] = event;
      this.head = (this.head + 1) % this.capacity;
      this.evicted++;
    }
    for (const listener of this.listeners) listener(event);
    return event;
  }

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
    // Sequence numbers are dense, so `since` is a direct offset into the ring.
    let offset = filter.since === undefined ? 0 : Math.max(0, filter.since + 1 - firstSeq);
    for (; offset < this.size && events.length < limit; offset++) {
      const event = this.ring[(this.head + offset) % this.capacity] as JournalEvent;
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

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.size = 0;
  }
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
