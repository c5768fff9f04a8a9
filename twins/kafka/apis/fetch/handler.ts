// Fetch: record batches from each partition's log on its leader, up to the high watermark
// (read_uncommitted) or the last stable offset with the aborted transactions listed
// (read_committed). From v13 topics are named by id. Below v4 the batches are converted down to
// message sets (v0 for Fetch v0–v1, v1 for v2–v3; protocol/message-set.ts), as Kafka 3.x does. A
// long poll: when fewer than min_bytes are ready the answer waits for an append or max_wait_ms.
// From v7 a fetch may open, use or close an incremental fetch session (fetch-context.ts): an
// incremental fetch serves every partition of its session and answers only what changed.
// @see https://kafka.apache.org/protocol.html#The_Messages_Fetch
import { denyTopics, defineApi, type RequestContext } from '../api.ts';
import { fetchScope, openFetch, reachedTopics, SESSION_ERRORS, sessionError } from './fetch-context.ts';
import { OPERATION } from '../../cluster/acls.ts';
import { faultDelay } from '../../faults/fault-delay.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { applyRecordFaults } from '../../faults/record-faults.ts';
import { fetchPoint } from '../../points.ts';
import { KafkaDecodeError } from '../../protocol/primitives.ts';
import { batchToMessageSet } from '../../protocol/message-set.ts';
import { splitBatches } from '../../protocol/record-batch.ts';
import type { PartitionLog } from '../../cluster/log.ts';
import {
  fetchSpec,
  type FetchRequest,
  type FetchRequestFetchTopicFetchPartition as PartitionRequest,
  type FetchResponse,
  type FetchResponseFetchableTopicResponse as TopicResponse,
  type FetchResponseFetchableTopicResponsePartitionData as PartitionResponse,
} from './schema.ts';

/** librdkafka rejects a null records field: an empty answer is zero bytes, as Kafka sends it. */
const EMPTY = Buffer.alloc(0);

/** One pass over the requested partitions: what is ready now, and the logs to wait on. */
class FetchPass {
  bytes = 0;
  delayMs = 0;
  readonly logs: PartitionLog[] = [];
  private budget: number;
  private readonly faulted: boolean;

  constructor(
    private readonly req: FetchRequest,
    private readonly ctx: RequestContext,
  ) {
    // Kafka's broker caps max_bytes with its fetch.max.bytes; here that is kafkaFetchBytes.
    const cap = ctx.twin.limits.kafkaFetchBytes;
    this.budget = req.maxBytes > 0 ? Math.min(req.maxBytes, cap) : cap;
    this.faulted = ctx.twin.faults.rulesAt(fetchPoint).length > 0;
  }

  responses(): TopicResponse[] {
    const { cluster, version } = this.ctx;
    return this.req.topics.map((t) => {
      const byId = version >= 13 ? cluster.topicById(t.topicId) : undefined;
      const name = version >= 13 ? (byId?.name ?? '') : t.topic;
      const unknown = version >= 13 && !byId ? ERR.UNKNOWN_TOPIC_ID : ERR.UNKNOWN_TOPIC_OR_PARTITION;
      return { topic: name, topicId: t.topicId, partitions: t.partitions.map((rp) => this.partition(name, rp, unknown)) };
    });
  }

  private partition(topic: string, rp: PartitionRequest, unknown: number): PartitionResponse {
    const { cluster, broker, twin, header } = this.ctx;
    const base = { partitionIndex: rp.partition, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, preferredReadReplica: -1, records: EMPTY };
    const p = cluster.partition(topic, rp.partition);
    if (!p) return { ...base, errorCode: unknown };
    if (p.leader !== broker.nodeId) return { ...base, errorCode: ERR.NOT_LEADER_OR_FOLLOWER };
    const log = p.log;
    this.logs.push(log);
    // Retention that came due (the default retention.ms at its check) applies before anything is read.
    log.expire(twin.now());
    const marks = { highWatermark: log.highWatermark, lastStableOffset: log.lastStableOffset, logStartOffset: log.logStartOffset };
    if (rp.fetchOffset > log.highWatermark || rp.fetchOffset < log.logStartOffset) return { ...base, ...marks, errorCode: ERR.OFFSET_OUT_OF_RANGE };
    const committedOnly = this.req.isolationLevel === 1;
    const limit = committedOnly ? log.lastStableOffset : log.highWatermark;
    // Only the first partition with data may go past the budget (one whole batch), as in Kafka.
    const stored = this.budget > 0 ? log.read(rp.fetchOffset, Math.min(rp.partitionMaxBytes, this.budget), limit, this.bytes === 0) : [];
    let chunks = stored.map((b) => b.bytes);
    if (this.faulted) {
      chunks = chunks.flatMap((bytes) => {
        let r: ReturnType<typeof applyRecordFaults>;
        try {
          r = applyRecordFaults(twin, fetchPoint, { topic, partition: rp.partition, clientId: header.clientId }, bytes);
        } catch (e) {
          // A stored batch the twin cannot open (past kafkaBatchBytes) goes to the consumer as it is.
          if (e instanceof KafkaDecodeError) return [bytes];
          throw e;
        }
        if (!r) return [bytes];
        this.delayMs = Math.max(this.delayMs, r.delayMs);
        return r.batches;
      });
    }
    if (this.ctx.version < 4) chunks = chunks.map((c) => downConvert(c, this.ctx.version < 2 ? 0 : 1, twin.limits.kafkaBatchBytes));
    const records = chunks.length === 0 ? EMPTY : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.budget -= records.length;
    this.bytes += records.length;
    const aborted = committedOnly
      ? log.aborted.filter((a) => a.lastOffset >= rp.fetchOffset && a.firstOffset < limit).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }))
      : null;
    return { ...base, ...marks, errorCode: ERR.NONE, abortedTransactions: aborted, records };
  }
}

export const fetchApi = defineApi<FetchRequest, FetchResponse>({
  spec: fetchSpec,
  async handle(req, ctx) {
    const opened = openFetch(req, ctx);
    if ('error' in opened) return { throttleTimeMs: 0, ...sessionError(opened.error) };
    const { request } = opened;
    const deadline = ctx.twin.now() + request.maxWaitMs;
    let pass = new FetchPass(request, ctx);
    let responses = pass.responses();
    while (pass.bytes < Math.max(1, request.minBytes) && !ctx.isClosed()) {
      const left = deadline - ctx.twin.now();
      if (left <= 0) break;
      await waitForAppend(pass.logs, left, ctx);
      pass = new FetchPass(request, ctx);
      responses = pass.responses();
    }
    if (pass.delayMs > 0) await faultDelay(ctx, pass.delayMs);
    return { throttleTimeMs: 0, ...opened.answer(responses) };
  },
  errorResponse: (req, code, ctx) => {
    // A session error is about the session, not its partitions: the top-level code, the session left as it was.
    if (ctx.version >= 7 && SESSION_ERRORS.has(code)) return sessionError(code);
    const opened = openFetch(req, ctx);
    if ('error' in opened) return sessionError(opened.error);
    return opened.answer(
      opened.request.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: code, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: EMPTY })),
      })),
    );
  },
  async partialErrorResponse(req, code, ctx, hit) {
    // Answered at once (no long poll): the matching partitions carry the error, the rest what is ready.
    const opened = openFetch(req, ctx);
    if ('error' in opened) return { throttleTimeMs: 0, ...sessionError(opened.error) };
    const responses = new FetchPass(opened.request, ctx).responses();
    for (const t of responses) {
      for (const p of t.partitions ?? []) {
        if (hit(t.topic ?? '', p.partitionIndex ?? -1)) Object.assign(p, { errorCode: code, records: EMPTY, abortedTransactions: null });
      }
    }
    return { throttleTimeMs: 0, ...opened.answer(responses) };
  },
  denied: (req, ctx) => denyTopics(ctx, OPERATION.READ, reachedTopics(req, ctx).map((t) => t.topic), ERR.TOPIC_AUTHORIZATION_FAILED),
  scope: (req, ctx) => fetchScope(req, ctx),
});

/** Batches as a message set of `magic`; one the twin cannot open goes as it is (the client sees it corrupt). */
function downConvert(chunk: Buffer, magic: 0 | 1, maxBytes: number): Buffer {
  try {
    return Buffer.concat(splitBatches(chunk, false).map((b) => batchToMessageSet(b, magic, maxBytes)));
  } catch (e) {
    if (e instanceof KafkaDecodeError) return chunk;
    throw e;
  }
}

function waitForAppend(logs: PartitionLog[], ms: number, ctx: RequestContext): Promise<void> {
  return new Promise((resolve) => {
    const cancels: Array<() => void> = [];
    const done = (): void => {
      clearTimeout(timer);
      for (const c of cancels) c();
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const log of logs) cancels.push(log.onAppend(done));
    cancels.push(ctx.onClose(done));
  });
}
