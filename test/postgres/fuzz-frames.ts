// The fuzz test's generator, shared with the bench's larger run: a trust-auth StartupMessage for
// user/database `app`, and frames that are valid, mutated (bytes flipped, length lies, type
// changed) or pure noise, all drawn from a seeded rng.
import type { Rng } from '../../src/core/index.ts';

export function startup(): Buffer {
  const body = Buffer.from('\0\x03\0\0user\0app\0database\0app\0\0', 'latin1');
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([len, body]);
}

export function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const VALID = [
  () => frame('Q', Buffer.from('SELECT 1\0')),
  () => frame('P', Buffer.from('\0SELECT $1::int\0\0\0')),
  () => frame('B', Buffer.from('\0\0\0\0\0\x01\0\0\0\x011\0\0')),
  () => frame('D', Buffer.from('P\0')),
  () => frame('E', Buffer.from('\0\0\0\0\0')),
  () => frame('S', Buffer.alloc(0)),
  () => frame('H', Buffer.alloc(0)),
];

/** A frame: valid, mutated (bytes flipped, length lies, type changed) or pure noise. */
export function fuzzFrame(rng: Rng): Buffer {
  const pick = rng.int(10);
  const base = VALID[rng.int(VALID.length)]!();
  if (pick < 4) return base;
  if (pick < 6) {
    const copy = Buffer.from(base);
    for (let i = 0, n = 1 + rng.int(3); i < n; i++) copy[rng.int(copy.length)] = rng.int(256);
    return copy;
  }
  if (pick < 7) return frame(String.fromCharCode(rng.int(256)), rng.bytes(rng.int(16)));
  if (pick < 8) {
    const copy = Buffer.from(base);
    copy.writeInt32BE(rng.pick([-1, 0, 3, 0x7fffffff, rng.int(1 << 20)]), 1);
    return copy;
  }
  if (pick < 9) return frame('Q', Buffer.concat([rng.bytes(rng.int(40)), Buffer.from([0])]));
  return rng.bytes(1 + rng.int(32));
}

/** A frame of a valid type and length whose body may have bytes flipped: it reaches a live session. */
export function bodyFuzzFrame(rng: Rng): Buffer {
  const copy = Buffer.from(VALID[rng.int(VALID.length)]!());
  if (copy.length > 5 && rng.int(2) === 0) {
    for (let i = 0, n = 1 + rng.int(3); i < n; i++) copy[5 + rng.int(copy.length - 5)] = rng.int(256);
  }
  return copy;
}
