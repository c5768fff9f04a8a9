// Record-level faults at `produce` (before a batch is stored) and `fetch` (on the copy a consumer
// is sent). Each record is one fault event; when any rule fires the batch is rebuilt from its
// records (same compression, producer fields and base sequence) with the changes applied.
import { delayMs, type TwinContext } from '../../../src/core/index.ts';
import type { RecordEvent, RecordPoint } from '../points.ts';
import { canCompress } from '../protocol/compression.ts';
import {
  CRC_FIELD_OFFSET,
  decodeRecords,
  encodeBatch,
  readBatchHeader,
  type KafkaRecord,
} from '../protocol/record-batch.ts';

export interface RecordFaultResult {
  /** Batches to use instead of the original (empty: all dropped). */
  batches: Buffer[];
  /** The longest `delay` that fired, in ms. */
  delayMs: number;
}

interface Where {
  topic: string;
  partition: number;
  clientId: string | null;
}

/** Applies the point's rules to each record of a batch; undefined when no rule fired. */
export function applyRecordFaults(twin: TwinContext, point: RecordPoint, where: Where, batch: Buffer): RecordFaultResult | undefined {
  const header = readBatchHeader(batch);
  const records = decodeRecords({ header, bytes: batch }, twin.limits.kafkaBatchBytes);
  const out: KafkaRecord[] = [];
  const extras: KafkaRecord[] = [];
  const swaps: Array<[number, number]> = [];
  let fired = false;
  let badCrc = false;
  let delay = 0;
  for (const rec of records) {
    const event: RecordEvent = { topic: where.topic, partition: where.partition, key: rec.key?.toString('utf8'), clientId: where.clientId ?? undefined };
    const d = twin.faults.decide(point, event, `${where.topic}/${where.partition}@${header.baseOffset + rec.offsetDelta}`);
    if (!d) {
      out.push(rec);
      continue;
    }
    fired = true;
    switch (d.action) {
      case 'drop':
        break;
      case 'duplicate': {
        out.push(rec);
        const count = d.params.count ?? 1;
        for (let i = 0; i < count; i++) extras.push(rec);
        break;
      }
      case 'corrupt':
        if (d.params.how === 'crc') {
          badCrc = true;
          out.push(rec);
        } else {
          const length = Math.max(8, rec.value?.length ?? 0);
          out.push({ ...rec, value: d.rng.bytes(length) });
        }
        break;
      case 'delay':
        delay = Math.max(delay, delayMs(d.params, d.rng.next));
        out.push(rec);
        break;
      case 'reorder': {
        const window = d.params.window ?? 2;
        swaps.push([out.length, out.length + 1 + d.rng.int(window - 1)]);
        out.push(rec);
        break;
      }
    }
  }
  if (!fired) return undefined;
  // A codec Standin can only decompress (zstd on Node 20) yields an uncompressed rebuilt batch.
  const attributes = canCompress(header.attributes & 0x07) ? header.attributes : header.attributes & ~0x07;
  for (const [a, b] of swaps) {
    if (b < out.length) [out[a], out[b]] = [out[b] as KafkaRecord, out[a] as KafkaRecord];
  }
  if (point.name === 'produce') {
    // Stored records get fresh offsets; duplicates follow the originals.
    const all = [...out, ...extras];
    if (all.length === 0) return { batches: [], delayMs: delay };
    const rebuilt = encodeBatch({
      baseOffset: 0,
      baseTimestamp: header.baseTimestamp,
      records: all.map((r, i) => ({ ...r, offsetDelta: i })),
      attributes,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
    });
    if (badCrc) rebuilt.writeUInt32BE(~rebuilt.readUInt32BE(CRC_FIELD_OFFSET) >>> 0, CRC_FIELD_OFFSET);
    return { batches: [rebuilt], delayMs: delay };
  }
  // Fetch: records keep their offsets; a duplicate is the same batch delivered again.
  const batches: Buffer[] = [];
  if (out.length > 0) {
    const rebuilt = encodeBatch({
      baseOffset: header.baseOffset,
      baseTimestamp: header.baseTimestamp,
      records: out,
      attributes,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
      lastOffsetDelta: header.lastOffsetDelta,
      partitionLeaderEpoch: header.partitionLeaderEpoch,
    });
    if (badCrc) rebuilt.writeUInt32BE(~rebuilt.readUInt32BE(CRC_FIELD_OFFSET) >>> 0, CRC_FIELD_OFFSET);
    batches.push(rebuilt);
  }
  if (extras.length > 0) {
    batches.push(
      encodeBatch({
        baseOffset: header.baseOffset,
        baseTimestamp: header.baseTimestamp,
        records: extras,
        attributes,
        producerId: header.producerId,
        producerEpoch: header.producerEpoch,
        baseSequence: header.baseSequence,
        lastOffsetDelta: header.lastOffsetDelta,
        partitionLeaderEpoch: header.partitionLeaderEpoch,
      }),
    );
  }
  return { batches, delayMs: delay };
}
