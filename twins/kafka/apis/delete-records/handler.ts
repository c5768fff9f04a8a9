// DeleteRecords: moves each partition's log start to the offset given (-1: the high watermark);
// records before it are gone for every consumer, and the answer is the new low watermark. Refused
// on a topic whose cleanup.policy has no `delete` (POLICY_VIOLATION), past the high watermark
// (OFFSET_OUT_OF_RANGE), or on a broker that does not lead the partition.
// @see https://kafka.apache.org/protocol.html#The_Messages_DeleteRecords
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-107%3A+Add+deleteRecordsBefore%28%29+API+in+AdminClient
import { defineApi, topicScope } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { deleteRecordsSpec, type DeleteRecordsRequest, type DeleteRecordsResponse } from './schema.ts';

export const deleteRecordsApi = defineApi<DeleteRecordsRequest, DeleteRecordsResponse>({
  spec: deleteRecordsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((rp) => {
          const fail = (errorCode: number) => ({ partitionIndex: rp.partitionIndex, lowWatermark: -1, errorCode });
          const topic = ctx.cluster.topics.get(t.name);
          const p = topic?.partitions[rp.partitionIndex];
          if (!topic || !p) return fail(ERR.UNKNOWN_TOPIC_OR_PARTITION);
          if (p.leader !== ctx.broker.nodeId) return fail(ERR.NOT_LEADER_OR_FOLLOWER);
          if (!topic.logConfig.deletes) return fail(ERR.POLICY_VIOLATION);
          const offset = rp.offset === -1 ? p.log.highWatermark : rp.offset;
          if (offset < 0 || offset > p.log.highWatermark) return fail(ERR.OFFSET_OUT_OF_RANGE);
          const lowWatermark = p.log.deleteBefore(offset);
          ctx.cluster.options.onEvent(`records of ${t.name}/${rp.partitionIndex} before ${lowWatermark} deleted`, { topic: t.name, partition: rp.partitionIndex, logStartOffset: lowWatermark });
          return { partitionIndex: rp.partitionIndex, lowWatermark, errorCode: ERR.NONE };
        }),
      })),
    };
  },
  errorResponse: (req, code) => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: code })) })),
  }),
  scope: (req) => topicScope(req.topics),
});
