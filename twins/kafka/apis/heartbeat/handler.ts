// Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
// @see https://kafka.apache.org/protocol.html#The_Messages_Heartbeat
import { defineApi } from '../api.ts';
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
  scope: (req) => ({ topics: [], partitions: [], group: req.groupId }),
});
