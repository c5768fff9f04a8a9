// An event's `data.object` is its object as it was when the event was made. Serializing the object
// at every event was the twin's largest cost per request (and most of what it kept in memory), yet
// most events are never read back and most objects never change after their last event. So an
// event holds the live object while it is unchanged, and its copy is taken only when the object is
// about to change: when code fetches it from its collection (get, require, all: every handler that
// changes a stored object fetches it first), or when code still holding it from an earlier step of
// the same call (create, then confirm) calls `touch` before changing it. One serialization then
// serves every unsettled event of that object.
//
// A change without a touch would rewrite past events. With STANDIN_CHECK_EVENT_SNAPSHOTS=1 (set for
// the test suite) every event also keeps an eager copy, compared whenever the event is settled, at
// the end of each API call and at reset: a missing touch fails loudly in tests, not silently later.
import type { Json, StripeObject } from './stripe-objects.ts';

const CHECKING = process.env.STANDIN_CHECK_EVENT_SNAPSHOTS === '1';

/** `data` of one event: `object`, and `previous_attributes` on `*.updated` events. */
export class EventData {
  /** The object itself while it has not changed since the event; null once settled. */
  private live: StripeObject | null;
  private text: string | null = null;
  private parsed: Json | undefined;
  /** The next unsettled event of the same object (EventSnapshots keeps the newest). */
  next: EventData | null = null;
  /** The object serialized at the event, kept only when checking. */
  readonly eager: string | null;

  /** `object` live, or already serialized (an object reshaped to an older API version is a copy already). */
  constructor(
    object: StripeObject | string,
    readonly previous_attributes: Json | undefined,
  ) {
    if (typeof object === 'string') {
      this.live = null;
      this.text = object;
      this.eager = null;
    } else {
      this.live = object;
      this.eager = CHECKING ? JSON.stringify(object) : null;
    }
  }

  /** A settled event's object, parsed on first read; an unsettled one's is the object itself, unchanged since. */
  get object(): Json {
    if (this.live !== null) return this.live as unknown as Json;
    return (this.parsed ??= JSON.parse(this.text as string) as Json);
  }

  /** Fixes `object` to `text`, the object serialized before its next change. */
  settle(text: string): void {
    if (this.eager !== null && this.eager !== text) throw changedUntouched(this.live);
    this.text = text;
    this.live = null;
  }

  /** For checking: whether the live object still matches the eager copy. */
  unchanged(): boolean {
    return this.live === null || this.eager === null || JSON.stringify(this.live) === this.eager;
  }

  /** The object while unsettled (for the check's message). */
  get liveObject(): StripeObject | null {
    return this.live;
  }

  toJSON(): { object: Json; previous_attributes?: Json } {
    return this.previous_attributes === undefined ? { object: this.object } : { object: this.object, previous_attributes: this.previous_attributes };
  }
}

/** The events whose objects have not changed since, by object. */
export class EventSnapshots {
  private readonly unsettled = new Map<StripeObject, EventData>();

  /** Data for a new event about `object`, unsettled until the object is fetched or touched. */
  track(object: StripeObject, previous: Json | undefined): EventData {
    const data = new EventData(object, previous);
    data.next = this.unsettled.get(object) ?? null;
    this.unsettled.set(object, data);
    return data;
  }

  /** `object` is about to change (or may be): its unsettled events take their copy now. */
  settle(object: StripeObject): void {
    if (this.unsettled.size === 0) return;
    const head = this.unsettled.get(object);
    if (head === undefined) return;
    this.unsettled.delete(object);
    const text = JSON.stringify(object);
    for (let data: EventData | null = head; data !== null; data = data.next) data.settle(text);
  }

  /** Every unsettled event takes its copy: before a change to an object others hold inside them. */
  settleAll(): void {
    for (const object of [...this.unsettled.keys()]) this.settle(object);
  }

  clear(): void {
    this.unsettled.clear();
  }

  /** With checking on: throws if any unsettled event's object changed without a settle. */
  check(): void {
    if (!CHECKING) return;
    for (const head of this.unsettled.values()) {
      for (let data: EventData | null = head; data !== null; data = data.next) if (!data.unchanged()) throw changedUntouched(data.liveObject);
    }
  }
}

function changedUntouched(object: StripeObject | null): Error {
  return new Error(`stripe twin: ${object?.id} changed after an event about it, without StripeState.touch first: the event would show the change`);
}
