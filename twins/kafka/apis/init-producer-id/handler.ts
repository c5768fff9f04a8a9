// InitProducerId: a producer id and epoch for an idempotent producer, or for a transactional id
// (the same id with its epoch bumped, aborting a transaction left open by an earlier instance).
// With an authorizer: a transactional id needs WRITE on it (TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
// an idempotent producer IDEMPOTENT_WRITE on the cluster or, since KIP-679, WRITE on any topic
// (CLUSTER_AUTHORIZATION_FAILED).
// @see https://kafka.apache.org/protocol.html#The_Messages_InitProducerId
import { allowed, defineApi, denyUnless } from '../api.ts';
import { CLUSTER_NAME, OPERATION, RESOURCE } from '../../cluster/acls.ts';
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
  denied(req, ctx) {
    if (req.transactionalId !== null) return denyUnless(ctx, OPERATION.WRITE, RESOURCE.TRANSACTIONAL_ID, [req.transactionalId], ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const { principal, remoteAddress } = ctx.connection;
    if (allowed(ctx, OPERATION.IDEMPOTENT_WRITE, RESOURCE.CLUSTER, CLUSTER_NAME) || ctx.cluster.acls.authorizeAny(principal, remoteAddress, OPERATION.WRITE, RESOURCE.TOPIC)) return undefined;
    return { code: ERR.CLUSTER_AUTHORIZATION_FAILED };
  },
});
