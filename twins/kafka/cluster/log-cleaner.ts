// Log compaction (cleanup.policy=compact), as Kafka's log cleaner does it, over the part of a log
// before its active segment and its first open transaction: for each key only the record with the
// highest offset stays; offsets never change (a rebuilt batch keeps its base offset and its last
// offset delta, so gaps appear). A tombstone (null value) stays for delete.retention.ms after the
// cleaning that first kept it (its delete horizon, KIP-534), and goes at the first cleaning after
// that. Records newer than min.compaction.lag.ms are not compacted, nor anything after them.
// Control batches (transaction markers) and batches the twin cannot open are kept as they are.
// @see https://kafka.apache.org/documentation/#compaction
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-534%3A+Retain+tombstones+and+transaction+markers+for+approximately+delete.retention.ms+milliseconds
import { canCompress } from '../protocol/compression.ts';
import { KafkaDecodeError } from '../protocol/primitives.ts';
import { ATTR, decodeRecords, encodeBatch, readBatchHeader, resealBatch, type KafkaRecord } from '../protocol/record-batch.ts';
import type { StoredBatch } from './log.ts';

export interface CleanOptions {
  /** The first offset not to clean (the active segment's start, or the first unstable offset). */
  end: number;
  now: number;
  deleteRetentionMs: number;
  minCompactionLagMs: number;
  maxBatchBytes: number;
}

interface CleanableLog {
  batches: StoredBatch[];
  readonly tombstoneHorizons: Map<number, number>;
}

export function cleanLog(log: CleanableLog, o: CleanOptions): { batches: StoredBatch[]; removed: number } {
  const opened = new Map<StoredBatch, KafkaRecord[]>();
  const latest = new Map<string, number>();
  let cleanable = 0;
  for (const b of log.batches) {
    if (b.lastOffset >= o.end) break;
    if (b.header.attributes & ATTR.control) {
      cleanable++;
      continue;
    }
    let records: KafkaRecord[];
    try {
      records = decodeRecords(b, o.maxBatchBytes);
    } catch (e) {
      if (!(e instanceof KafkaDecodeError)) throw e;
      cleanable++;
      continue;
    }
    const newest = b.header.attributes & ATTR.timestampType ? b.header.maxTimestamp : records.reduce((m, r) => Math.max(m, b.header.baseTimestamp + r.timestampDelta), -1);
    if (newest > o.now - o.minCompactionLagMs) break;
    opened.set(b, records);
    for (const r of records) if (r.key) latest.set(r.key.toString('latin1'), b.baseOffset + r.offsetDelta);
    cleanable++;
  }
  let removed = 0;
  const out: StoredBatch[] = [];
  for (const [i, b] of log.batches.entries()) {
    const records = i < cleanable ? opened.get(b) : undefined;
    if (!records) {
      out.push(b);
      continue;
    }
    const kept = records.filter((r) => {
      const offset = b.baseOffset + r.offsetDelta;
      if (r.key && latest.get(r.key.toString('latin1')) !== offset) return false;
      if (r.value !== null) return true;
      const horizon = log.tombstoneHorizons.get(offset);
      if (horizon === undefined) log.tombstoneHorizons.set(offset, o.now + o.deleteRetentionMs);
      else if (o.now >= horizon) {
        log.tombstoneHorizons.delete(offset);
        return false;
      }
      return true;
    });
    removed += records.length - kept.length;
    if (kept.length === records.length) out.push(b);
    else if (kept.length > 0) out.push(rebuild(b, kept));
  }
  return { batches: removed === 0 ? log.batches : out, removed };
}

/** The batch with only `kept`, at the same offsets, producer fields, times and (when the twin can) compression. */
function rebuild(b: StoredBatch, kept: KafkaRecord[]): StoredBatch {
  const h = b.header;
  const attributes = canCompress(h.attributes & ATTR.compressionMask) ? h.attributes : h.attributes & ~ATTR.compressionMask;
  const bytes = encodeBatch({
    baseOffset: b.baseOffset,
    baseTimestamp: h.baseTimestamp,
    records: kept,
    attributes,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    lastOffsetDelta: h.lastOffsetDelta,
  });
  bytes.writeBigInt64BE(BigInt(h.maxTimestamp), 35);
  resealBatch(bytes);
  return { ...b, bytes, header: readBatchHeader(bytes), maxTime: undefined };
}
