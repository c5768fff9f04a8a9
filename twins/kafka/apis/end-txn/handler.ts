// EndTxn: commits or aborts a transaction; the transaction coordinator (cluster/) writes the markers.
// With an authorizer it needs WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-98+-+Exactly+Once+Delivery+and+Transactional+Messaging
import { defineApi, denyUnless } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { endTransaction } from '../../cluster/transaction-coordinator.ts';
import { endTxnSpec, type EndTxnRequest, type EndTxnResponse } from './schema.ts';

export const endTxnApi = defineApi<EndTxnRequest, EndTxnResponse>({
  spec: endTxnSpec,
  handle(req, ctx) {
    const txn = ctx.cluster.producers.txnOf(req.transactionalId, req.producerId, req.producerEpoch);
    if (typeof txn === 'number') return { throttleTimeMs: 0, errorCode: txn };
    if (txn.state !== 'Ongoing') {
      const same = (txn.state === 'CompleteCommit') === req.committed;
      return { throttleTimeMs: 0, errorCode: same ? ERR.NONE : ERR.INVALID_TXN_STATE };
    }
    endTransaction(ctx.cluster, txn, req.committed);
    return { throttleTimeMs: 0, errorCode: ERR.NONE };
  },
  denied: (req, ctx) => denyUnless(ctx, OPERATION.WRITE, RESOURCE.TRANSACTIONAL_ID, [req.transactionalId], ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
});
