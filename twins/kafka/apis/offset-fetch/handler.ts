// OffsetFetch: a group's committed offsets (-1 where none), for the listed partitions or all (null
// topics, v2+). v8 asks for several groups at once; v9 (KIP-848) names the member and its epoch,
// checked against a consumer-protocol group (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH).
// @see https://kafka.apache.org/protocol.html#The_Messages_OffsetFetch
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-709 (batched groups, v8)
import { denyUnless, defineApi, type RequestContext } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { notCoordinator } from '../join-group/handler.ts';
import { offsetFetchSpec, type OffsetFetchRequest, type OffsetFetchResponse, type OffsetFetchResponseOffsetFetchResponseTopic } from './schema.ts';

type Wanted = Array<{ name: string; partitionIndexes: number[] }> | null;

function offsetsOf(ctx: RequestContext, groupId: string, topics: Wanted, member: { memberId: string | null; memberEpoch: number } = { memberId: null, memberEpoch: -1 }): { errorCode: number; topics: OffsetFetchResponseOffsetFetchResponseTopic[] } {
  if (notCoordinator(ctx, groupId)) return { errorCode: ERR.NOT_COORDINATOR, topics: [] };
  const groups = ctx.cluster.groups;
  const refused = groups.group(groupId)?.consumer?.fetchAllowed(member.memberId, member.memberEpoch) ?? ERR.NONE;
  if (refused !== ERR.NONE) return { errorCode: refused, topics: [] };
  const wanted = topics ?? [...(groups.group(groupId)?.offsets.entries() ?? [])].map(([name, parts]) => ({ name, partitionIndexes: [...parts.keys()] }));
  return {
    errorCode: ERR.NONE,
    topics: wanted.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        const c = groups.committed(groupId, t.name, partitionIndex);
        return { partitionIndex, committedOffset: c?.offset ?? -1, committedLeaderEpoch: c?.leaderEpoch ?? -1, metadata: c?.metadata ?? '', errorCode: ERR.NONE };
      }),
    })),
  };
}

export const offsetFetchApi = defineApi<OffsetFetchRequest, OffsetFetchResponse>({
  spec: offsetFetchSpec,
  handle(req, ctx) {
    if (ctx.version >= 8) return { throttleTimeMs: 0, groups: req.groups.map((g) => ({ groupId: g.groupId, ...offsetsOf(ctx, g.groupId, g.topics, g) })) };
    return { throttleTimeMs: 0, ...offsetsOf(ctx, req.groupId, req.topics) };
  },
  errorResponse: (req, code) => ({
    errorCode: code,
    topics: (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, errorCode: code })) })),
    groups: req.groups.map((g) => ({ groupId: g.groupId, errorCode: code, topics: [] })),
  }),
  denied: (req, ctx) => denyUnless(ctx, OPERATION.DESCRIBE, RESOURCE.GROUP, req.groups.length > 0 ? req.groups.map((g) => g.groupId) : [req.groupId], ERR.GROUP_AUTHORIZATION_FAILED),
  scope: (req) => {
    const topics = req.topics ?? req.groups.flatMap((g) => g.topics ?? []);
    return { topics: topics.map((t) => t.name), partitions: topics.flatMap((t) => t.partitionIndexes), group: req.groupId || req.groups[0]?.groupId };
  },
});
