// AddOffsetsToTxn: the transaction will commit offsets of this group.
// @see https://kafka.apache.org/protocol.html#The_Messages_AddOffsetsToTxn
import { defineApi } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { beginTransaction } from '../../cluster/transaction-coordinator.ts';
import { addOffsetsToTxnSpec, type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse } from './schema.ts';

export const addOffsetsToTxnApi = defineApi<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  spec: addOffsetsToTxnSpec,
  handle(req, ctx) {
    const txn = ctx.cluster.producers.txnOf(req.transactionalId, req.producerId, req.producerEpoch);
    if (typeof txn === 'number') return { throttleTimeMs: 0, errorCode: txn };
    txn.groups.add(req.groupId);
    beginTransaction(ctx.cluster, txn);
    return { throttleTimeMs: 0, errorCode: ERR.NONE };
  },
  scope: (req) => ({ topics: [], partitions: [], group: req.groupId }),
});
