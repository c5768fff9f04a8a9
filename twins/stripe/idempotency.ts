// Idempotent requests: a POST with an Idempotency-Key runs once; the same key with the same
// parameters replays the stored response (header `Idempotent-Replayed: true`), with different
// parameters or on another endpoint it is an idempotency_error, and while the first request is
// still running a second one gets 409. Results are stored only once an endpoint ran (2xx, and
// 402 card errors, which change state); validation errors and 5xx are not, so a retry runs again.
// @see https://docs.stripe.com/api/idempotent_requests
import { StripeApiError } from './errors.ts';

export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  requestId: string;
}

interface Entry {
  endpoint: string;
  /** The form body as sent: most reuses of a key are retries of the very same bytes. */
  body: string;
  response: StoredResponse;
}

/** Whether the body stored with a key carries the same parameters as the request at hand. */
export type SameParams = (storedBody: string) => boolean;

export type IdempotencyCheck = { kind: 'new' } | { kind: 'replay'; response: StoredResponse };

/** Keys are kept at most this many; the oldest go first (Stripe keeps them 24 hours). */
const CAPACITY = 100_000;

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly running = new Set<string>();

  /**
   * What to do with a request carrying `key`; throws the idempotency errors. The parameters are
   * compared only when a key comes back (`sameParams`), not fingerprinted for every request.
   */
  check(key: string, endpoint: string, sameParams: SameParams): IdempotencyCheck {
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.endpoint !== endpoint) {
        throw idempotencyError(
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${entry.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      if (!sameParams(entry.body)) {
        throw idempotencyError(
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      return { kind: 'replay', response: entry.response };
    }
    if (this.running.has(key)) {
      throw new StripeApiError(409, {
        type: 'idempotency_error',
        message: 'There is currently another in-progress request using this Stripe API Key and Idempotency Key. Please try again later.',
      });
    }
    return { kind: 'new' };
  }

  begin(key: string): void {
    this.running.add(key);
  }

  end(key: string): void {
    this.running.delete(key);
  }

  save(key: string, endpoint: string, body: string, response: StoredResponse): void {
    if (this.entries.size >= CAPACITY) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { endpoint, body, response });
  }

  clear(): void {
    this.entries.clear();
    this.running.clear();
  }
}

/** Whether a response is one Stripe stores against its key. */
export function isStored(status: number): boolean {
  return (status >= 200 && status < 300) || status === 402;
}

/** A canonical form of decoded params: the same parameters in any order compare equal. */
export function fingerprintOf(params: unknown): string {
  return JSON.stringify(params, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

function idempotencyError(message: string): StripeApiError {
  return new StripeApiError(400, { type: 'idempotency_error', message });
}
