// ConsumerGroupDescribe (KIP-848): a consumer-protocol group's epochs, assignor and members, each
// with its subscription, current assignment and target assignment. A group that does not exist, or
// is a classic group, is GROUP_ID_NOT_FOUND (DescribeGroups is for those).
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-848
import { denyUnless, defineApi } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { byTopicId } from '../consumer-group-heartbeat/handler.ts';
import { notCoordinator } from '../join-group/handler.ts';
import { consumerGroupDescribeSpec, type ConsumerGroupDescribeRequest, type ConsumerGroupDescribeResponse, type ConsumerGroupDescribeResponseDescribedGroup } from './schema.ts';

/** Kafka's value when the operations were not asked for. */
const OPERATIONS_NOT_ASKED = -2147483648;

export const consumerGroupDescribeApi = defineApi<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>({
  spec: consumerGroupDescribeSpec,
  handle(req, ctx) {
    if (!ctx.versions.consumerGroups) return { throttleTimeMs: 0, groups: req.groupIds.map((groupId) => ({ groupId, errorCode: ERR.UNSUPPORTED_VERSION, groupState: '', assignorName: '', members: [] })) };
    const describe = (groupId: string): ConsumerGroupDescribeResponseDescribedGroup => {
      const none = (errorCode: number, errorMessage: string | null): ConsumerGroupDescribeResponseDescribedGroup => ({ groupId, errorCode, errorMessage, groupState: '', assignorName: '', members: [], authorizedOperations: OPERATIONS_NOT_ASKED });
      if (notCoordinator(ctx, groupId)) return none(ERR.NOT_COORDINATOR, null);
      const g = ctx.cluster.groups.group(groupId);
      if (!g) return none(ERR.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
      const c = g.consumer;
      if (!c) return none(ERR.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
      return {
        errorCode: ERR.NONE,
        errorMessage: null,
        groupId,
        groupState: c.state,
        groupEpoch: c.groupEpoch,
        assignmentEpoch: c.assignmentEpoch,
        assignorName: c.assignor,
        members: [...c.members.values()].map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.subscribedTopicNames,
          subscribedTopicRegex: m.subscribedTopicRegex,
          assignment: { topicPartitions: byTopicId(ctx, m.assigned) },
          targetAssignment: { topicPartitions: byTopicId(ctx, c.target.get(m.memberId) ?? new Map()) },
        })),
        authorizedOperations: OPERATIONS_NOT_ASKED,
      };
    };
    return { throttleTimeMs: 0, groups: req.groupIds.map(describe) };
  },
  errorResponse: (req, code) => ({ groups: req.groupIds.map((groupId) => ({ groupId, errorCode: code, groupState: '', assignorName: '', members: [] })) }),
  denied: (req, ctx) => denyUnless(ctx, OPERATION.DESCRIBE, RESOURCE.GROUP, req.groupIds, ERR.GROUP_AUTHORIZATION_FAILED),
  scope: (req) => ({ topics: [], partitions: [], group: req.groupIds[0] }),
});
