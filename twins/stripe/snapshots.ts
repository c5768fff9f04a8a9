// Copies of objects as they were: an event's `data.object` is its object when the event was made,
// and an idempotent request's stored answer is its object when it was answered. Serializing the
// object for each was the twin's largest cost per request (and most of what it kept in memory), yet
// most events are never read back, most keys never come back, and most objects never change after
// their last event. So each holds the live object while it is unchanged, and the copy is taken
// only when the object is about to change: when code fetches it from its collection (get, require,
// all: every handler that changes a stored object fetches it first), or when code still holding it
// from an earlier step of the same call (create, then confirm) calls StripeState.touch before
// changing it. One serialization then serves every copy owed.
//
// A change without a touch would rewrite the past. With STANDIN_CHECK_EVENT_SNAPSHOTS=1 (set for the
// test suite) each copy is also taken at once and compared whenever it is settled, at the end of
// each API call and at reset: a missing touch fails loudly in tests, not silently later.
import type { Json, StripeObject } from './stripe-objects.ts';

const CHECKING = process.env.STANDIN_CHECK_EVENT_SNAPSHOTS === '1';

/** An object as the API renders it. */
export function render(object: unknown): string {
  return JSON.stringify(object, null, 2);
}

/** A copy owed of one object, settled with the object serialized before it changes. */
abstract class Owed {
  /** The object itself while it has not changed; null once settled. */
  protected live: StripeObject | null;
  protected text: string | null;
  /** The object serialized at once, kept only when checking. */
  private readonly eager: string | null;
  /** The next copy owed of the same object (Snapshots keeps the newest). */
  next: Owed | null = null;

  /** `object` live, or serialized already (an event's object reshaped for an older API version is a copy already). */
  constructor(object: StripeObject | string) {
    if (typeof object === 'string') {
      this.live = null;
      this.text = object;
      this.eager = null;
    } else {
      this.live = object;
      this.text = null;
      this.eager = CHECKING ? JSON.stringify(object) : null;
    }
  }

  /** Fixes the copy to `text`, the object serialized before its next change. */
  settle(text: string): void {
    if (this.eager !== null && this.eager !== text) throw changedUntouched(this.live);
    this.text = text;
    this.live = null;
  }

  /** For checking: throws if the live object no longer matches the copy taken at once. */
  check(): void {
    if (this.live !== null && this.eager !== null && JSON.stringify(this.live) !== this.eager) throw changedUntouched(this.live);
  }
}

/** `data` of one event: `object`, and `previous_attributes` on `*.updated` events. */
export class EventData extends Owed {
  private parsed: Json | undefined;

  constructor(
    object: StripeObject | string,
    readonly previous_attributes: Json | undefined,
  ) {
    super(object);
  }

  /** The object itself while unchanged since the event; once settled, parsed from the copy on first read. */
  get object(): Json {
    if (this.live !== null) return this.live as unknown as Json;
    return (this.parsed ??= JSON.parse(this.text as string) as Json);
  }

  toJSON(): { object: Json; previous_attributes?: Json } {
    return this.previous_attributes === undefined ? { object: this.object } : { object: this.object, previous_attributes: this.previous_attributes };
  }
}

/** An answer kept for replays of its idempotency key (idempotency.ts's StoredResponse), which was `render(object)`. */
export class StoredAnswer extends Owed {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly requestId: string,
    object: StripeObject,
  ) {
    super(object);
  }

  /** The body as first sent: the object rendered, or on a replay after it changed its copy (kept compact) rendered. */
  get body(): string {
    return render(this.live ?? JSON.parse(this.text as string));
  }
}

/** The copies owed, by object. */
export class Snapshots {
  private readonly unsettled = new Map<StripeObject, Owed>();

  /** Data for a new event about `object`, unsettled until the object is fetched or touched. */
  event(object: StripeObject, previous: Json | undefined): EventData {
    return this.owe(object, new EventData(object, previous));
  }

  /** An answer for replays that is `render(object)` now, kept as the object until it changes. */
  answer(status: number, headers: Record<string, string>, requestId: string, object: StripeObject): StoredAnswer {
    return this.owe(object, new StoredAnswer(status, headers, requestId, object));
  }

  /** `object` is about to change (or may be): the copies owed of it are taken now. */
  settle(object: StripeObject): void {
    if (this.unsettled.size === 0) return;
    const head = this.unsettled.get(object);
    if (head === undefined) return;
    this.unsettled.delete(object);
    const text = JSON.stringify(object);
    for (let owed: Owed | null = head; owed !== null; owed = owed.next) owed.settle(text);
  }

  /** Every copy owed is taken: before a change to an object others hold inside them. */
  settleAll(): void {
    for (const object of [...this.unsettled.keys()]) this.settle(object);
  }

  clear(): void {
    this.unsettled.clear();
  }

  /** With checking on: throws if any object changed while a copy of it was owed. */
  check(): void {
    if (!CHECKING) return;
    for (const head of this.unsettled.values()) for (let owed: Owed | null = head; owed !== null; owed = owed.next) owed.check();
  }

  private owe<T extends Owed>(object: StripeObject, owed: T): T {
    owed.next = this.unsettled.get(object) ?? null;
    this.unsettled.set(object, owed);
    return owed;
  }
}

function changedUntouched(object: StripeObject | null): Error {
  return new Error(`stripe twin: ${object?.id} changed while a copy of it was owed (an event, a stored answer), without StripeState.touch first`);
}
