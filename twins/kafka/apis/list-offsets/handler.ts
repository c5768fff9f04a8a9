// ListOffsets: the offset for a timestamp; -1 latest (high watermark, or last stable offset under
// read_committed), -2 earliest (log start), -3 the record with the largest timestamp (v7).
// @see https://kafka.apache.org/protocol.html#The_Messages_ListOffsets
import { defineApi, topicScope } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { listOffsetsSpec, type ListOffsetsRequest, type ListOffsetsResponse } from './schema.ts';

export const listOffsetsApi = defineApi<ListOffsetsRequest, ListOffsetsResponse>({
  spec: listOffsetsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((rp) => {
          const p = ctx.cluster.partition(t.name, rp.partitionIndex);
          const base = { partitionIndex: rp.partitionIndex, timestamp: -1, offset: -1, leaderEpoch: -1 };
          if (!p) return { ...base, errorCode: ERR.UNKNOWN_TOPIC_OR_PARTITION };
          if (p.leader !== ctx.broker.nodeId) return { ...base, errorCode: ERR.NOT_LEADER_OR_FOLLOWER };
          const log = p.log;
          let offset: number;
          let timestamp = -1;
          if (rp.timestamp === -1) offset = req.isolationLevel === 1 ? log.lastStableOffset : log.highWatermark;
          else if (rp.timestamp === -2) offset = log.logStartOffset;
          else if (rp.timestamp === -3) {
            const last = log.batches.reduce((m, b) => (m && m.header.maxTimestamp >= b.header.maxTimestamp ? m : b), log.batches[0]);
            offset = last ? last.lastOffset : -1;
            timestamp = last ? last.header.maxTimestamp : -1;
          } else {
            offset = log.offsetForTime(rp.timestamp);
            timestamp = offset >= 0 ? rp.timestamp : -1;
          }
          return { ...base, errorCode: ERR.NONE, offset, timestamp, leaderEpoch: p.leaderEpoch };
        }),
      })),
    };
  },
  errorResponse: (req, code) => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code, timestamp: -1, offset: -1 })) })),
  }),
  scope: (req) => topicScope(req.topics),
});
