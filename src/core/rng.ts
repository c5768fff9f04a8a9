// Seeded randomness. Every random choice in Standin comes from an Rng derived from the environment
// seed plus a label (for fault rules: rule id and the index of the matching event), so the same
// seed and the same traffic give the same decisions.

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max], both inclusive. */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
  /** A version-4-shaped UUID from 16 seeded bytes: for ids a client sees, never for secrets. */
  uuid(): string;
}

/**
 * 32-bit FNV-1a of `parts` joined by NUL characters, then a murmur3 finalizer so nearby labels
 * spread over the whole range. Hashed part by part: an Rng is made per id and per fault decision,
 * and the joined string was one more allocation each time.
 */
function hashParts(parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5;
  for (let p = 0; p < parts.length; p++) {
    if (p > 0) h = Math.imul(h, 0x01000193); // the NUL between parts: h ^ 0 is h
    const part = parts[p] as string | number;
    const text = typeof part === 'string' ? part : String(part);
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A mulberry32 generator over the hash of `parts` joined. */
export function createRng(...parts: Array<string | number>): Rng {
  return new Mulberry32(hashParts(parts));
}

/**
 * One per id, per fault decision: hundreds per second under load, so its methods live on the
 * prototype rather than in closures made per generator. Callers hand `rng.next` on as a plain
 * function, so `next` is a bound function, made the first time it is asked for.
 */
class Mulberry32 implements Rng {
  private bound: (() => number) | undefined;

  constructor(private state: number) {}

  get next(): () => number {
    return (this.bound ??= () => this.draw());
  }

  private draw(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.draw() * n);
  }

  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  uuid(): string {
    const b = this.bytes(16);
    b[6] = ((b[6] as number) & 0x0f) | 0x40; // version 4
    b[8] = ((b[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
    const hex = b.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
