// Idempotent and transactional producers: producer ids and epochs, per-partition sequence checks
// (duplicates answered with the original offset, gaps with OUT_OF_ORDER_SEQUENCE_NUMBER), and the
// state of each transactional id.
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-98+-+Exactly+Once+Delivery+and+Transactional+Messaging
import { ERR } from '../protocol/error-codes.ts';

interface SeqEntry {
  epoch: number;
  lastSeq: number;
  /** Recent batches: [baseSeq, lastSeq, baseOffset] for duplicate detection (Kafka keeps 5). */
  recent: Array<[number, number, number]>;
}

export type TxnState = 'Empty' | 'Ongoing' | 'CompleteCommit' | 'CompleteAbort';

export interface Txn {
  transactionalId: string;
  producerId: number;
  epoch: number;
  state: TxnState;
  timeoutMs: number;
  partitions: Set<string>;
  groups: Set<string>;
  /** TxnOffsetCommit offsets, applied when the transaction commits. */
  pendingOffsets: Array<{ group: string; topic: string; partition: number; offset: number; metadata: string | null }>;
  /** Aborts the transaction when it outlives transaction.timeout.ms. */
  expiry?: NodeJS.Timeout;
}

export type SequenceCheck = { error: number } | { duplicateOf: number } | { ok: true };

export class ProducerState {
  private nextId = 1000;
  readonly epochs = new Map<number, number>();
  private readonly seqs = new Map<string, SeqEntry>();
  readonly txns = new Map<string, Txn>();

  /** InitProducerId: a new id, or for a transactional id the same id with its epoch bumped. */
  init(transactionalId: string | null, timeoutMs: number): { producerId: number; epoch: number } {
    if (transactionalId === null) {
      const producerId = this.nextId++;
      this.epochs.set(producerId, 0);
      return { producerId, epoch: 0 };
    }
    let txn = this.txns.get(transactionalId);
    if (!txn) {
      txn = { transactionalId, producerId: this.nextId++, epoch: 0, state: 'Empty', timeoutMs, partitions: new Set(), groups: new Set(), pendingOffsets: [] };
      this.txns.set(transactionalId, txn);
    } else {
      txn.epoch++;
      txn.timeoutMs = timeoutMs;
    }
    this.epochs.set(txn.producerId, txn.epoch);
    return { producerId: txn.producerId, epoch: txn.epoch };
  }

  /** Checks a batch's producer epoch and sequence against what this partition has seen. */
  check(key: string, producerId: number, epoch: number, baseSeq: number, count: number): SequenceCheck {
    if (producerId < 0) return { ok: true };
    const current = this.epochs.get(producerId);
    if (current === undefined) return { error: ERR.UNKNOWN_PRODUCER_ID };
    if (epoch < current) return { error: ERR.INVALID_PRODUCER_EPOCH };
    const entry = this.seqs.get(`${producerId}\u0000${key}`);
    const lastSeq = seqAdd(baseSeq, count - 1);
    if (!entry || entry.epoch < epoch) {
      return baseSeq === 0 ? { ok: true } : { error: ERR.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    const dup = entry.recent.find(([b, l]) => b === baseSeq && l === lastSeq);
    if (dup) return { duplicateOf: dup[2] };
    if (baseSeq !== seqAdd(entry.lastSeq, 1)) return { error: ERR.OUT_OF_ORDER_SEQUENCE_NUMBER };
    return { ok: true };
  }

  record(key: string, producerId: number, epoch: number, baseSeq: number, count: number, baseOffset: number): void {
    if (producerId < 0) return;
    const id = `${producerId}\u0000${key}`;
    let entry = this.seqs.get(id);
    if (!entry || entry.epoch < epoch) this.seqs.set(id, (entry = { epoch, lastSeq: -1, recent: [] }));
    entry.lastSeq = seqAdd(baseSeq, count - 1);
    entry.recent.push([baseSeq, entry.lastSeq, baseOffset]);
    if (entry.recent.length > 5) entry.recent.shift();
  }

  /** The transaction of a producer, checking its epoch. */
  txnOf(transactionalId: string, producerId: number, epoch: number): Txn | number {
    const txn = this.txns.get(transactionalId);
    if (!txn || txn.producerId !== producerId) return ERR.INVALID_PRODUCER_ID_MAPPING;
    if (epoch !== txn.epoch) return ERR.INVALID_PRODUCER_EPOCH;
    return txn;
  }

  /** Bumps a transactional producer's epoch, fencing the instance that holds the old one. */
  fence(txn: Txn): void {
    txn.epoch++;
    this.epochs.set(txn.producerId, txn.epoch);
  }

  clear(): void {
    for (const txn of this.txns.values()) clearTimeout(txn.expiry);
    this.epochs.clear();
    this.seqs.clear();
    this.txns.clear();
  }
}

/** Sequence numbers wrap at 2^31. */
function seqAdd(seq: number, n: number): number {
  return (seq + n) % 0x80000000;
}
