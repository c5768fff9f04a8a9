// Idempotent and transactional producers: producer ids and epochs, per-partition sequence checks
// (duplicates answered with the original offset, gaps with OUT_OF_ORDER_SEQUENCE_NUMBER), and the
// state of each transactional id — as many as the kafkaProducerIds limit keeps.
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

/** A producer id the twin knows: its epoch and, per partition, the sequence state of its batches. */
interface Producer {
  epoch: number;
  seqs: Map<string, SeqEntry>;
  /** The transaction of a transactional producer: while it is Ongoing the producer is kept. */
  txn?: Txn;
}

export class ProducerState {
  private nextId = 1000;
  /** By producer id, least recently initialised first (the order eviction follows). */
  private readonly producers = new Map<number, Producer>();
  readonly txns = new Map<string, Txn>();

  /**
   * `maxProducers` (limit kafkaProducerIds) bounds the producer ids and transactional ids kept: past
   * it the least recently initialised is forgotten, as Kafka expires an idle producer id
   * (producer.id.expiration.ms) — its next batch gets UNKNOWN_PRODUCER_ID, its transactional id
   * INVALID_PRODUCER_ID_MAPPING. A transaction in progress is never forgotten.
   */
  constructor(private readonly maxProducers = Number.POSITIVE_INFINITY) {}

  /** InitProducerId: a new id, or for a transactional id the same id with its epoch bumped. */
  init(transactionalId: string | null, timeoutMs: number): { producerId: number; epoch: number } {
    if (transactionalId === null) return this.admit(this.nextId++, 0);
    let txn = this.txns.get(transactionalId);
    if (!txn) {
      txn = { transactionalId, producerId: this.nextId++, epoch: 0, state: 'Empty', timeoutMs, partitions: new Set(), groups: new Set(), pendingOffsets: [] };
      this.txns.set(transactionalId, txn);
    } else {
      this.txns.delete(transactionalId);
      this.txns.set(transactionalId, txn);
      txn.epoch++;
      txn.timeoutMs = timeoutMs;
    }
    return this.admit(txn.producerId, txn.epoch, txn);
  }

  /** Records a producer at an epoch, most recent last, forgetting the oldest idle ones past the limit. */
  private admit(producerId: number, epoch: number, txn?: Txn): { producerId: number; epoch: number } {
    const known = this.producers.get(producerId);
    this.producers.delete(producerId);
    this.producers.set(producerId, { epoch, seqs: known?.seqs ?? new Map(), txn });
    this.evict(this.txns, this.maxProducers, (t) => t.state !== 'Ongoing', (t) => {
      clearTimeout(t.expiry);
      this.producers.delete(t.producerId);
    });
    this.evict(this.producers, this.maxProducers, (p) => p.txn?.state !== 'Ongoing');
    return { producerId, epoch };
  }

  /** Drops the oldest entries of `map` that `idle` allows until it holds at most `max`. */
  private evict<K, V>(map: Map<K, V>, max: number, idle: (v: V) => boolean, onEvict?: (v: V) => void): void {
    if (map.size <= max) return;
    for (const [key, value] of map) {
      if (map.size <= max) return;
      if (!idle(value)) continue;
      map.delete(key);
      onEvict?.(value);
    }
  }


  /** Checks a batch's producer epoch and sequence against what this partition has seen. */
  check(key: string, producerId: number, epoch: number, baseSeq: number, count: number): SequenceCheck {
    if (producerId < 0) return { ok: true };
    const producer = this.producers.get(producerId);
    if (producer === undefined) return { error: ERR.UNKNOWN_PRODUCER_ID };
    if (epoch < producer.epoch) return { error: ERR.INVALID_PRODUCER_EPOCH };
    const entry = producer.seqs.get(key);
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
    const producer = this.producers.get(producerId);
    if (producerId < 0 || !producer) return;
    let entry = producer.seqs.get(key);
    if (!entry || entry.epoch < epoch) producer.seqs.set(key, (entry = { epoch, lastSeq: -1, recent: [] }));
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
    const producer = this.producers.get(txn.producerId);
    if (producer) producer.epoch = txn.epoch;
  }

  clear(): void {
    for (const txn of this.txns.values()) clearTimeout(txn.expiry);
    this.producers.clear();
    this.txns.clear();
  }
}

/** Sequence numbers wrap at 2^31. */
function seqAdd(seq: number, n: number): number {
  return (seq + n) % 0x80000000;
}
