// The twin's signing keys: one active key (it signs), plus rotated-out keys that stay published in
// the JWKS until their grace period ends, so tokens they signed still verify. Keys come from
// node:crypto (they need not be reproducible; nothing random about them shapes a test's outcome).
//
// An RSA-2048 key takes ~100 ms to generate, half the start budget, so the process keeps one spare
// key per algorithm, generated in the background after one is taken: the next twin start or
// rotation takes it at no cost. Each key is used by one twin only.
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { announceIfSlow } from '../../src/core/index.ts';
import type { SigningAlg } from './config.ts';

const generate = promisify(generateKeyPair);

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The private JWK with kid, alg and use: what oidc-provider's `jwks` takes. */
  privateJwk: JWK;
  publicJwk: JWK;
}

async function newKey(alg: SigningAlg): Promise<SigningKey> {
  const pair =
    alg === 'ES256'
      ? await generate('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? await generate('ed25519')
        : await announceIfSlow('oidc: generating an RSA-2048 signing key', () => generate('rsa', { modulusLength: 2048 }));
  const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    privateJwk: { ...(pair.privateKey.export({ format: 'jwk' }) as JWK), ...meta },
    publicJwk: { ...publicJwk, ...meta },
  };
}

const spares = new Map<SigningAlg, Promise<SigningKey>>();

/** A fresh key for `alg`: the spare when one is ready, and a new spare starts generating. */
export function takeKey(alg: SigningAlg): Promise<SigningKey> {
  const key = spares.get(alg) ?? newKey(alg);
  const spare = newKey(alg);
  // A failed background generation must not surface as an unhandled rejection; the next take retries.
  spare.catch(() => spares.delete(alg));
  spares.set(alg, spare);
  return key;
}

/** Resolves once the spare key for `alg` exists (for benchmarks that measure a warm start). */
export async function spareKeyReady(alg: SigningAlg): Promise<void> {
  await spares.get(alg)?.catch(() => undefined);
}

interface RetiringKey {
  key: SigningKey;
  /** Real ms since the epoch when it leaves the JWKS. */
  retiresAt: number;
}

export class KeyRing {
  private activeKey: SigningKey;
  private retiring: RetiringKey[] = [];
  /**
   * An RS256 key published beside a non-RS256 active key: OpenID Connect Discovery §3 makes RS256
   * a MUST in id_token_signing_alg_values_supported, so a client registered for RS256 ID tokens
   * must get them whatever the twin's own algorithm is.
   */
  private rs256: SigningKey | undefined;

  constructor(active: SigningKey, rs256?: SigningKey) {
    this.activeKey = active;
    this.rs256 = rs256;
  }

  /** Whether an RS256 key must be supplied (setRs256) before the active key's algorithm is used. */
  needsRs256(alg: SigningAlg): boolean {
    return alg !== 'RS256' && this.rs256 === undefined;
  }

  setRs256(key: SigningKey): void {
    this.rs256 = key;
  }

  get active(): SigningKey {
    return this.activeKey;
  }

  /**
   * Active first: oidc-provider signs with the first key that fits the algorithm. The RS256 key
   * comes next when the active key is not RS256, so it signs RS256 rather than a retiring key.
   */
  signingKeys(): SigningKey[] {
    const rs256 = this.activeKey.alg !== 'RS256' && this.rs256 ? [this.rs256] : [];
    return [this.activeKey, ...rs256, ...this.retiring.map((r) => r.key)];
  }

  publicJwks(): { keys: JWK[] } {
    return { keys: this.signingKeys().map((k) => k.publicJwk) };
  }

  retiringKeys(): Array<{ kid: string; retiresAt: number }> {
    return this.retiring.map((r) => ({ kid: r.key.kid, retiresAt: r.retiresAt }));
  }

  /** Makes `next` active; the old active key retires at `retiresAt`. */
  rotate(next: SigningKey, retiresAt: number): SigningKey {
    const previous = this.activeKey;
    this.activeKey = next;
    this.retiring.push({ key: previous, retiresAt });
    return previous;
  }

  /** Drops keys whose grace ended by `now`; returns whether any left. */
  expire(now: number): boolean {
    const before = this.retiring.length;
    this.retiring = this.retiring.filter((r) => r.retiresAt > now);
    return this.retiring.length !== before;
  }

  /** The earliest pending retirement, if any. */
  nextRetirement(): number | undefined {
    return this.retiring.reduce<number | undefined>((min, r) => (min === undefined || r.retiresAt < min ? r.retiresAt : min), undefined);
  }

  restore(active: SigningKey): void {
    this.activeKey = active;
    this.retiring = [];
  }
}
