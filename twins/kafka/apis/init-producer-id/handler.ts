// InitProducerId: a producer id and epoch for an idempotent producer, or for a transactional id
// (the same id with its epoch bumped, aborting a transaction left open by an earlier instance).
// @see https://kafka.apache.org/protocol.html#The_Messages_InitProducerId
import { defineApi } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { endTransaction } from '../../cluster/transaction-coordinator.ts';
import { initProducerIdSpec, type InitProducerIdRequest, type InitProducerIdResponse } from './schema.ts';

export const initProducerIdApi = defineApi<InitProducerIdRequest, InitProducerIdResponse>({
  spec: initProducerIdSpec,
  handle(req, ctx) {
    const { producers } = ctx.cluster;
    if (req.transactionalId !== null) {
      const open = producers.txns.get(req.transactionalId);
      if (open?.state === 'Ongoing') endTransaction(ctx.cluster, open, false);
    }
    const { producerId, epoch } = producers.init(req.transactionalId, req.transactionTimeoutMs);
    return { throttleTimeMs: 0, errorCode: ERR.NONE, producerId, producerEpoch: epoch };
  },
  errorResponse: (_req, code) => ({ errorCode: code, producerId: -1, producerEpoch: -1 }),
});
