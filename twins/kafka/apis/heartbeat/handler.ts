// Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
// @see https://kafka.apache.org/protocol.html#The_Messages_Heartbeat
import { denyUnless, defineApi } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { notCoordinator } from '../join-group/handler.ts';
import { heartbeatSpec, type HeartbeatRequest, type HeartbeatResponse } from './schema.ts';

export const heartbeatApi = defineApi<HeartbeatRequest, HeartbeatResponse>({
  spec: heartbeatSpec,
  handle(req, ctx) {
    if (notCoordinator(ctx, req.groupId)) return { errorCode: ERR.NOT_COORDINATOR };
    if (ctx.cluster.groups.fenced(req.groupId, req.memberId, req.groupInstanceId)) return { throttleTimeMs: 0, errorCode: ERR.FENCED_INSTANCE_ID };
    return { throttleTimeMs: 0, errorCode: ctx.cluster.groups.heartbeat(req.groupId, req.memberId, req.generationId) };
  },
  denied: (req, ctx) => denyUnless(ctx, OPERATION.READ, RESOURCE.GROUP, [req.groupId], ERR.GROUP_AUTHORIZATION_FAILED),
  scope: (req) => ({ topics: [], partitions: [], group: req.groupId }),
});
