// Produce: checks each batch (CRC, compression, size against the topic's
// max.message.bytes, keys on a compacted topic, producer epoch and sequence), applies `produce`
// record faults, and appends to the partition's log on its leader.
// Below v3 a message set (magic 0/1) is converted up into one RecordBatch v2 first, as a Kafka 3.x
// broker converts it to the topic's message format (protocol/message-set.ts).
// acks=0 gets no response. Transactional batches open a transaction on the partition (its last
// stable offset stays behind until EndTxn); with an authorizer they need WRITE on the transactional id.
// @see https://kafka.apache.org/protocol.html#The_Messages_Produce
import { allowed, denyTopics, defineApi, topicScope, type Denial, type RequestContext } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { isSupportedCompression, UnsupportedCompressionError } from '../../protocol/compression.ts';
import { KafkaDecodeError } from '../../protocol/primitives.ts';
import { compressionOf, firstBatchTransactional, splitBatches, CorruptBatchError, type BatchView } from '../../protocol/record-batch.ts';
import { magicOf, messageSetToBatch, readMessageSet } from '../../protocol/message-set.ts';
import { applyRecordFaults } from '../../faults/record-faults.ts';
import { producePoint } from '../../points.ts';
import type { Partition, Topic } from '../../cluster/topic.ts';
import { refuseBatch } from './batch-checks.ts';
import { produceSpec, type ProduceRequest, type ProduceResponse, type ProduceResponseTopicProduceResponsePartitionProduceResponse as PartitionResult } from './schema.ts';

export const produceApi = defineApi<ProduceRequest, ProduceResponse>({
  spec: produceSpec,
  handle(req, ctx) {
    const responses = req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((pd) => produceTo(ctx, t.name, pd.index, pd.records)),
    }));
    return req.acks === 0 ? null : { responses, throttleTimeMs: 0 };
  },
  errorResponse: (req, code) => ({
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: code, baseOffset: -1 })),
    })),
  }),
  async partialErrorResponse(req, code, ctx, hit) {
    const responses = req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((pd) => (hit(t.name, pd.index) ? { index: pd.index, errorCode: code, baseOffset: -1 } : produceTo(ctx, t.name, pd.index, pd.records))),
    }));
    return req.acks === 0 ? null : { responses, throttleTimeMs: 0 };
  },
  denied: (req, ctx) => deniedTransaction(req, ctx) ?? denyTopics(ctx, OPERATION.WRITE, req.topicData.map((t) => t.name), ERR.TOPIC_AUTHORIZATION_FAILED),
  scope: (req) => topicScope(req.topicData.map((t) => ({ name: t.name, partitions: t.partitionData.map((p) => p.index) }))),
});

/**
 * Transactional records need WRITE on the request's transactional id, checked before any topic, the
 * whole request refused (a transactional batch without an id too), as KafkaApis.handleProduceRequest
 * does. A transactional id on a request without transactional records is not looked at.
 */
function deniedTransaction(req: ProduceRequest, ctx: RequestContext): Denial | undefined {
  if (!req.topicData.some((t) => t.partitionData.some((p) => firstBatchTransactional(p.records)))) return undefined;
  const id = req.transactionalId;
  return id !== null && allowed(ctx, OPERATION.WRITE, RESOURCE.TRANSACTIONAL_ID, id) ? undefined : { code: ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
}

function produceTo(ctx: RequestContext, topic: string, index: number, records: Buffer | null): PartitionResult {
  const fail = (errorCode: number, errorMessage: string | null = null): PartitionResult => ({ index, errorCode, baseOffset: -1, errorMessage });
  const partition = ctx.cluster.partition(topic, index);
  if (!partition) return fail(ERR.UNKNOWN_TOPIC_OR_PARTITION);
  if (partition.leader !== ctx.broker.nodeId) return fail(ERR.NOT_LEADER_OR_FOLLOWER);
  let batches: BatchView[];
  try {
    const magic = records ? magicOf(records) : -1;
    const legacy = ctx.version < 3 && (magic === 0 || magic === 1) ? readMessageSet(records as Buffer, ctx.twin.limits.kafkaBatchBytes) : undefined;
    const upConverted = legacy && (legacy.length > 0 ? messageSetToBatch(legacy) : Buffer.alloc(0));
    batches = splitBatches(upConverted ?? records ?? Buffer.alloc(0));
  } catch (e) {
    if (e instanceof CorruptBatchError) return fail(ERR.CORRUPT_MESSAGE, e.message);
    if (e instanceof KafkaDecodeError || e instanceof UnsupportedCompressionError) return fail(ERR.CORRUPT_MESSAGE, (e as Error).message);
    throw e;
  }
  if (batches.length === 0) return fail(ERR.INVALID_RECORD, 'no record batch');
  const { logConfig } = ctx.cluster.topics.get(topic) as Topic;
  // Every batch is checked before any is written: a refusal leaves the partition as it was.
  for (const batch of batches) {
    if (!isSupportedCompression(compressionOf(batch.header.attributes))) return fail(ERR.UNSUPPORTED_COMPRESSION_TYPE);
    const refusal = refuseBatch(logConfig, `${topic}-${index}`, batch, ctx.twin.limits.kafkaBatchBytes);
    if (refusal) return { index, baseOffset: -1, ...refusal };
  }
  let first = -1;
  for (const batch of batches) {
    let result: ReturnType<typeof appendBatch>;
    try {
      result = appendBatch(ctx, topic, partition, batch);
    } catch (e) {
      // A batch that does not decompress or decode (seen when record faults open it).
      if (e instanceof KafkaDecodeError || e instanceof UnsupportedCompressionError) return fail(ERR.CORRUPT_MESSAGE, (e as Error).message);
      throw e;
    }
    if ('error' in result) return fail(result.error);
    if (first < 0) first = result.baseOffset;
  }
  const logAppendTimeMs = logConfig.logAppendTime ? ctx.twin.now() : -1;
  return { index, errorCode: ERR.NONE, baseOffset: first, logAppendTimeMs, logStartOffset: partition.log.logStartOffset };
}

function appendBatch(ctx: RequestContext, topic: string, partition: Partition, batch: BatchView): { baseOffset: number } | { error: number } {
  const { producers } = ctx.cluster;
  const h = batch.header;
  // As a broker whose disk is full answers; nothing is recorded, so the producer may retry later.
  if (ctx.cluster.logFull(batch.bytes.length)) return { error: ERR.KAFKA_STORAGE_ERROR };
  const key = `${topic}\u0000${partition.index}`;
  const check = producers.check(key, h.producerId, h.producerEpoch, h.baseSequence, h.count);
  if ('error' in check) return { error: check.error };
  if ('duplicateOf' in check) return { baseOffset: check.duplicateOf };
  const now = ctx.twin.now();
  const faulted =
    ctx.twin.faults.rulesAt(producePoint).length > 0
      ? applyRecordFaults(ctx.twin, producePoint, { topic, partition: partition.index, clientId: ctx.header.clientId }, batch.bytes)
      : undefined;
  if (!faulted) {
    const stored = partition.log.append(Buffer.from(batch.bytes), now);
    producers.record(key, h.producerId, h.producerEpoch, h.baseSequence, h.count, stored.baseOffset);
    return { baseOffset: stored.baseOffset };
  }
  // The producer's sequence advances even when the twin drops or delays what it sent.
  producers.record(key, h.producerId, h.producerEpoch, h.baseSequence, h.count, partition.log.nextOffset);
  if (faulted.delayMs > 0) {
    ctx.cluster.later(faulted.delayMs, () => {
      for (const b of faulted.batches) partition.log.append(b, ctx.twin.now());
    });
    return { baseOffset: -1 };
  }
  const base = partition.log.nextOffset;
  for (const b of faulted.batches) partition.log.append(b, now);
  return { baseOffset: base };
}
