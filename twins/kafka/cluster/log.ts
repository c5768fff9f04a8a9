// One partition's log: record batches in memory, in offset order, with the high watermark, the
// last stable offset (transactions) and the log start offset (retention). Batches are stored as the
// producer sent them with their baseOffset stamped in, so a Fetch hands out the same bytes.
// @see https://kafka.apache.org/documentation/#log
import { ATTR, readBatchHeader, stampBatch, type BatchHeader } from '../protocol/record-batch.ts';

export interface StoredBatch {
  baseOffset: number;
  /** Offset of the last record of the batch. */
  lastOffset: number;
  bytes: Buffer;
  header: BatchHeader;
  appendedAt: number;
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

export interface Retention {
  records?: number;
  bytes?: number;
}

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

  constructor(
    private readonly retention: Retention = {},
    private readonly budget: LogBudget = { used: 0 },
  ) {}

  get highWatermark(): number {
    return this.nextOffset;
  }

  get lastStableOffset(): number {
    let lso = this.nextOffset;
    for (const first of this.openTxns.values()) lso = Math.min(lso, first);
    return lso;
  }

  /** Appends a batch (the buffer is kept: pass a copy), stamping its base offset. Returns it. */
  append(bytes: Buffer, now: number): StoredBatch {
    const baseOffset = this.nextOffset;
    stampBatch(bytes, baseOffset);
    const header = readBatchHeader(bytes);
    const stored: StoredBatch = { baseOffset, lastOffset: baseOffset + header.lastOffsetDelta, bytes, header, appendedAt: now };
    this.batches.push(stored);
    this.nextOffset = stored.lastOffset + 1;
    this.bytes += bytes.length;
    this.budget.used += bytes.length;
    if (header.attributes & ATTR.transactional && !(header.attributes & ATTR.control) && !this.openTxns.has(header.producerId)) {
      this.openTxns.set(header.producerId, baseOffset);
    }
    this.enforceRetention();
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

  /** The earliest offset whose batch has a timestamp ≥ ts, or -1 (ListOffsets by time). */
  offsetForTime(ts: number): number {
    for (const b of this.batches) if (b.header.maxTimestamp >= ts) return Math.max(b.baseOffset, this.logStartOffset);
    return -1;
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
    this.logStartOffset = 0;
    this.nextOffset = 0;
    this.budget.used -= this.bytes;
    this.bytes = 0;
    this.openTxns.clear();
    this.aborted.length = 0;
    this.wake();
  }

  private enforceRetention(): void {
    const { records, bytes } = this.retention;
    while (this.batches.length > 1) {
      const first = this.batches[0] as StoredBatch;
      const overRecords = records !== undefined && this.nextOffset - first.lastOffset - 1 >= records;
      const overBytes = bytes !== undefined && this.bytes - first.bytes.length >= bytes;
      if (!overRecords && !overBytes) break;
      this.batches.shift();
      this.bytes -= first.bytes.length;
      this.budget.used -= first.bytes.length;
      this.logStartOffset = first.lastOffset + 1;
    }
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const fn of waiting) fn();
  }
}
