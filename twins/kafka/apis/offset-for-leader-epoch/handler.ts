// OffsetForLeaderEpoch: for a leader epoch a consumer last saw, the offset where the next epoch
// began (the log end for the current one), so the consumer can tell whether the log it read was
// truncated behind it (KIP-320). Leader epochs change when a partition's leader moves.
// @see https://kafka.apache.org/protocol.html#The_Messages_OffsetForLeaderEpoch
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-320%3A+Allow+fetchers+to+detect+and+handle+log+truncation
import { defineApi, topicScope } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { offsetForLeaderEpochSpec, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse } from './schema.ts';

export const offsetForLeaderEpochApi = defineApi<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  spec: offsetForLeaderEpochSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((rp) => {
          const fail = (errorCode: number) => ({ partition: rp.partition, errorCode, leaderEpoch: -1, endOffset: -1 });
          const p = ctx.cluster.partition(t.topic, rp.partition);
          if (!p) return fail(ERR.UNKNOWN_TOPIC_OR_PARTITION);
          if (p.leader !== ctx.broker.nodeId) return fail(ERR.NOT_LEADER_OR_FOLLOWER);
          if (rp.currentLeaderEpoch >= 0 && rp.currentLeaderEpoch < p.leaderEpoch) return fail(ERR.FENCED_LEADER_EPOCH);
          if (rp.currentLeaderEpoch > p.leaderEpoch) return fail(ERR.UNKNOWN_LEADER_EPOCH);
          const [leaderEpoch, endOffset] = p.log.endOffsetFor(rp.leaderEpoch);
          return { partition: rp.partition, errorCode: ERR.NONE, leaderEpoch, endOffset };
        }),
      })),
    };
  },
  errorResponse: (req, code) => ({
    topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: code, leaderEpoch: -1, endOffset: -1 })) })),
  }),
  scope: (req) => topicScope(req.topics.map((t) => ({ name: t.topic, partitions: t.partitions.map((p) => p.partition) }))),
});
