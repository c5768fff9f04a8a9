// Object ids in Stripe's shapes (`cus_` + 14 base62 chars, `pi_` + 24, …), drawn from the seed, each
// prefix from a stream of its own: the third PaymentIntent has the same id however many customers or
// events came before it. reset() starts the streams again, so a reset twin hands out the very ids a
// new one would. Secrets (API keys, webhook
// signing secrets, client secrets) come from crypto instead: a seed is no secret.
import { randomFillSync } from 'node:crypto';
import type { Rng } from '../../src/core/index.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Prefixes whose ids are short on the real API (customers, products); the rest are 24 chars. */
const SHORT = new Set(['cus', 'prod', 'acct']);

export class IdGenerator {
  /** Ids handed out so far per prefix: the next one is drawn from `streams(prefix, count)`. */
  private readonly counts = new Map<string, number>();
  /** Other seeded text (authorization codes, receipt paths, request ids), in the order asked. */
  private readonly details: Rng;

  constructor(private readonly streams: (...label: Array<string | number>) => Rng) {
    this.details = streams('details');
  }

  random(length: number): string {
    return text(this.details, length);
  }

  /** e.g. `next('pi')` → `pi_3Qx…`. */
  next(prefix: string): string {
    const count = (this.counts.get(prefix) ?? 0) + 1;
    this.counts.set(prefix, count);
    return text(this.streams(prefix, count), SHORT.has(prefix) ? 14 : 24, `${prefix}_`);
  }

  /** A client secret for an intent: `<id>_secret_<25 chars>`, the id seeded, the secret not. */
  secret(id: string): string {
    return `${id}_secret_${secretText(25)}`;
  }
}

const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));

/**
 * `prefix`, then `length` characters drawn, as one flat string: adding a character at a time made a
 * string per character, and `${prefix}${drawn}` a pair of pieces V8 keeps until read whole (ids are
 * kept as long as their objects: the GC would copy three strings per id).
 */
function text(rng: Rng, length: number, prefix = ''): string {
  const codes = new Array<number>(prefix.length + length);
  for (let i = 0; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i);
  for (let i = prefix.length; i < codes.length; i++) codes[i] = CODES[rng.int(CODES.length)] as number;
  return String.fromCharCode(...codes);
}

/** Bytes at or above this would make `byte % 62` favour the first characters: they are drawn again. */
const UNBIASED_BELOW = 256 - (256 % ALPHABET.length);

/**
 * Crypto bytes drawn ahead, refilled when spent: a randomInt per character (~25 per PaymentIntent)
 * or a randomBytes per secret (a getrandom call each) both showed in profiles.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** `length` characters of the id alphabet from crypto: for secrets, which must not follow the seed. */
export function secretText(length: number): string {
  let out = '';
  while (out.length < length) {
    if (used === pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    const byte = pool[used++] as number;
    if (byte < UNBIASED_BELOW) out += ALPHABET[byte % ALPHABET.length];
  }
  return out;
}
