// Delivers events to webhook endpoints: POST of the event JSON with a Stripe-Signature, in order
// per endpoint, retried with exponential backoff while the receiver answers non-2xx (or fails),
// up to `maxAttempts`. The `webhook` fault point acts on each delivery's first attempt: delay,
// drop, duplicate, reorder (held until the next delivery to that endpoint went out), corrupt.
// @see https://docs.stripe.com/webhooks#retries
import { delayLength, longTimeout, type LongTimer, type TwinContext } from '../../../src/core/index.ts';
import { webhookPoint } from '../faults.ts';
import type { StripeState } from '../state.ts';
import type { StripeEvent, WebhookEndpoint } from '../stripe-objects.ts';
import { endpointWants } from '../resources/webhook-endpoints.ts';
import { signedDelivery, type Corruption } from './signature.ts';

export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export interface DeliveryAttempt {
  attempt: number;
  /** ms since the epoch */
  at: number;
  status: number | null;
  error: string | null;
  /** `corrupt` fault on this attempt: how the signature or payload was spoiled. */
  corrupted: string | null;
}

export interface Delivery {
  id: string;
  event: string;
  type: string;
  endpoint: string;
  url: string;
  status: 'pending' | 'succeeded' | 'failed' | 'dropped';
  /** Fault actions applied to this delivery, e.g. ['reorder']. */
  faults: string[];
  /** Set on the extra copies a `duplicate` fault sends. */
  duplicateOf: string | null;
  attempts: DeliveryAttempt[];
}

interface EndpointQueue {
  chain: Promise<void>;
  held: Array<{ delivery: Delivery; release: () => void }>;
}

const USER_AGENT = 'Stripe/1.0 (+https://stripe.com/docs/webhooks)';

export class WebhookDispatcher {
  readonly deliveries: Delivery[] = [];
  private readonly queues = new Map<string, EndpointQueue>();
  private readonly timers = new Set<LongTimer>();
  private readonly aborts = new Set<AbortController>();
  private sequence = 0;
  private generation = 0;
  private pending = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly state: StripeState,
    private readonly ctx: TwinContext,
    private readonly secret: string,
    private readonly retry: RetryPolicy,
  ) {
    state.onEvent((event) => this.dispatch(event));
  }

  private dispatch(event: StripeEvent): void {
    const endpoints = this.state.webhookEndpoints.all().filter((e) => endpointWants(e, event.type));
    event.pending_webhooks = endpoints.length;
    for (const endpoint of endpoints) {
      const delivery = this.newDelivery(event, endpoint, null);
      const queue = this.queueOf(endpoint.id);
      const generation = this.generation;
      queue.chain = queue.chain
        .then(() => (generation === this.generation ? this.first(delivery, event, endpoint, queue) : undefined))
        // One broken delivery must not stall the endpoint's queue.
        .catch((error: unknown) => this.ctx.log.error('stripe twin: webhook delivery failed', { delivery: delivery.id, error: String(error) }));
    }
  }

  private newDelivery(event: StripeEvent, endpoint: WebhookEndpoint, duplicateOf: string | null): Delivery {
    const delivery: Delivery = {
      id: `whdel_${++this.sequence}`,
      event: event.id,
      type: event.type,
      endpoint: endpoint.id,
      url: endpoint.url,
      status: 'pending',
      faults: [],
      duplicateOf,
      attempts: [],
    };
    this.deliveries.push(delivery);
    this.pending++;
    return delivery;
  }

  private queueOf(endpoint: string): EndpointQueue {
    let queue = this.queues.get(endpoint);
    if (!queue) {
      queue = { chain: Promise.resolve(), held: [] };
      this.queues.set(endpoint, queue);
    }
    return queue;
  }

  /** The first attempt, in order per endpoint, with the `webhook` fault point consulted. */
  private async first(delivery: Delivery, event: StripeEvent, endpoint: WebhookEndpoint, queue: EndpointQueue): Promise<void> {
    const decision = this.ctx.faults.decide(
      webhookPoint,
      { type: event.type, url: endpoint.url, endpoint: endpoint.id, event: event.id },
      `${event.type} → ${endpoint.url}`,
    );
    const releaseHeld = (): void => {
      for (const held of queue.held.splice(0)) held.release();
    };
    if (!decision) {
      await this.attempt(delivery, event, endpoint, 1, null);
      releaseHeld();
      return;
    }
    delivery.faults.push(decision.action);
    switch (decision.action) {
      case 'drop':
        delivery.status = 'dropped';
        this.record(delivery, 'dropped by fault');
        this.settle();
        releaseHeld();
        return;
      case 'delay': {
        // Later deliveries go on; this one follows after the delay.
        const ms = delayLength(decision.params, decision.rng);
        this.later(ms, () => void this.attempt(delivery, event, endpoint, 1, null));
        releaseHeld();
        return;
      }
      case 'duplicate': {
        await this.attempt(delivery, event, endpoint, 1, null);
        const count = decision.params.count ?? 1;
        for (let i = 0; i < count; i++) {
          const copy = this.newDelivery(event, endpoint, delivery.id);
          copy.faults.push('duplicate');
          await this.attempt(copy, event, endpoint, 1, null);
        }
        releaseHeld();
        return;
      }
      case 'reorder': {
        releaseHeld();
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          void this.attempt(delivery, event, endpoint, 1, null);
        };
        queue.held.push({ delivery, release });
        this.later(decision.params.holdMs ?? 1000, release);
        return;
      }
      case 'corrupt':
        await this.attempt(delivery, event, endpoint, 1, decision.params.how);
        releaseHeld();
        return;
    }
  }

  /** `how`: the `corrupt` fault on this attempt, if any. */
  private async attempt(delivery: Delivery, event: StripeEvent, endpoint: WebhookEndpoint, n: number, how: Corruption | null): Promise<void> {
    const generation = this.generation;
    const { body, signature } = signedDelivery(JSON.stringify(this.state.eventAt(event, endpoint.api_version ?? event.api_version), null, 2), this.secret, Math.floor(this.ctx.now() / 1000), how);
    const record: DeliveryAttempt = { attempt: n, at: this.ctx.now(), status: null, error: null, corrupted: how };
    delivery.attempts.push(record);
    const abort = new AbortController();
    this.aborts.add(abort);
    const timeout = longTimeout(() => abort.abort(), this.retry.timeoutMs);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'user-agent': USER_AGENT, accept: '*/*; q=0.5, application/xml' },
        body,
        signal: abort.signal,
      });
      record.status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      record.error = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    } finally {
      timeout.cancel();
      this.aborts.delete(abort);
    }
    if (generation !== this.generation) return;
    const ok = record.status !== null && record.status >= 200 && record.status < 300;
    this.record(delivery, ok ? `${record.status}` : (record.error ?? `${record.status}`), n);
    if (ok) {
      delivery.status = 'succeeded';
      if (delivery.duplicateOf === null) event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
      this.settle();
    } else if (n < this.retry.maxAttempts) {
      const wait = Math.min(this.retry.initialDelayMs * 2 ** (n - 1), this.retry.maxDelayMs);
      this.later(wait, () => void this.attempt(delivery, event, endpoint, n + 1, null));
    } else {
      delivery.status = 'failed';
      this.settle();
    }
  }

  private record(delivery: Delivery, outcome: string, attempt?: number): void {
    this.ctx.journal.record({
      point: 'webhook',
      type: 'delivery',
      summary: `${delivery.type} → ${delivery.url}: ${outcome}${attempt ? ` (attempt ${attempt})` : ''}`,
      data: { delivery: delivery.id, event: delivery.event, type: delivery.type, url: delivery.url, attempt, outcome, faults: delivery.faults },
    });
  }

  private later(ms: number, fn: () => void): void {
    const generation = this.generation;
    const timer = longTimeout(() => {
      this.timers.delete(timer);
      if (generation === this.generation) fn();
    }, ms);
    this.timers.add(timer);
  }

  private settle(): void {
    this.pending--;
    if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves once no delivery is pending (waiting for a retry counts as pending). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets every delivery and cancels timers and requests in flight. */
  clear(): void {
    this.generation++;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    for (const abort of this.aborts) abort.abort();
    this.aborts.clear();
    this.queues.clear();
    this.deliveries.length = 0;
    this.sequence = 0;
    this.pending = 0;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
