// LeaveGroup: one member (v0–v2) or a batch of members (v3+) leaves; the rest rebalance.
// @see https://kafka.apache.org/protocol.html#The_Messages_LeaveGroup
import { denyUnless, defineApi } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { notCoordinator } from '../join-group/handler.ts';
import { leaveGroupSpec, type LeaveGroupRequest, type LeaveGroupResponse } from './schema.ts';

export const leaveGroupApi = defineApi<LeaveGroupRequest, LeaveGroupResponse>({
  spec: leaveGroupSpec,
  handle(req, ctx) {
    if (notCoordinator(ctx, req.groupId)) return { errorCode: ERR.NOT_COORDINATOR };
    if (ctx.version < 3) return { throttleTimeMs: 0, errorCode: ctx.cluster.groups.leave(req.groupId, req.memberId) };
    const groups = ctx.cluster.groups;
    const members = req.members.map((m) => {
      // v3+ may name a static member by its instance id alone.
      const memberId = m.memberId || groups.memberOfInstance(req.groupId, m.groupInstanceId) || '';
      const errorCode = groups.fenced(req.groupId, memberId, m.groupInstanceId) ? ERR.FENCED_INSTANCE_ID : groups.leave(req.groupId, memberId);
      return { memberId, groupInstanceId: m.groupInstanceId, errorCode };
    });
    return { throttleTimeMs: 0, errorCode: ERR.NONE, members };
  },
  errorResponse: (req, code) => ({ errorCode: code, members: req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: code })) }),
  denied: (req, ctx) => denyUnless(ctx, OPERATION.READ, RESOURCE.GROUP, [req.groupId], ERR.GROUP_AUTHORIZATION_FAILED),
  scope: (req) => ({ topics: [], partitions: [], group: req.groupId }),
});
