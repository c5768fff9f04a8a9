// The journal as the timeline holds it: one typed array per field (columns), strings interned into
// small dictionaries, so 100,000 events cost a few MB and a scan over them touches no objects. Events
// stay in seq order; new ones are appended, older pages are put in front (a deque over the arrays).
// Full events (data, headers…) are not kept: the detail view asks the API for the one clicked.

/** Past this many events the oldest are let go (the API still has them; "Load older" brings them back). */
export const MAX_EVENTS = 1_000_000;
export const NONE = 0;

class Dictionary {
  constructor() {
    this.names = ['']; // 0 = none
    this.index = new Map();
  }
  id(name) {
    if (name === undefined || name === null) return NONE;
    let id = this.index.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.index.set(name, id);
    }
    return id;
  }
}

const COLUMNS = { seq: Float64Array, time: Float64Array, twin: Uint16Array, type: Uint16Array, point: Uint16Array, rule: Uint16Array, action: Uint16Array };

export class EventStore {
  constructor(capacity = 4096) {
    this.twins = new Dictionary();
    this.types = new Dictionary();
    this.points = new Dictionary();
    this.rules = new Dictionary();
    this.actions = new Dictionary();
    this.start = capacity >> 2;
    this.count = 0;
    this.capacity = capacity;
    for (const [name, Type] of Object.entries(COLUMNS)) this[name] = new Type(capacity);
    this.summary = new Array(capacity);
    /** Bumped on every change, so a renderer knows when to draw again. */
    this.version = 0;
  }

  get firstSeq() {
    return this.count ? this.seq[this.start] : undefined;
  }
  get lastSeq() {
    return this.count ? this.seq[this.start + this.count - 1] : undefined;
  }

  /** Events newer than the last one held (older or repeated ones are ignored: a stream may replay). */
  append(events) {
    const last = this.lastSeq ?? -1;
    const fresh = events.filter((e) => e.seq > last);
    if (!fresh.length) return;
    if (this.start + this.count + fresh.length > this.capacity) this.relayout(0, fresh.length);
    let i = this.start + this.count;
    for (const e of fresh) this.put(i++, e);
    this.count += fresh.length;
    if (this.count > MAX_EVENTS) {
      const extra = this.count - MAX_EVENTS;
      this.start += extra;
      this.count -= extra;
    }
    this.version++;
  }

  /** An older page (oldest first): the events before the first one held. */
  prepend(events) {
    const first = this.firstSeq ?? Infinity;
    const older = events.filter((e) => e.seq < first);
    if (!older.length) return;
    if (this.start < older.length) this.relayout(older.length, 0);
    this.start -= older.length;
    older.forEach((e, k) => this.put(this.start + k, e));
    this.count += older.length;
    this.version++;
  }

  put(i, e) {
    this.seq[i] = e.seq;
    this.time[i] = e.time;
    this.twin[i] = this.twins.id(e.twin);
    this.type[i] = this.types.id(e.type);
    this.point[i] = this.points.id(e.point);
    this.rule[i] = this.rules.id(e.fault?.rule);
    this.action[i] = this.actions.id(e.fault?.action);
    this.summary[i] = e.summary;
  }

  /** New arrays with room for `front` more before and `back` more after (and as much again spare). */
  relayout(front, back) {
    const capacity = Math.max(this.capacity * 2, (this.count + front + back) * 2);
    const start = front + ((capacity - this.count - front - back) >> 2);
    for (const [name, Type] of Object.entries(COLUMNS)) {
      const next = new Type(capacity);
      next.set(this[name].subarray(this.start, this.start + this.count), start);
      this[name] = next;
    }
    const summary = new Array(capacity);
    for (let k = 0; k < this.count; k++) summary[start + k] = this.summary[this.start + k];
    this.summary = summary;
    this.start = start;
    this.capacity = capacity;
  }

  clear() {
    this.start = this.capacity >> 2;
    this.count = 0;
    this.version++;
  }

  /** Array index of the first event at or after `t` (times never go back within a journal). */
  lowerBound(t) {
    let lo = this.start;
    let hi = this.start + this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.time[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get end() {
    return this.start + this.count;
  }

  /** The event at array index i, as the tooltip shows it. */
  describe(i) {
    const rule = this.rule[i];
    return {
      seq: this.seq[i],
      time: this.time[i],
      twin: this.twins.names[this.twin[i]],
      type: this.types.names[this.type[i]],
      point: this.points.names[this.point[i]] || undefined,
      summary: this.summary[i],
      fault: rule ? { rule: this.rules.names[rule], action: this.actions.names[this.action[i]] } : undefined,
    };
  }
}
