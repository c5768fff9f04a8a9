// JoinGroup: joins (or rejoins) a consumer group and waits for the rebalance to complete. From v4
// a member without an id first gets MEMBER_ID_REQUIRED and the id to rejoin with (KIP-394).
// @see https://kafka.apache.org/protocol.html#The_Messages_JoinGroup
import { denyUnless, defineApi, type RequestContext } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { joinGroupSpec, type JoinGroupRequest, type JoinGroupResponse } from './schema.ts';

export function notCoordinator(ctx: RequestContext, group: string): boolean {
  return ctx.cluster.coordinatorFor(group)?.nodeId !== ctx.broker.nodeId;
}

export const joinGroupApi = defineApi<JoinGroupRequest, JoinGroupResponse>({
  spec: joinGroupSpec,
  async handle(req, ctx) {
    if (notCoordinator(ctx, req.groupId)) return { errorCode: ERR.NOT_COORDINATOR, generationId: -1, memberId: req.memberId, leader: '', members: [] };
    const r = await ctx.cluster.groups.join({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: ctx.header.clientId ?? '',
      clientHost: `/${ctx.connection.remoteAddress}`,
      // v0 has no rebalance timeout: the session timeout stands in for it.
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: ctx.version >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      requireKnownMemberId: ctx.version >= 4,
    });
    return { throttleTimeMs: 0, skipAssignment: false, ...r };
  },
  errorResponse: (req, code) => ({ errorCode: code, generationId: -1, memberId: req.memberId, leader: '', members: [] }),
  denied: (req, ctx) => denyUnless(ctx, OPERATION.READ, RESOURCE.GROUP, [req.groupId], ERR.GROUP_AUTHORIZATION_FAILED),
  scope: (req) => ({ topics: [], partitions: [], group: req.groupId }),
});
