// What one Fetch does with its session (KIP-227), as Kafka's FetchManager decides. Fetch v0–6 carry
// no session fields and decode as session 0, epoch -1.
//   session 0,  epoch -1  a full fetch without a session (kafkajs, librdkafka and kafka-python fetch so)
//   session 0,  epoch 0   a full fetch whose answer carries a new session id, or 0 when none is made
//   session id, epoch 0   closes session `id`, then as above
//   session id, epoch -1  closes session `id`; a full fetch without a session
//   session id, epoch n   an incremental fetch: the request names only the partitions added or whose
//                         fetch parameters changed, and those to forget (by name in v7–12, by topic id
//                         from v13); every partition of the session is fetched, and the answer carries
//                         only those with records, a new high watermark or log start offset, or an
//                         error. (The last stable offset moves only with an append — a transaction
//                         marker — that moves the high watermark too.)
// A session error is a top-level error code with no partitions and session id 0:
// FETCH_SESSION_ID_NOT_FOUND for an id the broker does not hold, INVALID_FETCH_SESSION_EPOCH for an
// epoch other than the session's, FETCH_SESSION_TOPIC_ID_ERROR for a session by name used from v13
// on or one by id below it. An incremental fetch that leaves its session empty (or past the
// kafkaFetchSessionPartitions limit) closes it and is answered as a full fetch of what it named, with
// session id 0; the consumer then fetches in full.
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-227%3A+Introduce+Incremental+FetchRequests+to+Increase+Partition+Scalability
import { ERR } from '../../protocol/error-codes.ts';
import { FINAL_EPOCH, INITIAL_EPOCH, NO_SESSION, nextEpoch, type CachedPartition, type FetchSession, type PartitionFetch } from '../../cluster/fetch-sessions.ts';
import type { RequestContext, RequestScope } from '../api.ts';
import type {
  FetchRequest,
  FetchRequestFetchTopic as TopicRequest,
  FetchResponse,
  FetchResponseFetchableTopicResponse as TopicResponse,
  FetchResponseFetchableTopicResponsePartitionData as PartitionResponse,
} from './schema.ts';

/** The parts of a Fetch answer the session decides. */
export type FetchAnswer = Required<Pick<FetchResponse, 'errorCode' | 'sessionId' | 'responses'>>;

/** What a Fetch serves, and how its answer follows from what was served. */
export interface FetchContext {
  /** The fetch as sent, or, for an incremental fetch, every partition of its session. */
  request: FetchRequest;
  /** The answer, given the partitions of `request` served in its order. */
  answer(responses: TopicResponse[]): FetchAnswer;
}

/** Top-level errors about the session itself: a rule that injects one leaves the session as it was. */
export const SESSION_ERRORS: ReadonlySet<number> = new Set([ERR.FETCH_SESSION_ID_NOT_FOUND, ERR.INVALID_FETCH_SESSION_EPOCH, ERR.FETCH_SESSION_TOPIC_ID_ERROR]);

export function sessionError(code: number): FetchAnswer {
  return { errorCode: code, sessionId: NO_SESSION, responses: [] };
}

/** The all-zero UUID: no topic id (a session by name), no replica directory (a consumer). */
const ZERO_UUID = Buffer.alloc(16);

/**
 * Opens a Fetch's context, closing, making or advancing its session: once for each request
 * served (not for one a fault hangs or cuts before it is served, which the broker never saw).
 */
export function openFetch(req: FetchRequest, ctx: RequestContext): FetchContext | { error: number } {
  const cache = ctx.fetchSessions;
  if (req.sessionEpoch === INITIAL_EPOCH || req.sessionEpoch === FINAL_EPOCH) {
    if (req.sessionId !== NO_SESSION) cache.removeId(req.sessionId);
    if (req.sessionEpoch === FINAL_EPOCH) return sessionless(req);
    return { request: req, answer: (responses) => ({ errorCode: ERR.NONE, sessionId: newSession(req, responses, ctx), responses }) };
  }
  const session = cache.get(req.sessionId);
  if (!session) return { error: ERR.FETCH_SESSION_ID_NOT_FOUND };
  if (session.epoch !== req.sessionEpoch) return { error: ERR.INVALID_FETCH_SESSION_EPOCH };
  if (session.usesTopicIds !== ctx.version >= 13) return { error: ERR.FETCH_SESSION_TOPIC_ID_ERROR };
  session.update(named(req, session.usesTopicIds), forgotten(req));
  if (session.partitions.size === 0 || !cache.touch(session, ctx.twin.now())) {
    cache.remove(session);
    return sessionless(req);
  }
  session.epoch = nextEpoch(session.epoch);
  const expected = session.epoch;
  const fetched = [...session.partitions.values()];
  return {
    request: { ...req, topics: asTopics(fetched) },
    // A request with the next epoch that came in while this one waited (a long poll) took the
    // session on: this answer would tell the consumer a state it no longer has.
    answer: (responses) =>
      session.epoch === expected
        ? { errorCode: ERR.NONE, sessionId: session.id, responses: changedOnly(session, fetched, responses) }
        : { errorCode: ERR.INVALID_FETCH_SESSION_EPOCH, sessionId: session.id, responses: [] },
  };
}

/**
 * What a Fetch reaches — by topic name (undefined for an unknown id) — without touching its
 * session: for fault matching and ACLs. An incremental fetch reaches its whole session.
 */
export function reachedTopics(req: FetchRequest, ctx: RequestContext): Array<{ topic: string | undefined; partitions: number[] }> {
  const byId = ctx.version >= 13;
  const session = req.sessionEpoch > 0 ? ctx.fetchSessions.get(req.sessionId) : undefined;
  if (!session || session.epoch !== req.sessionEpoch || session.usesTopicIds !== byId) {
    // A fetch without a session (or one refused with a session error) reaches what it names.
    return req.topics.map((t) => ({ topic: byId ? ctx.cluster.topicById(t.topicId)?.name : t.topic, partitions: t.partitions.map((p) => p.partition) }));
  }
  const gone = new Set(forgotten(req).map((f) => session.key(f.topic, f.topicId, f.partition)));
  const topics = new Map<string, { topic: string | undefined; partitions: Set<number> }>();
  for (const p of [...session.partitions.values(), ...named(req, byId)]) {
    if (gone.has(session.key(p.topic, p.topicId, p.partition))) continue;
    const key = byId ? p.topicId.toString('hex') : p.topic;
    let t = topics.get(key);
    if (!t) topics.set(key, (t = { topic: byId ? ctx.cluster.topicById(p.topicId)?.name : p.topic, partitions: new Set() }));
    t.partitions.add(p.partition);
  }
  return [...topics.values()].map((t) => ({ topic: t.topic, partitions: [...t.partitions] }));
}

/** The fault-matching scope of a Fetch: its topics and partition numbers, each once. */
export function fetchScope(req: FetchRequest, ctx: RequestContext): RequestScope {
  const names = new Set<string>();
  const partitions = new Set<number>();
  for (const t of reachedTopics(req, ctx)) {
    if (t.topic) names.add(t.topic);
    for (const p of t.partitions) partitions.add(p);
  }
  return { topics: [...names], partitions: [...partitions] };
}

function sessionless(req: FetchRequest): FetchContext {
  return { request: req, answer: (responses) => ({ errorCode: ERR.NONE, sessionId: NO_SESSION, responses }) };
}

/** A session of every partition a full fetch named, with the marks its answer carried. */
function newSession(req: FetchRequest, responses: TopicResponse[], ctx: RequestContext): number {
  // Gone during a long poll: no connection is left to own it (and none to drop it later).
  if (ctx.isClosed()) return NO_SESSION;
  const byId = ctx.version >= 13;
  const cached: CachedPartition[] = [];
  req.topics.forEach((t, i) => {
    t.partitions.forEach((p, j) => {
      const r = responses[i]?.partitions?.[j];
      const failed = (r?.errorCode ?? ERR.NONE) !== ERR.NONE;
      cached.push({ ...partitionFetch(t, p, byId), highWatermark: failed ? -1 : (r?.highWatermark ?? -1), answeredLogStartOffset: r?.logStartOffset ?? -1 });
    });
  });
  return ctx.fetchSessions.create(ctx.connection, byId, cached, ctx.twin.now());
}

/** Kafka's CachedPartition.maybeUpdateResponseData: whether the partition is answered, its marks kept. */
function mustAnswer(cached: CachedPartition, r: PartitionResponse): boolean {
  let must = (r.records?.length ?? 0) > 0;
  const highWatermark = r.highWatermark ?? -1;
  if (highWatermark !== cached.highWatermark) {
    must = true;
    cached.highWatermark = highWatermark;
  }
  const logStartOffset = r.logStartOffset ?? -1;
  if (logStartOffset !== cached.answeredLogStartOffset) {
    must = true;
    cached.answeredLogStartOffset = logStartOffset;
  }
  if ((r.preferredReadReplica ?? -1) >= 0) must = true;
  if ((r.errorCode ?? ERR.NONE) !== ERR.NONE) {
    // Sent again once the error is gone.
    cached.highWatermark = -1;
    must = true;
  }
  return must;
}

/** The answered partitions that changed; those that returned records move to the end of the session's order. */
function changedOnly(session: FetchSession, fetched: CachedPartition[], responses: TopicResponse[]): TopicResponse[] {
  const out: TopicResponse[] = [];
  let k = 0;
  for (const t of responses) {
    const kept: PartitionResponse[] = [];
    for (const r of t.partitions ?? []) {
      const cached = fetched[k++] as CachedPartition;
      if (!mustAnswer(cached, r)) continue;
      kept.push(r);
      // Kafka rotates them so that, under max_bytes, the next fetch starts with the others.
      if ((r.records?.length ?? 0) > 0) {
        const key = session.key(cached.topic, cached.topicId, cached.partition);
        if (session.partitions.get(key) === cached) {
          session.partitions.delete(key);
          session.partitions.set(key, cached);
        }
      }
    }
    if (kept.length > 0) out.push({ ...t, partitions: kept });
  }
  return out;
}

/** The session's partitions as a request's topics: consecutive partitions of a topic grouped. */
function asTopics(fetched: CachedPartition[]): TopicRequest[] {
  const topics: TopicRequest[] = [];
  let last: TopicRequest | undefined;
  for (const p of fetched) {
    if (!last || last.topic !== p.topic || !last.topicId.equals(p.topicId)) topics.push((last = { topic: p.topic, topicId: p.topicId, partitions: [] }));
    last.partitions.push({
      partition: p.partition,
      currentLeaderEpoch: p.currentLeaderEpoch,
      fetchOffset: p.fetchOffset,
      lastFetchedEpoch: p.lastFetchedEpoch,
      logStartOffset: p.logStartOffset,
      partitionMaxBytes: p.partitionMaxBytes,
      replicaDirectoryId: ZERO_UUID,
    });
  }
  return topics;
}

/** One partition's fetch parameters; the topic by id or by name, the other field left empty. */
function partitionFetch(t: TopicRequest, p: TopicRequest['partitions'][number], byId: boolean): PartitionFetch {
  return {
    topic: byId ? '' : t.topic,
    topicId: byId ? t.topicId : ZERO_UUID,
    partition: p.partition,
    fetchOffset: p.fetchOffset,
    partitionMaxBytes: p.partitionMaxBytes,
    currentLeaderEpoch: p.currentLeaderEpoch,
    logStartOffset: p.logStartOffset,
    lastFetchedEpoch: p.lastFetchedEpoch,
  };
}

/** The partitions a request names, as a session keeps them. */
function named(req: FetchRequest, byId: boolean): PartitionFetch[] {
  return req.topics.flatMap((t) => t.partitions.map((p) => partitionFetch(t, p, byId)));
}

function forgotten(req: FetchRequest): Array<{ topic: string; topicId: Buffer; partition: number }> {
  return req.forgottenTopicsData.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, topicId: t.topicId, partition })));
}
