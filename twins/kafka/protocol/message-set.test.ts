// The message-set codec on bytes built by hand from the grammar: a gzip wrapper of magic 1 with
// relative inner offsets and LogAppendTime, a bad CRC, a truncated message; and the conversion of a
// stored batch down to each magic.
import { gzipSync, crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { batchToMessageSet, messageSetToBatch, readMessageSet } from './message-set.ts';
import { CorruptBatchError, decodeRecords, splitBatches } from './record-batch.ts';

function message(offset: number, magic: 0 | 1, attributes: number, timestamp: number, key: string | null, value: Buffer | null): Buffer {
  const parts: Buffer[] = [Buffer.from([magic, attributes])];
  if (magic === 1) {
    const t = Buffer.alloc(8);
    t.writeBigInt64BE(BigInt(timestamp));
    parts.push(t);
  }
  for (const b of [key === null ? null : Buffer.from(key), value]) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b ? b.length : -1);
    parts.push(len, ...(b ? [b] : []));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(16);
  head.writeBigInt64BE(BigInt(offset), 0);
  head.writeInt32BE(4 + body.length, 8);
  head.writeUInt32BE(crc32(body), 12);
  return Buffer.concat([head, body]);
}

describe('message sets', () => {
  it('opens a gzip wrapper (magic 1, LogAppendTime): every inner message gets the wrapper time', () => {
    const inner = Buffer.concat([message(0, 1, 0, 5, 'a', Buffer.from('x')), message(1, 1, 0, 6, null, null)]);
    const wrapper = message(1, 1, 0x01 | 0x08, 777, null, gzipSync(inner));
    expect(readMessageSet(wrapper, 1 << 20)).toEqual([
      { timestamp: 777, key: Buffer.from('a'), value: Buffer.from('x') },
      { timestamp: 777, key: null, value: null },
    ]);
  });

  it('refuses a bad CRC and a truncated message', () => {
    const m = message(0, 0, 0, -1, 'k', Buffer.from('v'));
    const bad = Buffer.from(m);
    bad[bad.length - 1] ^= 1;
    expect(() => readMessageSet(bad, 1 << 20)).toThrow(CorruptBatchError);
    expect(() => readMessageSet(m.subarray(0, m.length - 1), 1 << 20)).toThrow(CorruptBatchError);
  });

  it('converts up to one batch and back down to magic 0 and 1, offsets absolute', () => {
    const batch = messageSetToBatch([
      { timestamp: 100, key: Buffer.from('a'), value: Buffer.from('1') },
      { timestamp: 250, key: null, value: Buffer.from('2') },
    ]);
    const [view] = splitBatches(batch);
    expect(decodeRecords(view!, 1 << 20).map((r) => [r.offsetDelta, r.timestampDelta])).toEqual([
      [0, 0],
      [1, 150],
    ]);
    view!.header.baseOffset = 40;
    const v0 = batchToMessageSet(view!, 0, 1 << 20);
    expect(v0).toEqual(Buffer.concat([message(40, 0, 0, -1, 'a', Buffer.from('1')), message(41, 0, 0, -1, null, Buffer.from('2'))]));
    const v1 = batchToMessageSet(view!, 1, 1 << 20);
    expect(v1).toEqual(Buffer.concat([message(40, 1, 0, 100, 'a', Buffer.from('1')), message(41, 1, 0, 250, null, Buffer.from('2'))]));
  });
});
