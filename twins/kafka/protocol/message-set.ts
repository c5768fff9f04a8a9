// Message sets, the message formats v0 and v1 (magic 0 and 1) that Produce v0–v2 and Fetch v0–v3
// carry. The twin stores RecordBatch v2 only, as a Kafka 3.x broker with its default message format
// does: a produced message set is converted up into one batch, and a Fetch below v4 gets its batches
// converted down (v0 for Fetch v0–v1, v1 for Fetch v2–v3), headers dropped and control batches left
// out, as Kafka's down-conversion does.
//   MessageSet => [offset:int64 messageSize:int32 Message]
//   Message v0 => crc:uint32 magic:int8 attributes:int8 key:bytes value:bytes
//   Message v1 => crc:uint32 magic:int8 attributes:int8 timestamp:int64 key:bytes value:bytes
// The CRC-32 (IEEE) covers magic to the end. A compressed message (attributes bits 0–2) is a wrapper
// whose value is the compressed inner message set; in v1 the inner offsets are relative (KIP-31) and
// a LogAppendTime wrapper (bit 3) gives every inner message its timestamp.
// @see https://kafka.apache.org/documentation/#messageset
import { crc32 } from 'node:zlib';
import { decompress } from './compression.ts';
import { crc32c } from './crc32c.ts';
import { ATTR, BATCH_HEADER_BYTES, CorruptBatchError, decodeRecords, encodeBatch, type BatchView, type KafkaRecord } from './record-batch.ts';

/** No timestamp (magic 0 messages have none). */
const NO_TIMESTAMP = -1;

export interface LegacyMessage {
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** The magic of a records field: byte 16 in a message set and in a record batch alike. */
export function magicOf(records: Buffer): number {
  return records.length > 16 ? records.readInt8(16) : -1;
}

/** The messages of a produced message set, wrappers opened; throws CorruptBatchError. */
export function readMessageSet(buf: Buffer, maxBytes: number): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < 12) throw new CorruptBatchError('trailing bytes after the last message');
    const size = buf.readInt32BE(at + 8);
    const end = at + 12 + size;
    if (size < 14 || end > buf.length) throw new CorruptBatchError(`message size ${size}`);
    const m = buf.subarray(at + 12, end);
    if (crc32(m.subarray(4)) !== m.readUInt32BE(0)) throw new CorruptBatchError('message CRC-32 mismatch');
    const magic = m.readInt8(4);
    if (magic !== 0 && magic !== 1) throw new CorruptBatchError(`message magic ${magic} in a message set`);
    const attributes = m.readInt8(5);
    let p = 6;
    let timestamp = NO_TIMESTAMP;
    if (magic === 1) {
      timestamp = Number(m.readBigInt64BE(p));
      p += 8;
    }
    const field = (): Buffer | null => {
      if (p + 4 > m.length) throw new CorruptBatchError('message shorter than its fields');
      const len = m.readInt32BE(p);
      p += 4;
      if (len < 0) return null;
      if (p + len > m.length) throw new CorruptBatchError('message shorter than its fields');
      const b = Buffer.from(m.subarray(p, p + len));
      p += len;
      return b;
    };
    const key = field();
    const value = field();
    const codec = attributes & ATTR.compressionMask;
    if (codec === 0) out.push({ timestamp, key, value });
    else {
      const inner = readMessageSet(decompress(codec, value ?? Buffer.alloc(0), maxBytes), maxBytes);
      const appendTime = magic === 1 && (attributes & ATTR.timestampType) !== 0;
      for (const msg of inner) out.push(appendTime ? { ...msg, timestamp } : msg);
    }
    at = end;
  }
  return out;
}

/** A produced message set as the one uncompressed RecordBatch v2 the twin stores (no producer id). */
export function messageSetToBatch(messages: readonly LegacyMessage[]): Buffer {
  const first = messages[0]?.timestamp ?? NO_TIMESTAMP;
  const records: KafkaRecord[] = messages.map((m, i) => ({ attributes: 0, timestampDelta: m.timestamp - first, offsetDelta: i, key: m.key, value: m.value, headers: [] }));
  return encodeBatch({ baseOffset: 0, baseTimestamp: first, records });
}

function writeMessage(offset: number, magic: 0 | 1, attributes: number, timestamp: number, key: Buffer | null, value: Buffer | null): Buffer {
  const size = 4 + 1 + 1 + (magic === 1 ? 8 : 0) + 4 + (key?.length ?? 0) + 4 + (value?.length ?? 0);
  const out = Buffer.allocUnsafe(12 + size);
  out.writeBigInt64BE(BigInt(offset), 0);
  out.writeInt32BE(size, 8);
  let p = 16;
  out.writeInt8(magic, p++);
  out.writeInt8(attributes, p++);
  if (magic === 1) {
    out.writeBigInt64BE(BigInt(timestamp), p);
    p += 8;
  }
  for (const b of [key, value]) {
    out.writeInt32BE(b ? b.length : -1, p);
    p += 4;
    if (b) p += b.copy(out, p);
  }
  out.writeUInt32BE(crc32(out.subarray(16)), 12);
  return out;
}

/**
 * A stored batch converted down to uncompressed messages of `magic`, each at its own offset; empty
 * for a control batch. A batch whose CRC-32C no longer holds (a `corrupt` fault) gives messages whose
 * CRC-32 fails too, so an old client sees the same corruption.
 */
export function batchToMessageSet(batch: BatchView, magic: 0 | 1, maxBytes: number): Buffer {
  const h = batch.header;
  if (h.attributes & ATTR.control) return Buffer.alloc(0);
  const intact = batch.bytes.length >= BATCH_HEADER_BYTES && crc32c(batch.bytes, 21) === h.crc;
  const appendTime = (h.attributes & ATTR.timestampType) !== 0;
  const messages = decodeRecords(batch, maxBytes).map((r) => {
    const m = writeMessage(h.baseOffset + r.offsetDelta, magic, magic === 1 && appendTime ? ATTR.timestampType : 0, appendTime ? h.maxTimestamp : h.baseTimestamp + r.timestampDelta, r.key, r.value);
    if (!intact) m.writeUInt32BE(~m.readUInt32BE(12) >>> 0, 12);
    return m;
  });
  return Buffer.concat(messages);
}
