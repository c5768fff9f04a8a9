// SyncGroup: the leader sends the assignment; every member waits for and receives its own.
// @see https://kafka.apache.org/protocol.html#The_Messages_SyncGroup
import { denyUnless, defineApi } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { notCoordinator } from '../join-group/handler.ts';
import { syncGroupSpec, type SyncGroupRequest, type SyncGroupResponse } from './schema.ts';

export const syncGroupApi = defineApi<SyncGroupRequest, SyncGroupResponse>({
  spec: syncGroupSpec,
  async handle(req, ctx) {
    if (notCoordinator(ctx, req.groupId)) return { errorCode: ERR.NOT_COORDINATOR, assignment: Buffer.alloc(0) };
    if (ctx.cluster.groups.fenced(req.groupId, req.memberId, req.groupInstanceId)) return { errorCode: ERR.FENCED_INSTANCE_ID, assignment: Buffer.alloc(0) };
    const r = await ctx.cluster.groups.sync(req.groupId, req.memberId, req.generationId, req.assignments);
    return { throttleTimeMs: 0, ...r };
  },
  errorResponse: (_req, code) => ({ errorCode: code, assignment: Buffer.alloc(0) }),
  denied: (req, ctx) => denyUnless(ctx, OPERATION.READ, RESOURCE.GROUP, [req.groupId], ERR.GROUP_AUTHORIZATION_FAILED),
  scope: (req) => ({ topics: [], partitions: [], group: req.groupId }),
});
