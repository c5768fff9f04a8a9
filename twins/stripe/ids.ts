// Object ids in Stripe's shapes (`cus_` + 14 base62 chars, `pi_` + 24, …), drawn from the seed, each
// prefix from a stream of its own: the third PaymentIntent has the same id however many customers or
// events came before it. reset() starts the streams again, so a reset twin hands out the very ids a
// new one would. Secrets (API keys, webhook
// signing secrets, client secrets) come from crypto instead: a seed is no secret.
import { randomInt } from 'node:crypto';
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
    return `${prefix}_${text(this.streams(prefix, count), SHORT.has(prefix) ? 14 : 24)}`;
  }

  /** A client secret for an intent: `<id>_secret_<25 chars>`, the id seeded, the secret not. */
  secret(id: string): string {
    return `${id}_secret_${secretText(25)}`;
  }
}

function text(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[rng.int(ALPHABET.length)];
  return out;
}

/** `length` characters of the id alphabet from crypto: for secrets, which must not follow the seed. */
export function secretText(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
