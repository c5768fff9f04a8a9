// ConsumerGroupHeartbeat (KIP-848): a consumer-protocol member joins (epoch 0), stays and reconciles
// (its epoch), or leaves (-1; -2 for a static member coming back). The coordinator assigns
// (cluster/consumer-group.ts); the answer carries the member's epoch, the heartbeat interval and,
// when it changed, its assignment by topic id.
// v1 (4.0): the member id is the client's own (KIP-1082); v0: the coordinator's, from the seed.
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-848
import { denyUnless, defineApi, type RequestContext } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { invalidHeartbeat } from '../../cluster/consumer-group.ts';
import type { Assignment } from '../../cluster/assignor.ts';
import { ASSIGNOR_NAMES } from '../../cluster/assignor.ts';
import { notCoordinator } from '../join-group/handler.ts';
import { consumerGroupHeartbeatSpec, type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse } from './schema.ts';

/** Partitions by topic id, as the protocol carries them (topics deleted since are left out). */
export function byTopicId(ctx: RequestContext, a: Assignment): Array<{ topicId: Buffer; topicName: string; partitions: number[] }> {
  return [...a.keys()]
    .sort()
    .flatMap((name) => {
      const topic = ctx.cluster.topics.get(name);
      return topic ? [{ topicId: topic.id, topicName: name, partitions: [...(a.get(name) as Set<number>)].sort((x, y) => x - y) }] : [];
    });
}

export const consumerGroupHeartbeatApi = defineApi<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>({
  spec: consumerGroupHeartbeatSpec,
  handle(req, ctx) {
    const answer = (errorCode: number, errorMessage: string | null): ConsumerGroupHeartbeatResponse => ({ throttleTimeMs: 0, errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null });
    if (!ctx.versions.consumerGroups) return answer(ERR.UNSUPPORTED_VERSION, 'The new consumer group protocol is not enabled (group.coordinator.rebalance.protocols).');
    if (notCoordinator(ctx, req.groupId)) return answer(ERR.NOT_COORDINATOR, null);
    let owned: Assignment | null = null;
    if (req.topicPartitions !== null) {
      owned = new Map();
      for (const tp of req.topicPartitions) {
        const topic = ctx.cluster.topicById(tp.topicId);
        if (topic) owned.set(topic.name, new Set(tp.partitions));
      }
    }
    const input = {
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      instanceId: req.instanceId,
      rackId: req.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      subscribedTopicNames: req.subscribedTopicNames,
      subscribedTopicRegex: req.subscribedTopicRegex,
      serverAssignor: req.serverAssignor,
      owned,
      clientId: ctx.header.clientId ?? '',
      clientHost: `/${ctx.connection.remoteAddress}`,
      version: ctx.version,
    };
    const invalid = invalidHeartbeat({ ...input, groupId: req.groupId, topicPartitionsCount: req.topicPartitions?.length ?? null });
    if (invalid) return answer(ERR.INVALID_REQUEST, invalid);
    if (req.serverAssignor !== null && !(ASSIGNOR_NAMES as readonly string[]).includes(req.serverAssignor)) {
      return answer(ERR.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${ASSIGNOR_NAMES.join(', ')}.`);
    }
    const r = ctx.cluster.groups.consumerHeartbeat(req.groupId, input);
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      memberId: r.errorCode === ERR.NONE ? r.memberId : null,
      memberEpoch: r.errorCode === ERR.NONE ? r.memberEpoch : 0,
      heartbeatIntervalMs: r.errorCode === ERR.NONE && r.memberEpoch >= 0 ? (ctx.config.consumerHeartbeatIntervalMs ?? 5000) : 0,
      assignment: r.assignment ? { topicPartitions: byTopicId(ctx, r.assignment).map(({ topicId, partitions }) => ({ topicId, partitions })) } : null,
    };
  },
  errorResponse: (_req, code) => ({ errorCode: code, memberEpoch: 0, heartbeatIntervalMs: 0 }),
  denied: (req, ctx) =>
    denyUnless(ctx, OPERATION.READ, RESOURCE.GROUP, [req.groupId], ERR.GROUP_AUTHORIZATION_FAILED) ??
    denyUnless(ctx, OPERATION.DESCRIBE, RESOURCE.TOPIC, req.subscribedTopicNames ?? [], ERR.TOPIC_AUTHORIZATION_FAILED),
  scope: (req) => ({ topics: req.subscribedTopicNames ?? [], partitions: [], group: req.groupId }),
});
