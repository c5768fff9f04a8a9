// FindCoordinator: the broker coordinating a group (key type 0) or a transactional id (1).
// v0–v3 carry one key; v4 a batch of coordinatorKeys with one result each.
// @see https://kafka.apache.org/protocol.html#The_Messages_FindCoordinator
import { denyUnless, defineApi, type RequestContext } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { advertisedAddress } from '../../cluster/cluster.ts';
import { findCoordinatorSpec, type FindCoordinatorRequest, type FindCoordinatorResponse, type FindCoordinatorResponseCoordinator } from './schema.ts';

function locate(ctx: RequestContext, key: string): FindCoordinatorResponseCoordinator {
  const b = ctx.cluster.coordinatorFor(key);
  if (!b) return { key, nodeId: -1, host: '', port: -1, errorCode: ERR.COORDINATOR_NOT_AVAILABLE, errorMessage: null };
  return { key, nodeId: b.nodeId, ...advertisedAddress(b), errorCode: ERR.NONE, errorMessage: null };
}

export const findCoordinatorApi = defineApi<FindCoordinatorRequest, FindCoordinatorResponse>({
  spec: findCoordinatorSpec,
  handle(req, ctx) {
    if (ctx.version >= 4) return { throttleTimeMs: 0, coordinators: req.coordinatorKeys.map((k) => locate(ctx, k)) };
    const c = locate(ctx, req.key);
    return { throttleTimeMs: 0, errorCode: c.errorCode, errorMessage: null, nodeId: c.nodeId, host: c.host, port: c.port };
  },
  errorResponse: (req, code) => ({
    errorCode: code,
    nodeId: -1,
    host: '',
    port: -1,
    coordinators: req.coordinatorKeys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode: code })),
  }),
  denied: (req, ctx) =>
    req.keyType === 0
      ? denyUnless(ctx, OPERATION.DESCRIBE, RESOURCE.GROUP, req.coordinatorKeys.length > 0 ? req.coordinatorKeys : [req.key], ERR.GROUP_AUTHORIZATION_FAILED)
      : denyUnless(ctx, OPERATION.DESCRIBE, RESOURCE.TRANSACTIONAL_ID, req.coordinatorKeys.length > 0 ? req.coordinatorKeys : [req.key], ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
  scope: (req) => ({ topics: [], partitions: [], group: req.key || req.coordinatorKeys[0] }),
});
