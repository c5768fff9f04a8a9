// DescribeGroups: state, protocol and members (with metadata and assignment) of each group. A
// consumer-protocol group (KIP-848) is not a classic group, so up to v5 it reads as Dead, as on 4.0.
// @see https://kafka.apache.org/protocol.html#The_Messages_DescribeGroups
import { denyUnless, defineApi } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { describeGroupsSpec, type DescribeGroupsRequest, type DescribeGroupsResponse } from './schema.ts';

export const describeGroupsApi = defineApi<DescribeGroupsRequest, DescribeGroupsResponse>({
  spec: describeGroupsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        const g = ctx.cluster.groups.group(groupId);
        if (!g || g.consumer) return { errorCode: ERR.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 };
        return {
          errorCode: ERR.NONE,
          groupId,
          groupState: g.state,
          protocolType: g.protocolType ?? '',
          protocolData: g.protocolName ?? '',
          members: [...g.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? Buffer.alloc(0),
            memberAssignment: m.assignment,
          })),
          authorizedOperations: -2147483648,
        };
      }),
    };
  },
  errorResponse: (req, code) => ({ groups: req.groups.map((groupId) => ({ errorCode: code, groupId, groupState: '', protocolType: '', protocolData: '', members: [] })) }),
  denied: (req, ctx) => denyUnless(ctx, OPERATION.DESCRIBE, RESOURCE.GROUP, req.groups, ERR.GROUP_AUTHORIZATION_FAILED),
  scope: (req) => ({ topics: [], partitions: [], group: req.groups[0] }),
});
