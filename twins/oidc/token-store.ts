// Storage for everything oidc-provider persists (sessions, grants, interactions, codes, tokens),
// shaped as its Adapter interface. It belongs to the twin, not to a Provider instance: when key
// rotation builds a new Provider, the new one finds the same sessions and tokens, as a real
// provider's database would. Expiry runs on the real clock: oidc-provider hands over a relative
// `expiresIn`, so a skewed issuer clock does not shorten or stretch what it stores.
import { realClock } from './issuer-clock.ts';

/** What oidc-provider stores for one model instance (its fields vary by model). */
export type StoredPayload = Record<string, unknown> & {
  grantId?: string;
  userCode?: string;
  uid?: string;
  consumed?: number;
};

/** The Adapter oidc-provider calls, one per model name (AccessToken, Session, Grant…). */
export interface ModelAdapter {
  upsert(id: string, payload: StoredPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<StoredPayload | undefined>;
  findByUserCode(userCode: string): Promise<StoredPayload | undefined>;
  findByUid(uid: string): Promise<StoredPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

interface Entry {
  payload: StoredPayload;
  /** Real ms since the epoch; undefined = no expiry. */
  expiresAt: number | undefined;
}

/** Models whose first save is a token handed to a client: what `issued` counts. */
const ISSUED_MODELS = new Set(['AccessToken', 'ClientCredentials', 'RefreshToken', 'AuthorizationCode', 'DeviceCode']);

export class TokenStore {
  private readonly entries = new Map<string, Entry>();
  /** grantId → keys of the entries issued under it, for revokeByGrantId. */
  private readonly byGrant = new Map<string, Set<string>>();
  /** `${model}:${uid}` and `${model}:${userCode}` → entry key, for findByUid / findByUserCode. */
  private readonly byUid = new Map<string, string>();
  private readonly byUserCode = new Map<string, string>();
  private readonly issuedByModel = new Map<string, number>();
  private writes = 0;

  adapter(model: string): ModelAdapter {
    const key = (id: string): string => `${model}:${id}`;
    const lookup = (index: Map<string, string>, value: string): StoredPayload | undefined => {
      const k = index.get(`${model}:${value}`);
      const entry = k === undefined ? undefined : this.entries.get(k);
      return entry && this.live(k as string, entry);
    };
    return {
      upsert: async (id, payload, expiresIn) => {
        const k = key(id);
        if (!this.entries.has(k) && ISSUED_MODELS.has(model)) {
          this.issuedByModel.set(model, (this.issuedByModel.get(model) ?? 0) + 1);
        }
        this.entries.set(k, { payload, expiresAt: expiresIn === undefined ? undefined : realClock() + expiresIn * 1000 });
        if (payload.uid) this.byUid.set(`${model}:${payload.uid}`, k);
        if (payload.userCode) this.byUserCode.set(`${model}:${payload.userCode}`, k);
        // Expired entries are dropped when looked up; a sweep now and then catches the rest.
        if (++this.writes % 4096 === 0) this.sweep();
        if (payload.grantId) {
          let keys = this.byGrant.get(payload.grantId);
          if (!keys) this.byGrant.set(payload.grantId, (keys = new Set()));
          keys.add(k);
        }
      },
      find: async (id) => {
        const k = key(id);
        const entry = this.entries.get(k);
        return entry && this.live(k, entry);
      },
      findByUid: async (uid) => lookup(this.byUid, uid),
      findByUserCode: async (userCode) => lookup(this.byUserCode, userCode),
      consume: async (id) => {
        const entry = this.entries.get(key(id));
        if (entry) entry.payload.consumed = Math.floor(realClock() / 1000);
      },
      destroy: async (id) => {
        this.delete(key(id));
      },
      revokeByGrantId: async (grantId) => {
        for (const k of this.byGrant.get(grantId) ?? []) this.delete(k);
        this.byGrant.delete(grantId);
      },
    };
  }

  /** How many tokens of each kind were issued since start or the last reset. */
  issued(): Record<string, number> {
    return Object.fromEntries(this.issuedByModel);
  }

  /** How many live entries each model holds. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, entry] of this.entries) {
      if (this.live(k, entry) === undefined) continue;
      const model = k.slice(0, k.indexOf(':'));
      out[model] = (out[model] ?? 0) + 1;
    }
    return out;
  }

  clear(): void {
    this.entries.clear();
    this.byGrant.clear();
    this.byUid.clear();
    this.byUserCode.clear();
    this.issuedByModel.clear();
  }

  private sweep(): void {
    for (const [k, entry] of this.entries) this.live(k, entry);
    for (const [grantId, keys] of this.byGrant) {
      for (const k of keys) if (!this.entries.has(k)) keys.delete(k);
      if (keys.size === 0) this.byGrant.delete(grantId);
    }
  }

  private delete(k: string): void {
    const entry = this.entries.get(k);
    if (!entry) return;
    this.entries.delete(k);
    const model = k.slice(0, k.indexOf(':'));
    if (entry.payload.uid) this.byUid.delete(`${model}:${entry.payload.uid}`);
    if (entry.payload.userCode) this.byUserCode.delete(`${model}:${entry.payload.userCode}`);
  }

  /** The payload if the entry has not expired; an expired one is dropped on the way. */
  private live(k: string, entry: Entry): StoredPayload | undefined {
    if (entry.expiresAt !== undefined && entry.expiresAt <= realClock()) {
      this.delete(k);
      return undefined;
    }
    return entry.payload;
  }
}
