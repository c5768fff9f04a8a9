// OffsetCommit: stores a group's offsets — from a member of the current generation, or from a
// standalone consumer (generation -1, no member id) into an empty group. v9 (KIP-848): to a
// consumer-protocol group, the member's epoch in place of the generation (else STALE_MEMBER_EPOCH).
// @see https://kafka.apache.org/protocol.html#The_Messages_OffsetCommit
import { denyUnless, defineApi, topicScope } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { notCoordinator } from '../join-group/handler.ts';
import { offsetCommitSpec, type OffsetCommitRequest, type OffsetCommitResponse } from './schema.ts';

export const offsetCommitApi = defineApi<OffsetCommitRequest, OffsetCommitResponse>({
  spec: offsetCommitSpec,
  handle(req, ctx) {
    const groups = ctx.cluster.groups;
    const allowed = notCoordinator(ctx, req.groupId)
      ? ERR.NOT_COORDINATOR
      : ctx.version === 0
        ? ERR.NONE
        : groups.fenced(req.groupId, req.memberId, req.groupInstanceId)
          ? ERR.FENCED_INSTANCE_ID
          : groups.commitAllowed(req.groupId, req.memberId, req.generationIdOrMemberEpoch, ctx.version);
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          let errorCode = allowed;
          if (errorCode === ERR.NONE && !ctx.cluster.partition(t.name, p.partitionIndex)) errorCode = ERR.UNKNOWN_TOPIC_OR_PARTITION;
          if (errorCode === ERR.NONE) {
            groups.commit(req.groupId, t.name, p.partitionIndex, { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata });
          }
          return { partitionIndex: p.partitionIndex, errorCode };
        }),
      })),
    };
  },
  errorResponse: (req, code) => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) })),
  }),
  denied: (req, ctx) => denyUnless(ctx, OPERATION.READ, RESOURCE.GROUP, [req.groupId], ERR.GROUP_AUTHORIZATION_FAILED) ?? denyUnless(ctx, OPERATION.READ, RESOURCE.TOPIC, req.topics.map((t) => t.name), ERR.TOPIC_AUTHORIZATION_FAILED),
  scope: (req) => ({ ...topicScope(req.topics), group: req.groupId }),
});
