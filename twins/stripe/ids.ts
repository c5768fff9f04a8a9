// Object ids in Stripe's shapes (`cus_` + 14 base62 chars, `pi_` + 24, …), drawn from the twin's
// seeded stream so the same seed and the same requests give the same ids. reset() starts a fresh
// stream, so a reset twin hands out the very ids a new one would. Secrets (API keys, webhook
// signing secrets, client secrets) come from crypto instead: a seed is no secret.
import { randomInt } from 'node:crypto';
import type { Rng } from '../../src/core/index.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Prefixes whose ids are short on the real API (customers, products); the rest are 24 chars. */
const SHORT = new Set(['cus', 'prod', 'acct']);

export class IdGenerator {
  constructor(private readonly rng: Rng) {}

  random(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHABET[this.rng.int(ALPHABET.length)];
    return out;
  }

  /** e.g. `next('pi')` → `pi_3Qx…`. */
  next(prefix: string): string {
    return `${prefix}_${this.random(SHORT.has(prefix) ? 14 : 24)}`;
  }

  /** A client secret for an intent: `<id>_secret_<25 chars>`, the id seeded, the secret not. */
  secret(id: string): string {
    return `${id}_secret_${secretText(25)}`;
  }
}

/** `length` characters of the id alphabet from crypto: for secrets, which must not follow the seed. */
export function secretText(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
