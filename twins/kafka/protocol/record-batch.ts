// RecordBatch v2 (magic 2), the only message format Standin stores.
//   RecordBatch => baseOffset:int64 batchLength:int32 partitionLeaderEpoch:int32 magic:int8
//                  crc:uint32 attributes:int16 lastOffsetDelta:int32 baseTimestamp:int64
//                  maxTimestamp:int64 producerId:int64 producerEpoch:int16 baseSequence:int32
//                  records:[Record]
//   Record => length:varint attributes:int8 timestampDelta:varlong offsetDelta:varint
//             key:varbytes value:varbytes headers:[key:varstring value:varbytes]
// The CRC-32C covers attributes to the end, so baseOffset and partitionLeaderEpoch can be patched
// in a stored batch without recomputing it.
// @see https://kafka.apache.org/documentation/#recordbatch
import { compress, decompress } from './compression.ts';
import { crc32c } from './crc32c.ts';
import { KafkaDecodeError, Reader, Writer } from './primitives.ts';

export const BATCH_HEADER_BYTES = 61;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;

export const ATTR = { compressionMask: 0x07, timestampType: 0x08, transactional: 0x10, control: 0x20 } as const;

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  count: number;
}

/** One batch inside a records field: its header and its bytes (a view, not a copy). */
export interface BatchView {
  header: BatchHeader;
  bytes: Buffer;
}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export class CorruptBatchError extends KafkaDecodeError {
  override name = 'CorruptBatchError';
}

export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  if (buf.length - at < BATCH_HEADER_BYTES) throw new CorruptBatchError('batch shorter than its header');
  return {
    baseOffset: Number(buf.readBigInt64BE(at)),
    batchLength: buf.readInt32BE(at + 8),
    partitionLeaderEpoch: buf.readInt32BE(at + 12),
    magic: buf.readInt8(at + 16),
    crc: buf.readUInt32BE(at + CRC_OFFSET),
    attributes: buf.readInt16BE(at + ATTRIBUTES_OFFSET),
    lastOffsetDelta: buf.readInt32BE(at + 23),
    baseTimestamp: Number(buf.readBigInt64BE(at + 27)),
    maxTimestamp: Number(buf.readBigInt64BE(at + 35)),
    producerId: Number(buf.readBigInt64BE(at + 43)),
    producerEpoch: buf.readInt16BE(at + 51),
    baseSequence: buf.readInt32BE(at + 53),
    count: buf.readInt32BE(at + 57),
  };
}

/** Splits a records field into batches, checking magic, sizes and CRC. Throws CorruptBatchError. */
export function splitBatches(records: Buffer, checkCrc = true): BatchView[] {
  const out: BatchView[] = [];
  let at = 0;
  while (at < records.length) {
    if (records.length - at < 17) throw new CorruptBatchError('trailing bytes after the last batch');
    const batchLength = records.readInt32BE(at + 8);
    const magic = records.readInt8(at + 16);
    if (magic !== 2) throw new CorruptBatchError(`message format magic ${magic} (only v2 is accepted)`);
    const total = 12 + batchLength;
    if (batchLength < BATCH_HEADER_BYTES - 12 || at + total > records.length) throw new CorruptBatchError(`batch length ${batchLength}`);
    const bytes = records.subarray(at, at + total);
    const header = readBatchHeader(bytes);
    if (checkCrc && crc32c(bytes, ATTRIBUTES_OFFSET) !== header.crc) throw new CorruptBatchError('CRC-32C mismatch');
    out.push({ header, bytes });
    at += total;
  }
  return out;
}

/**
 * Whether a records field's first batch is transactional — all Kafka looks at to decide a Produce
 * needs WRITE on its transactional id (RequestUtils.flags); a message set (magic 0/1) never is.
 */
export function firstBatchTransactional(records: Buffer | null): boolean {
  if (!records || records.length < ATTRIBUTES_OFFSET + 2 || records.readInt8(16) !== 2) return false;
  return (records.readInt16BE(ATTRIBUTES_OFFSET) & ATTR.transactional) !== 0;
}

export function compressionOf(attributes: number): number {
  return attributes & ATTR.compressionMask;
}

/** The records of a batch, decompressed (to at most `maxBytes`, the kafkaBatchBytes limit) and decoded. */
export function decodeRecords(batch: BatchView, maxBytes: number): KafkaRecord[] {
  const body = decompress(compressionOf(batch.header.attributes), batch.bytes.subarray(BATCH_HEADER_BYTES), maxBytes);
  const r = new Reader(body);
  const records: KafkaRecord[] = [];
  for (let i = 0; i < batch.header.count; i++) {
    const length = r.varint();
    const end = r.offset + length;
    const attributes = r.int8();
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const keyLength = r.varint();
    const key = keyLength < 0 ? null : Buffer.from(r.raw(keyLength));
    const valueLength = r.varint();
    const value = valueLength < 0 ? null : Buffer.from(r.raw(valueLength));
    const headerCount = r.varint();
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const hk = r.raw(r.varint()).toString('utf8');
      const hvLength = r.varint();
      headers.push({ key: hk, value: hvLength < 0 ? null : Buffer.from(r.raw(hvLength)) });
    }
    if (r.offset !== end) throw new CorruptBatchError(`record ${i} length ${length} does not match its fields`);
    records.push({ attributes, timestampDelta, offsetDelta, key, value, headers });
  }
  return records;
}

export interface EncodeBatchOptions {
  baseOffset: number;
  baseTimestamp: number;
  records: readonly KafkaRecord[];
  /** Attributes: compression (bits 0–2), transactional, control. */
  attributes?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  lastOffsetDelta?: number;
}

function encodeRecord(w: Writer, rec: KafkaRecord): void {
  const body = new Writer();
  body.int8(rec.attributes).varlong(rec.timestampDelta).varint(rec.offsetDelta);
  if (rec.key === null) body.varint(-1);
  else body.varint(rec.key.length).raw(rec.key);
  if (rec.value === null) body.varint(-1);
  else body.varint(rec.value.length).raw(rec.value);
  body.varint(rec.headers.length);
  for (const h of rec.headers) {
    const hk = Buffer.from(h.key, 'utf8');
    body.varint(hk.length).raw(hk);
    if (h.value === null) body.varint(-1);
    else body.varint(h.value.length).raw(h.value);
  }
  const bytes = body.toBuffer();
  w.varint(bytes.length).raw(bytes);
}

export function encodeBatch(o: EncodeBatchOptions): Buffer {
  const attributes = o.attributes ?? 0;
  const recordsWriter = new Writer();
  let maxTimestampDelta = 0;
  let maxOffsetDelta = 0;
  for (const rec of o.records) {
    encodeRecord(recordsWriter, rec);
    maxTimestampDelta = Math.max(maxTimestampDelta, rec.timestampDelta);
    maxOffsetDelta = Math.max(maxOffsetDelta, rec.offsetDelta);
  }
  const body = compress(compressionOf(attributes), recordsWriter.toBuffer());
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + body.length);
  out.writeBigInt64BE(BigInt(o.baseOffset), 0);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt32BE(o.partitionLeaderEpoch ?? 0, 12);
  out.writeInt8(2, 16);
  out.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  out.writeInt32BE(o.lastOffsetDelta ?? maxOffsetDelta, 23);
  out.writeBigInt64BE(BigInt(o.baseTimestamp), 27);
  out.writeBigInt64BE(BigInt(o.baseTimestamp + maxTimestampDelta), 35);
  out.writeBigInt64BE(BigInt(o.producerId ?? -1), 43);
  out.writeInt16BE(o.producerEpoch ?? -1, 51);
  out.writeInt32BE(o.baseSequence ?? -1, 53);
  out.writeInt32BE(o.records.length, 57);
  body.copy(out, BATCH_HEADER_BYTES);
  out.writeUInt32BE(crc32c(out, ATTRIBUTES_OFFSET), CRC_OFFSET);
  return out;
}

/** Sets baseOffset (and leader epoch) of a batch in place; the CRC does not cover them. */
export function stampBatch(bytes: Buffer, baseOffset: number, partitionLeaderEpoch = 0): void {
  bytes.writeBigInt64BE(BigInt(baseOffset), 0);
  bytes.writeInt32BE(partitionLeaderEpoch, 12);
}

/** Recomputes the CRC after a change to the covered bytes. */
export function resealBatch(bytes: Buffer): void {
  bytes.writeUInt32BE(crc32c(bytes, ATTRIBUTES_OFFSET), CRC_OFFSET);
}

export const CRC_FIELD_OFFSET = CRC_OFFSET;
