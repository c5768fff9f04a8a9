// EndTxn: commits or aborts a transaction: a control record (COMMIT or ABORT marker) is written to
// every partition in it, aborted ranges are remembered for read_committed fetches, and offsets
// sent with TxnOffsetCommit are applied on commit.
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-98+-+Exactly+Once+Delivery+and+Transactional+Messaging
import { defineApi, type RequestContext } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { ATTR, encodeBatch } from '../../protocol/record-batch.ts';
import type { Txn } from '../../cluster/producer-state.ts';
import { endTxnSpec, type EndTxnRequest, type EndTxnResponse } from './schema.ts';

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

/** Marks the transaction ongoing; the coordinator aborts it (and fences its producer) after its timeout. */
export function beginTransaction(ctx: RequestContext, txn: Txn): void {
  if (txn.state === 'Ongoing') return;
  txn.state = 'Ongoing';
  const epoch = txn.epoch;
  txn.expiry = setTimeout(() => {
    if (txn.state !== 'Ongoing' || txn.epoch !== epoch) return;
    endTransaction(ctx, txn, false, 'timed out');
    ctx.cluster.producers.fence(txn);
  }, txn.timeoutMs);
  txn.expiry.unref();
}

export function endTransaction(ctx: RequestContext, txn: Txn, commit: boolean, reason = ''): void {
  clearTimeout(txn.expiry);
  const now = ctx.twin.now();
  for (const key of txn.partitions) {
    const [topic, index] = key.split('\u0000') as [string, string];
    const p = ctx.cluster.partition(topic, Number(index));
    if (!p) continue;
    // The marker is part of the transaction's range; then the range closes.
    if (p.log.openTxns.has(txn.producerId)) {
      p.log.append(controlBatch(txn, commit, now), now);
      p.log.endTxn(txn.producerId, commit);
    }
  }
  if (commit) {
    for (const o of txn.pendingOffsets) {
      ctx.cluster.groups.commit(o.group, o.topic, o.partition, { offset: o.offset, leaderEpoch: -1, metadata: o.metadata });
    }
  }
  txn.partitions.clear();
  txn.groups.clear();
  txn.pendingOffsets = [];
  txn.state = commit ? 'CompleteCommit' : 'CompleteAbort';
  ctx.twin.journal.record({ point: 'request', type: 'state', summary: `transaction ${txn.transactionalId} ${commit ? 'committed' : 'aborted'}${reason ? ` (${reason})` : ''}`, data: { transactionalId: txn.transactionalId, producerId: txn.producerId } });
}

export const endTxnApi = defineApi<EndTxnRequest, EndTxnResponse>({
  spec: endTxnSpec,
  handle(req, ctx) {
    const txn = ctx.cluster.producers.txnOf(req.transactionalId, req.producerId, req.producerEpoch);
    if (typeof txn === 'number') return { throttleTimeMs: 0, errorCode: txn };
    if (txn.state !== 'Ongoing') {
      const same = (txn.state === 'CompleteCommit') === req.committed;
      return { throttleTimeMs: 0, errorCode: same ? ERR.NONE : ERR.INVALID_TXN_STATE };
    }
    endTransaction(ctx, txn, req.committed);
    return { throttleTimeMs: 0, errorCode: ERR.NONE };
  },
});
