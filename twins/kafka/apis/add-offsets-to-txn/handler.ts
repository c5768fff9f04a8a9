// AddOffsetsToTxn: the transaction will commit offsets of this group. With an authorizer: WRITE on
// the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), then READ on the group
// (GROUP_AUTHORIZATION_FAILED), in Kafka's order.
// @see https://kafka.apache.org/protocol.html#The_Messages_AddOffsetsToTxn
import { defineApi, denyUnless } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
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
  denied: (req, ctx) =>
    denyUnless(ctx, OPERATION.WRITE, RESOURCE.TRANSACTIONAL_ID, [req.transactionalId], ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) ??
    denyUnless(ctx, OPERATION.READ, RESOURCE.GROUP, [req.groupId], ERR.GROUP_AUTHORIZATION_FAILED),
});
