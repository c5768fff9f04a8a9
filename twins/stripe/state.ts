// Everything one Stripe twin holds: its objects, the test card behind each payment method, the
// events it has emitted, and the seeded id stream. Handlers change it; reset() empties it.
import type { TwinContext } from '../../src/core/index.ts';
import { atVersion } from './versions.ts';
import { Collection } from './collection.ts';
import { EventData, Snapshots } from './snapshots.ts';
import { IdGenerator } from './ids.ts';
import { invalidRequest } from './errors.ts';
import type { Params } from './params.ts';
import type {
  BalanceTransaction,
  Charge,
  CheckoutSession,
  Customer,
  Dispute,
  Json,
  PaymentIntent,
  PaymentMethod,
  Invoice,
  Price,
  Product,
  Refund,
  SetupIntent,
  StripeEvent,
  StripeObject,
  Subscription,
  InvoiceItem,
  TestClock,
  WebhookEndpoint,
} from './stripe-objects.ts';
import type { Decline, TestCard } from './test-cards.ts';

/** One API call as a handler sees it. */
export interface ApiCall {
  method: string;
  path: string;
  /** `:id` and friends from the route pattern. */
  pathParams: Record<string, string>;
  params: Params;
  requestId: string;
  idempotencyKey: string | null;
  /** A decline a `request` fault rule forces on the payment this call makes. */
  forcedDecline?: Decline;
}

/** Called with the event and the live object it is about (not the event's frozen copy). */
export type EventListener = (event: StripeEvent, object: StripeObject) => void;

export class StripeState {
  /** Copies owed of objects (events, stored answers), taken only before they change (snapshots.ts). */
  readonly snapshots = new Snapshots();
  readonly customers = new Collection<Customer>('customer', this.snapshots);
  readonly paymentMethods = new Collection<PaymentMethod>('PaymentMethod', this.snapshots);
  readonly paymentIntents = new Collection<PaymentIntent>('payment_intent', this.snapshots);
  readonly charges = new Collection<Charge>('charge', this.snapshots);
  readonly refunds = new Collection<Refund>('refund', this.snapshots);
  readonly balanceTransactions = new Collection<BalanceTransaction>('balance transaction', this.snapshots);
  readonly products = new Collection<Product>('product', this.snapshots);
  readonly prices = new Collection<Price>('price', this.snapshots);
  readonly setupIntents = new Collection<SetupIntent>('setup_intent', this.snapshots);
  readonly webhookEndpoints = new Collection<WebhookEndpoint>('webhook_endpoint', this.snapshots);
  readonly events = new Collection<StripeEvent>('event', this.snapshots);
  readonly subscriptions = new Collection<Subscription>('subscription', this.snapshots);
  readonly invoices = new Collection<Invoice>('invoice', this.snapshots);
  readonly checkoutSessions = new Collection<CheckoutSession>('checkout.session', this.snapshots);
  readonly disputes = new Collection<Dispute>('dispute', this.snapshots);
  readonly invoiceItems = new Collection<InvoiceItem>('invoiceitem', this.snapshots);
  readonly testClocks = new Collection<TestClock>('test_clock', this.snapshots);
  /** The PaymentIntent that pays each invoice (Stripe exposes it through `payments`, includable). */
  readonly invoicePayments = new Map<string, string>();
  /** Fields Stripe leaves out unless expanded (`charge.refunds`, `invoice.payments`, `invoice.confirmation_secret`). */
  readonly includable = new Map<string, (id: string, state: StripeState) => unknown>([
    // Since 2022-11-15; older versions get it without asking (versions.ts).
    ['charge.refunds', (id, s) => s.refunds.list(`/v1/charges/${id}/refunds`, {}, (r) => r.charge === id)],
  ]);
  /** The test card behind each payment method (the number is never on the object). */
  readonly cards = new Map<string, TestCard>();
  /** Deleted objects still answer retrieve with `{id, object, deleted: true}`. */
  readonly deleted = new Map<string, string>();
  /** Intents whose 3D Secure challenge was completed (by the `authenticate` action or the redirect page). */
  readonly authenticated = new Set<string>();
  /** The twin's own URL, for next_action redirect pages; set once the server listens. */
  baseUrl = '';
  ids: IdGenerator;
  private readonly listeners = new Set<EventListener>();
  /** Events made while listeners run, handed to them in order (emit). */
  private readonly pendingEvents: Array<[StripeEvent, StripeObject]> = [];
  /** A test clock's frozen_time while its objects are worked on (billing-clock.ts), else null. */
  private clockTime: number | null = null;
  /**
   * Each event's object in today's shape, serialized, so it can be rendered at another version; kept
   * only for events whose own data is in an older shape (an account pinned to an older version).
   */
  private readonly todayShapes = new WeakMap<StripeEvent, string>();
  /** Each collection by its id prefix (`pi` → payment intents), for find and expand[]. */
  private readonly byPrefix = new Map<string, Collection<StripeObject>>([
    ['cus', this.customers],
    ['pm', this.paymentMethods],
    ['pi', this.paymentIntents],
    ['ch', this.charges],
    ['re', this.refunds],
    ['txn', this.balanceTransactions],
    ['prod', this.products],
    ['price', this.prices],
    ['seti', this.setupIntents],
    ['we', this.webhookEndpoints],
    ['evt', this.events],
    ['sub', this.subscriptions],
    ['in', this.invoices],
    ['cs', this.checkoutSessions],
    ['dp', this.disputes],
    ['ii', this.invoiceItems],
    ['clock', this.testClocks],
  ]);
  private readonly everyCollection: ReadonlyArray<Collection<StripeObject>> = Object.values(this.collections());

  constructor(
    private readonly ctx: TwinContext,
    readonly apiVersion: string,
  ) {
    this.ids = new IdGenerator((...label) => ctx.rng('ids', ...label));
  }

  /** Unix seconds from the twin's clock, or the frozen_time of the test clock being worked on. */
  now(): number {
    return this.clockTime ?? Math.floor(this.ctx.now() / 1000);
  }

  /** Runs `work` with now() at `time`: objects of a test clock live at its frozen_time. */
  atTime<T>(time: number | null, work: () => T): T {
    const outer = this.clockTime;
    this.clockTime = time;
    try {
      return work();
    } finally {
      this.clockTime = outer;
    }
  }

  /** `object`, held since before an event about it, is about to change: the event keeps it as it was. */
  touch(object: StripeObject): void {
    this.snapshots.settle(object);
  }

  /**
   * An object other objects hold inside them (a price inside subscription items and Checkout line
   * items) is about to change: every event keeps its objects as they were.
   */
  touchShared(): void {
    this.snapshots.settleAll();
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Records an event about `object` as it is now, and hands it to the webhook dispatcher. Code that
   * changes `object` afterwards without fetching it again from its collection calls touch() first.
   */
  emit(type: string, object: StripeObject, call: ApiCall | null, previous?: Json): StripeEvent {
    const atAccount = atVersion(object as unknown as Record<string, unknown>, this.apiVersion, this);
    // Reshaped to an older version, the object is a copy already: fixed now, today's shape beside it.
    const reshaped = atAccount !== (object as unknown);
    const event: StripeEvent = {
      id: this.ids.next('evt'),
      object: 'event',
      api_version: this.apiVersion,
      created: this.now(),
      // Shaped at the account's version, as Stripe renders events.
      data: reshaped ? new EventData(JSON.stringify(atAccount), previous) : this.snapshots.event(object, previous),
      livemode: false,
      pending_webhooks: 0,
      request: { id: call?.requestId ?? null, idempotency_key: call?.idempotencyKey ?? null },
      type,
    };
    this.events.insert(event);
    // At today's version the event's own data is today's shape: no second copy, and no WeakMap
    // entry per event (each one an ephemeron the GC traces).
    if (reshaped) this.todayShapes.set(event, JSON.stringify(object));
    this.ctx.journal.record({ type: 'event', summary: `${type} ${object.id}`, data: { event: event.id, type, object: object.id } });
    // An event a listener emits waits until every listener has seen the current one, so listeners
    // (webhook deliveries above all) see events in the order they were made.
    this.pendingEvents.push([event, object]);
    if (this.pendingEvents.length === 1) {
      try {
        for (let next = this.pendingEvents[0]; next; next = this.pendingEvents[0]) {
          for (const listener of this.listeners) listener(next[0], next[1]);
          this.pendingEvents.shift();
        }
      } finally {
        this.pendingEvents.length = 0;
      }
    }
    return event;
  }

  /**
   * The event as an endpoint pinned to `version` receives it: `api_version` and `data.object` at
   * that version (a webhook endpoint's own api_version shapes its deliveries, not the account's).
   */
  eventAt(event: StripeEvent, version: string): StripeEvent {
    if (version === event.api_version) return event;
    const today = this.todayShapes.get(event);
    // atVersion reshapes a copy, never what it is given.
    const object = atVersion(today === undefined ? (event.data.object as Record<string, unknown>) : (JSON.parse(today) as Record<string, unknown>), version, this);
    const data = { object, ...(event.data.previous_attributes ? { previous_attributes: event.data.previous_attributes } : {}) };
    return { ...event, api_version: version, data };
  }

  /** Looks an object up by its id prefix, for expand[] and inspect. */
  find(id: string): StripeObject | undefined {
    const collection = this.collectionOf(id);
    return collection?.get(id);
  }

  collectionOf(id: string): Collection<StripeObject> | undefined {
    return this.byPrefix.get(id.slice(0, id.indexOf('_')));
  }

  /** Whether `object` is a stored object (not one made for an answer), without settling it. */
  holds(object: StripeObject): boolean {
    return typeof object.id === 'string' && this.collectionOf(object.id)?.holds(object) === true;
  }

  /**
   * Refuses to make more objects once the twin holds `limit` (limits.stripeObjects): checked before each
   * POST and trigger, so a call may pass it by the few objects it makes.
   */
  checkRoom(limit: number): void {
    let held = 0;
    for (const collection of this.everyCollection) held += collection.size;
    if (held >= limit) {
      throw invalidRequest(
        `This stripe twin holds ${held} objects, its limit (stripeObjects; --limit-stripe-objects or STANDIN_LIMIT_STRIPE_OBJECTS): reset the twin or delete objects to make more.`,
        undefined,
        'standin_objects_limit',
      );
    }
  }

  /** Every collection by its resource name, for inspect. */
  collections(): Record<string, Collection<StripeObject>> {
    return {
      customers: this.customers,
      payment_methods: this.paymentMethods,
      payment_intents: this.paymentIntents,
      charges: this.charges,
      refunds: this.refunds,
      balance_transactions: this.balanceTransactions,
      products: this.products,
      prices: this.prices,
      setup_intents: this.setupIntents,
      webhook_endpoints: this.webhookEndpoints,
      subscriptions: this.subscriptions,
      invoices: this.invoices,
      checkout_sessions: this.checkoutSessions,
      disputes: this.disputes,
      invoice_items: this.invoiceItems,
      test_clocks: this.testClocks,
      events: this.events,
    };
  }

  clear(): void {
    this.snapshots.check();
    this.snapshots.clear();
    for (const collection of this.everyCollection) collection.clear();
    this.cards.clear();
    this.deleted.clear();
    this.authenticated.clear();
    this.invoicePayments.clear();
    this.ids = new IdGenerator((...label) => this.ctx.rng('ids', ...label));
  }
}

/** A deep copy as the wire would carry it, so later changes don't rewrite past events. */
export function snapshot(object: StripeObject): Json {
  return JSON.parse(JSON.stringify(object)) as Json;
}
