// Incremental fetch sessions (KIP-227): what one broker remembers of a consumer's fetches, so that
// the next Fetch names only what changed and its answer carries only what changed. A broker keeps
// at most limits.kafkaFetchSessions of them (Kafka's max.incremental.fetch.session.cache.slots).
// When the cache is full a new session makes room as Kafka's FetchSessionCache does: it takes the
// place of the least recently used session if that one went unused past the eviction time, else of
// the smallest session made longer than the eviction time before its last use, when the new one has
// more partitions; otherwise no session is made (session id 0). Kafka 3.9 splits the slots over 8
// shards and fills them in turn; the twin keeps one cache, so it evicts over all its sessions.
//
// Bounds Kafka does not have: the partitions held across a broker's sessions stay within
// limits.kafkaFetchSessionPartitions, and a session belongs to the connection that made it and goes
// when that connection closes (Kafka keeps it until evicted; a Java consumer whose connection drops
// opens a new session anyway), when its broker goes down, and on reset.
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-227%3A+Introduce+Incremental+FetchRequests+to+Increase+Partition+Scalability
import type { Rng } from '../../../src/core/index.ts';

/** Kafka's min.incremental.fetch.session.eviction.ms: how long a session is safe from eviction. */
export const SESSION_EVICTION_MS = 120_000;
/** The session id of a fetch without a session, and of an answer that made none. */
export const NO_SESSION = 0;
/** A full fetch that makes no session (and closes the one it names). */
export const FINAL_EPOCH = -1;
/** A full fetch that asks for a new session (closing the one it names). */
export const INITIAL_EPOCH = 0;

const MAX_INT32 = 0x7fffffff;

/** The epoch a session expects after `epoch`: from 2^31-1 it wraps to 1 (0 and -1 are full fetches). */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  return epoch === MAX_INT32 ? 1 : epoch + 1;
}

/** The fetch parameters of one partition, as the consumer last sent them. */
export interface PartitionFetch {
  /** The topic's name in a session by name (Fetch v7–12); '' in one by id. */
  topic: string;
  /** The topic's id in a session by id (Fetch v13+). */
  topicId: Buffer;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  logStartOffset: number;
  lastFetchedEpoch: number;
}

/** A partition of a session: its fetch parameters and the marks its last answer carried. */
export interface CachedPartition extends PartitionFetch {
  /** -1 until the partition is answered, and after an error, so that its next answer is sent. */
  highWatermark: number;
  /** The log start offset last answered (the consumer's own is `logStartOffset`). */
  answeredLogStartOffset: number;
}

export class FetchSession {
  /** The epoch the next incremental fetch must carry. */
  epoch = 1;
  lastUsedMs: number;
  /** The partitions in the order they are fetched: one that returns records moves to the end. */
  readonly partitions = new Map<string, CachedPartition>();
  /** Its size when the cache last counted it (Kafka's cachedSize: eviction compares by it). */
  countedSize = 0;

  constructor(
    readonly id: number,
    /** Made by Fetch v13+, naming topics by id; used from a version that names them otherwise, FETCH_SESSION_TOPIC_ID_ERROR. */
    readonly usesTopicIds: boolean,
    /** The connection that made it. */
    readonly owner: object,
    readonly creationMs: number,
  ) {
    this.lastUsedMs = creationMs;
  }

  key(topic: string, topicId: Buffer, partition: number): string {
    // Topic names hold no ':' that could make two keys alike; a partition number holds none at all.
    return `${this.usesTopicIds ? topicId.toString('hex') : topic}:${partition}`;
  }

  /** An incremental fetch: its partitions added or their parameters updated, then the forgotten removed. */
  update(changed: ReadonlyArray<PartitionFetch>, forgotten: ReadonlyArray<{ topic: string; topicId: Buffer; partition: number }>): void {
    for (const p of changed) {
      const key = this.key(p.topic, p.topicId, p.partition);
      const cached = this.partitions.get(key);
      if (cached) Object.assign(cached, p);
      else this.partitions.set(key, { ...p, highWatermark: -1, answeredLogStartOffset: -1 });
    }
    for (const f of forgotten) this.partitions.delete(this.key(f.topic, f.topicId, f.partition));
  }
}

export interface FetchSessionLimits {
  /** Sessions the broker keeps. */
  sessions: number;
  /** Partitions across them. */
  partitions: number;
}

/** One broker's fetch sessions. */
export class FetchSessionCache {
  /** By id, least recently used first. */
  private readonly sessions = new Map<number, FetchSession>();
  private readonly byOwner = new Map<object, Set<FetchSession>>();
  private partitionCount = 0;

  constructor(
    private readonly limits: FetchSessionLimits,
    /**
     * Session ids, from the environment seed. A cleared cache goes on drawing from it: a consumer
     * still holding an id from before a reset must not find another consumer's session under it.
     */
    private readonly ids: Rng,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Every session, least recently used first (for inspect). */
  all(): IterableIterator<FetchSession> {
    return this.sessions.values();
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * A new session of `partitions` for `owner`, made at `now`; NO_SESSION when none can be made
   * (the cache is full of sessions it may not evict, or the partitions would not fit).
   */
  create(owner: object, usesTopicIds: boolean, partitions: ReadonlyArray<CachedPartition>, now: number): number {
    if (this.partitionCount + partitions.length > this.limits.partitions) return NO_SESSION;
    if (this.sessions.size >= this.limits.sessions && !this.makeRoom(partitions.length, now)) return NO_SESSION;
    const session = new FetchSession(this.newId(), usesTopicIds, owner, now);
    for (const p of partitions) session.partitions.set(session.key(p.topic, p.topicId, p.partition), p);
    this.sessions.set(session.id, session);
    let owned = this.byOwner.get(owner);
    if (!owned) this.byOwner.set(owner, (owned = new Set()));
    owned.add(session);
    this.touch(session, now);
    return session.id;
  }

  /**
   * Marks a session used at `now` and counts its partitions again. False when that takes the
   * cache's partitions past their limit: the caller closes the session.
   */
  touch(session: FetchSession, now: number): boolean {
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
    session.lastUsedMs = now;
    this.partitionCount += session.partitions.size - session.countedSize;
    session.countedSize = session.partitions.size;
    return this.partitionCount <= this.limits.partitions;
  }

  remove(session: FetchSession): void {
    if (this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    this.partitionCount -= session.countedSize;
    const owned = this.byOwner.get(session.owner);
    owned?.delete(session);
    if (owned?.size === 0) this.byOwner.delete(session.owner);
  }

  removeId(id: number): void {
    const session = this.sessions.get(id);
    if (session) this.remove(session);
  }

  /** The sessions a connection made, when it closes. */
  closeConnection(owner: object): void {
    for (const session of this.byOwner.get(owner) ?? []) this.remove(session);
  }

  /** Every session: the broker went down, the twin reset or stopped. */
  clear(): void {
    this.sessions.clear();
    this.byOwner.clear();
    this.partitionCount = 0;
  }

  /** Kafka's FetchSessionCacheShard.tryEvict for a consumer's session of `size` partitions. */
  private makeRoom(size: number, now: number): boolean {
    const leastRecent = this.sessions.values().next().value;
    if (!leastRecent) return false;
    if (now - leastRecent.lastUsedMs > SESSION_EVICTION_MS) {
      this.remove(leastRecent);
      return true;
    }
    // Kafka lists a session as evictable when, at its last use, it was older than the eviction
    // time; the least valuable is the smallest (by its counted size), then the lowest id.
    let victim: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (s.lastUsedMs - s.creationMs <= SESSION_EVICTION_MS) continue;
      if (!victim || s.countedSize < victim.countedSize || (s.countedSize === victim.countedSize && s.id < victim.id)) victim = s;
    }
    // Ids are positive, so a new session (id 0 in Kafka's comparison) evicts only a smaller one.
    if (!victim || size <= victim.countedSize) return false;
    this.remove(victim);
    return true;
  }

  /** A positive id no session of this broker holds, as Kafka draws it from [1, 2^31-1). */
  private newId(): number {
    let id: number;
    do id = 1 + this.ids.int(MAX_INT32 - 1);
    while (this.sessions.has(id));
    return id;
  }
}
