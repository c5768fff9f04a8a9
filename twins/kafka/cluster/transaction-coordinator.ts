// The transaction coordinator's part of a transaction (KIP-98): AddPartitionsToTxn or AddOffsetsToTxn
// opens it with its timeout running; EndTxn (or a producer re-initialising, or the timeout) ends it
// by writing a control record (COMMIT or ABORT marker) to every partition in it, closing the
// aborted ranges read_committed fetches skip, and applying offsets sent with TxnOffsetCommit on
// commit. It sits beside the group coordinator: the API handlers only decode and answer.
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-98+-+Exactly+Once+Delivery+and+Transactional+Messaging
import { ATTR, encodeBatch } from '../protocol/record-batch.ts';
import type { Cluster } from './cluster.ts';
import type { Txn } from './producer-state.ts';

/** Control record key: version:int16 type:int16 (0 abort, 1 commit); value: version:int16 coordinatorEpoch:int32. */
function controlBatch(txn: Txn, commit: boolean, now: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(commit ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  return encodeBatch({
    baseOffset: 0,
    baseTimestamp: now,
    attributes: ATTR.transactional | ATTR.control,
    producerId: txn.producerId,
    producerEpoch: txn.epoch,
    records: [{ attributes: 0, timestampDelta: 0, offsetDelta: 0, key, value, headers: [] }],
  });
}

/** Marks the transaction ongoing; it is aborted (and its producer fenced) after its timeout. */
export function beginTransaction(cluster: Cluster, txn: Txn): void {
  if (txn.state === 'Ongoing') return;
  txn.state = 'Ongoing';
  const epoch = txn.epoch;
  txn.expiry = setTimeout(() => {
    if (txn.state !== 'Ongoing' || txn.epoch !== epoch) return;
    endTransaction(cluster, txn, false, 'timed out');
    cluster.producers.fence(txn);
  }, txn.timeoutMs);
  txn.expiry.unref();
}

export function endTransaction(cluster: Cluster, txn: Txn, commit: boolean, reason = ''): void {
  clearTimeout(txn.expiry);
  const now = cluster.options.now();
  for (const key of txn.partitions) {
    const [topic, index] = key.split('\u0000') as [string, string];
    const p = cluster.partition(topic, Number(index));
    if (!p) continue;
    // The marker is part of the transaction's range; then the range closes.
    if (p.log.openTxns.has(txn.producerId)) {
      p.log.append(controlBatch(txn, commit, now), now);
      p.log.endTxn(txn.producerId, commit);
    }
  }
  if (commit) {
    for (const o of txn.pendingOffsets) {
      cluster.groups.commit(o.group, o.topic, o.partition, { offset: o.offset, leaderEpoch: -1, metadata: o.metadata });
    }
  }
  txn.partitions.clear();
  txn.groups.clear();
  txn.pendingOffsets = [];
  txn.state = commit ? 'CompleteCommit' : 'CompleteAbort';
  cluster.options.onEvent(`transaction ${txn.transactionalId} ${commit ? 'committed' : 'aborted'}${reason ? ` (${reason})` : ''}`, {
    transactionalId: txn.transactionalId,
    producerId: txn.producerId,
  });
}
