// One partition's log: record batches in memory, in offset order, with the high watermark, the
// last stable offset (transactions) and the log start offset (retention). Batches are stored as the
// producer sent them with their baseOffset stamped in, so a Fetch hands out the same bytes.
// @see https://kafka.apache.org/documentation/#log
import { ATTR, decodeRecords, readBatchHeader, resealBatch, stampBatch, type BatchHeader } from '../protocol/record-batch.ts';
import { cleanLog } from './log-cleaner.ts';

export interface StoredBatch {
  baseOffset: number;
  /** Offset of the last record of the batch. */
  lastOffset: number;
  bytes: Buffer;
  header: BatchHeader;
  appendedAt: number;
  /**
   * The largest timestamp of the batch's records, read from the records the first time a lookup by
   * time or time retention needs it: the header's maxTimestamp is what the producer claimed
   * (sarama 1.22 sends -1), and a broker goes by the records.
   */
  maxTime?: number;
}

/** A record found by time: its offset and its own timestamp. */
export interface TimedOffset {
  offset: number;
  timestamp: number;
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

/** What a topic's configs make of its logs; one object per topic, updated when a config changes. */
export interface LogConfig {
  /** retention.records (Standin's): keep the last N records. */
  records?: number;
  /** retention.bytes */
  bytes?: number;
  /** retention.ms, when set on the topic or the brokers: batches whose newest record is older are deleted at once. */
  ms?: number;
  /**
   * retention.ms when nobody set it (Kafka's 7 days): applied at each retention check, every
   * log.retention.check.interval.ms (`retentionCheckMs`) of the twin's clock, as Kafka's log manager does.
   */
  defaultMs?: number;
  retentionCheckMs: number;
  /** segment.bytes and segment.ms: an append past either rolls the active segment (a compacted log is cleaned then). */
  segmentBytes: number;
  segmentMs: number;
  /** delete.retention.ms: how long a tombstone outlives the cleaning that first kept it. */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms: records newer than this are not compacted. */
  minCompactionLagMs: number;
  /** cleanup.policy has `delete`: without it (compact only) retention deletes nothing. */
  deletes: boolean;
  /** cleanup.policy has `compact`: every record needs a key. */
  compacts: boolean;
  /** message.timestamp.type=LogAppendTime */
  logAppendTime: boolean;
  /** max.message.bytes: the largest batch a producer may send. */
  maxMessageBytes: number;
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = {
  deletes: true,
  compacts: false,
  logAppendTime: false,
  maxMessageBytes: 1048588,
  retentionCheckMs: 300_000,
  segmentBytes: 1_073_741_824,
  segmentMs: 604_800_000,
  deleteRetentionMs: 86_400_000,
  minCompactionLagMs: 0,
};

/** Bytes held by every partition log of one cluster, so a twin's logs can be bounded as a whole. */
export interface LogBudget {
  used: number;
}

export class PartitionLog {
  batches: StoredBatch[] = [];
  logStartOffset = 0;
  /** Next offset to assign; equals the high watermark (every replica is in sync). */
  nextOffset = 0;
  bytes = 0;
  /** First offset of each open transaction by producer id (for the last stable offset). */
  readonly openTxns = new Map<number, number>();
  readonly aborted: AbortedTxn[] = [];
  private readonly waiters = new Set<() => void>();
  /** The leader epoch batches are stamped with, and where each epoch began (OffsetForLeaderEpoch). */
  private leaderEpoch = 0;
  private epochStarts: Array<[number, number]> = [[0, 0]];
  /** The active segment: where it starts and its bytes (compaction never touches it, as in Kafka). */
  private activeStart = 0;
  private activeBytes = 0;
  /** When the next retention check with the default retention.ms is due (set at the first one asked). */
  private nextRetentionCheck: number | undefined;
  /** When each kept tombstone (by offset) may go: the first cleaning that kept it + delete.retention.ms. */
  readonly tombstoneHorizons = new Map<number, number>();

  constructor(
    private readonly config: LogConfig = { ...DEFAULT_LOG_CONFIG },
    private readonly budget: LogBudget = { used: 0 },
    /** limits.kafkaBatchBytes: how far a batch may be decompressed to read its record times. */
    private readonly maxBatchBytes = Number.POSITIVE_INFINITY,
  ) {}

  get highWatermark(): number {
    return this.nextOffset;
  }

  get lastStableOffset(): number {
    let lso = this.nextOffset;
    for (const first of this.openTxns.values()) lso = Math.min(lso, first);
    return lso;
  }

  /**
   * Appends a batch (the buffer is kept: pass a copy), stamping its base offset. Returns it. Under
   * message.timestamp.type=LogAppendTime the batch is stamped with `now` as Kafka stamps it:
   * timestamp type bit set, maxTimestamp = now, CRC recomputed.
   */
  append(bytes: Buffer, now: number): StoredBatch {
    if (this.activeBytes > 0 && (this.activeBytes + bytes.length > this.config.segmentBytes || now - this.activeSince() >= this.config.segmentMs)) this.roll(now);
    const baseOffset = this.nextOffset;
    stampBatch(bytes, baseOffset, this.leaderEpoch);
    if (this.config.logAppendTime) {
      bytes.writeInt16BE(bytes.readInt16BE(21) | ATTR.timestampType, 21);
      bytes.writeBigInt64BE(BigInt(now), 35);
      resealBatch(bytes);
    }
    const header = readBatchHeader(bytes);
    const stored: StoredBatch = { baseOffset, lastOffset: baseOffset + header.lastOffsetDelta, bytes, header, appendedAt: now };
    this.batches.push(stored);
    this.nextOffset = stored.lastOffset + 1;
    this.bytes += bytes.length;
    this.activeBytes += bytes.length;
    this.budget.used += bytes.length;
    if (header.attributes & ATTR.transactional && !(header.attributes & ATTR.control) && !this.openTxns.has(header.producerId)) {
      this.openTxns.set(header.producerId, baseOffset);
    }
    this.enforceRetention(now);
    this.wake();
    return stored;
  }

  /** Index of the first batch whose last offset is ≥ offset (batches.length when none). */
  indexOf(offset: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.batches[mid] as StoredBatch).lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Batches from `offset` up to `limitOffset` (exclusive), up to maxBytes — but with `minOne`, at
   * least one batch however large (Kafka's first partition with data in a Fetch answer).
   */
  read(offset: number, maxBytes: number, limitOffset = this.nextOffset, minOne = true): StoredBatch[] {
    const out: StoredBatch[] = [];
    let size = 0;
    for (let i = this.indexOf(offset); i < this.batches.length; i++) {
      const b = this.batches[i] as StoredBatch;
      if (b.baseOffset >= limitOffset) break;
      if ((out.length > 0 || !minOne) && size + b.bytes.length > maxBytes) break;
      out.push(b);
      size += b.bytes.length;
    }
    return out;
  }

  /** The first record whose own timestamp is ≥ ts (ListOffsets by time), or undefined. */
  offsetForTime(ts: number): TimedOffset | undefined {
    for (const b of this.batches) {
      if (b.header.attributes & ATTR.control || this.maxTimeOf(b) < ts) continue;
      for (const [offset, timestamp] of this.timesOf(b)) if (offset >= this.logStartOffset && timestamp >= ts) return { offset, timestamp };
    }
    return undefined;
  }

  /** The first record with the largest timestamp (ListOffsets -3, KIP-734), or undefined. */
  maxTimestamp(): TimedOffset | undefined {
    let newest: StoredBatch | undefined;
    for (const b of this.batches) if (!(b.header.attributes & ATTR.control) && (!newest || this.maxTimeOf(b) > this.maxTimeOf(newest))) newest = b;
    if (!newest) return undefined;
    const max = this.maxTimeOf(newest);
    for (const [offset, timestamp] of this.timesOf(newest)) if (offset >= this.logStartOffset && timestamp === max) return { offset, timestamp };
    return undefined;
  }

  /** A batch's largest record timestamp, kept once read (one number per batch). */
  private maxTimeOf(b: StoredBatch): number {
    b.maxTime ??= this.timesOf(b).reduce((m, [, t]) => Math.max(m, t), -1);
    return b.maxTime;
  }

  /**
   * Each record's offset and timestamp, read again each time (a lookup opens the one batch it
   * lands in): LogAppendTime batches have the batch's time for every record.
   */
  private timesOf(b: StoredBatch): Array<[number, number]> {
    const h = b.header;
    if (h.attributes & ATTR.timestampType) return [[b.baseOffset, h.maxTimestamp]];
    try {
      return decodeRecords({ header: h, bytes: b.bytes }, this.maxBatchBytes).map((r) => [b.baseOffset + r.offsetDelta, h.baseTimestamp + r.timestampDelta]);
    } catch {
      // A batch the twin cannot open (a corrupt fault, past kafkaBatchBytes): its header's word.
      return [[b.baseOffset, h.maxTimestamp]];
    }
  }

  /**
   * DeleteRecords: the log starts at `offset` (≤ the high watermark); whole batches before it go.
   * Returns the new log start offset.
   */
  deleteBefore(offset: number): number {
    if (offset <= this.logStartOffset) return this.logStartOffset;
    while (this.batches.length > 0 && (this.batches[0] as StoredBatch).lastOffset < offset) this.dropFirst();
    this.logStartOffset = offset;
    this.wake();
    return offset;
  }

  /**
   * Time retention (retention.ms): deletes batches from the front while their newest record is
   * older than `now - ms`, the active one too — Kafka rolls a segment whose records have all expired
   * and deletes it. Called where the log is read or written, so a change applies at once.
   */
  expire(now: number): void {
    const { deletes, defaultMs, retentionCheckMs } = this.config;
    let { ms } = this.config;
    if (ms === undefined && defaultMs !== undefined) {
      this.nextRetentionCheck ??= now + retentionCheckMs;
      if (now < this.nextRetentionCheck) return;
      this.nextRetentionCheck = now + retentionCheckMs;
      ms = defaultMs;
    }
    if (ms === undefined || ms < 0 || !deletes) return;
    let dropped = false;
    while (this.batches.length > 0) {
      const first = this.batches[0] as StoredBatch;
      const newest = this.maxTimeOf(first);
      if ((newest >= 0 ? newest : first.appendedAt) >= now - ms) break;
      this.dropFirst();
      this.logStartOffset = first.lastOffset + 1;
      dropped = true;
    }
    if (dropped) this.wake();
  }

  /**
   * Closes the active segment (segment.bytes or segment.ms reached, or the `compact` verb): a new one
   * starts at the log end, and a compacted log is cleaned up to it. Returns the records removed.
   */
  roll(now: number): number {
    this.activeStart = this.nextOffset;
    this.activeBytes = 0;
    return this.config.compacts ? this.clean(now) : 0;
  }

  /** Log compaction of everything before the active segment (log-cleaner.ts). Returns the records removed. */
  private clean(now: number): number {
    const cleaned = cleanLog(this, { end: Math.min(this.activeStart, this.lastStableOffset), now, ...this.config, maxBatchBytes: this.maxBatchBytes });
    if (cleaned.removed === 0 && cleaned.batches === this.batches) return 0;
    const before = this.bytes;
    this.batches = cleaned.batches;
    this.bytes = this.batches.reduce((n, b) => n + b.bytes.length, 0);
    this.budget.used += this.bytes - before;
    return cleaned.removed;
  }

  /** When the active segment's first batch was appended (segment.ms counts from it). */
  private activeSince(): number {
    const i = this.indexOf(this.activeStart);
    return (this.batches[i] as StoredBatch | undefined)?.appendedAt ?? Number.POSITIVE_INFINITY;
  }

  /** A new leader took over with `epoch`: its records start at the log end. */
  startEpoch(epoch: number): void {
    this.leaderEpoch = epoch;
    this.epochStarts.push([epoch, this.nextOffset]);
  }

  /**
   * OffsetForLeaderEpoch: the largest epoch ≤ `epoch` this log knows and the offset where the next
   * epoch began (the log end for the current one) — how a consumer detects a truncated log (KIP-320).
   * [-1, -1] for an epoch newer than any.
   * @see org.apache.kafka.storage.internals.epoch.LeaderEpochFileCache#endOffsetFor
   */
  endOffsetFor(epoch: number): [number, number] {
    if (epoch === this.leaderEpoch) return [epoch, this.nextOffset];
    const higher = this.epochStarts.find(([e]) => e > epoch);
    if (epoch < 0 || !higher) return [-1, -1];
    const floor = this.epochStarts.findLast(([e]) => e <= epoch);
    return [floor ? floor[0] : epoch, higher[1]];
  }

  /** Calls `fn` once on the next append (long-polling fetches); returns a canceller. */
  onAppend(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  endTxn(producerId: number, commit: boolean): void {
    const first = this.openTxns.get(producerId);
    if (first === undefined) return;
    this.openTxns.delete(producerId);
    if (!commit) this.aborted.push({ producerId, firstOffset: first, lastOffset: this.nextOffset - 1 });
  }

  clear(): void {
    this.batches = [];
    this.activeStart = 0;
    this.activeBytes = 0;
    this.tombstoneHorizons.clear();
    this.epochStarts = [[this.leaderEpoch, 0]];
    this.logStartOffset = 0;
    this.nextOffset = 0;
    this.budget.used -= this.bytes;
    this.bytes = 0;
    this.openTxns.clear();
    this.aborted.length = 0;
    this.wake();
  }

  /** Size and count retention, then time retention; a change of topic config calls it too. */
  enforceRetention(now: number): void {
    const { records, bytes, deletes } = this.config;
    while (deletes && this.batches.length > 1) {
      const first = this.batches[0] as StoredBatch;
      const overRecords = records !== undefined && this.nextOffset - first.lastOffset - 1 >= records;
      const overBytes = bytes !== undefined && this.bytes - first.bytes.length >= bytes;
      if (!overRecords && !overBytes) break;
      this.dropFirst();
      this.logStartOffset = first.lastOffset + 1;
    }
    this.expire(now);
  }

  private dropFirst(): void {
    const first = this.batches.shift() as StoredBatch;
    this.bytes -= first.bytes.length;
    this.budget.used -= first.bytes.length;
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const fn of waiting) fn();
  }
}
