// Idempotency-Key for POST /environments: a client whose create answer was lost (a timeout, a
// dropped connection) retries with the same key and gets the same environment, id and token, instead
// of a second environment it cannot name and so cannot destroy. Modelled on Stripe's idempotent
// requests and the IETF Idempotency-Key draft: the key is bound to the request body (a different
// body is refused), a retry while the first is still being created waits for it, and a failed
// create is forgotten so that it can be retried. Keys are bounded in number and time, and a key is
// forgotten with its environment.
import { createHash } from 'node:crypto';
import { StandinError } from '../core/index.ts';
import type { Environment } from '../environments/environment.ts';

export interface IdempotencyStoreOptions {
  /** Keys remembered; past it the oldest is forgotten. */
  maxKeys: number;
  ttlMs: number;
  /** Whether an environment still exists (it may have been destroyed or reaped since). */
  isLive: (id: string) => boolean;
  now?: () => number;
}

interface Entry {
  fingerprint: string;
  expiresAt: number;
  environment: Promise<Environment>;
  /** Set once created, so the key can be forgotten with its environment. */
  envId?: string;
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly keyOfEnv = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly options: IdempotencyStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The environment created for `key`: by `create` the first time, the same one on a retry with the
   * same body (`replayed`). The same key with another body is STANDIN_ERR_API_IDEMPOTENCY_MISMATCH.
   */
  async run(key: string, body: unknown, create: () => Promise<Environment>): Promise<{ env: Environment; replayed: boolean }> {
    const fingerprint = fingerprintOf(body);
    const known = this.live(key);
    if (known) {
      if (known.fingerprint !== fingerprint) throw new StandinError('STANDIN_ERR_API_IDEMPOTENCY_MISMATCH');
      const env = await known.environment;
      if (this.options.isLive(env.id)) return { env, replayed: true };
      // Destroyed while this retry waited: the key goes with it, and this request creates anew.
      this.forgetEnvironment(env.id);
    }
    const entry: Entry = { fingerprint, expiresAt: this.now() + this.options.ttlMs, environment: create() };
    this.remember(key, entry);
    try {
      const env = await entry.environment;
      if (this.entries.get(key) === entry) {
        entry.envId = env.id;
        this.keyOfEnv.set(env.id, key);
      }
      return { env, replayed: false };
    } catch (error) {
      // A failed create leaves nothing to replay; whoever waited on it got the same error.
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw error;
    }
  }

  /** Called when an environment is destroyed: its key no longer names anything. */
  forgetEnvironment(envId: string): void {
    const key = this.keyOfEnv.get(envId);
    if (key === undefined) return;
    this.keyOfEnv.delete(envId);
    if (this.entries.get(key)?.envId === envId) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry of `key` if it has not expired and its environment (if created) still lives. */
  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now() && (entry.envId === undefined || this.options.isLive(entry.envId))) return entry;
    this.drop(key, entry);
    return undefined;
  }

  private remember(key: string, entry: Entry): void {
    this.entries.delete(key);
    // Map order is insertion order: the first entries are the oldest.
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size < this.options.maxKeys && old.expiresAt > this.now()) break;
      this.drop(oldKey, old);
    }
    this.entries.set(key, entry);
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    if (entry.envId !== undefined) this.keyOfEnv.delete(entry.envId);
  }
}

/** The body's digest, independent of the order of object keys. */
function fingerprintOf(body: unknown): string {
  const canonical = JSON.stringify(body, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]]))
      : value,
  );
  return createHash('sha256').update(canonical ?? '').digest('base64url');
}
