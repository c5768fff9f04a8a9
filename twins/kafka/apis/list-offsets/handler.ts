// ListOffsets: the offset for a timestamp — the first record whose own timestamp is ≥ it, answered
// with that record's timestamp — or -1 latest (high watermark, or last stable offset under
// read_committed), -2 earliest (log start), -3 the record with the largest timestamp (v7), -4 the
// earliest local offset (v8: the log start, there being no tiered storage), -5 the latest tiered
// offset (v9: none). v0 answers a list of offsets (see `legacyOffsets`).
// @see https://kafka.apache.org/protocol.html#The_Messages_ListOffsets
import { denyUnless, defineApi, topicScope } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import type { Partition } from '../../cluster/topic.ts';
import type { TimedOffset } from '../../cluster/log.ts';
import {
  listOffsetsSpec,
  type ListOffsetsRequest,
  type ListOffsetsRequestListOffsetsTopicListOffsetsPartition as PartitionRequest,
  type ListOffsetsResponse,
} from './schema.ts';

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;

export const listOffsetsApi = defineApi<ListOffsetsRequest, ListOffsetsResponse>({
  spec: listOffsetsSpec,
  handle(req, ctx) {
    const now = ctx.twin.now();
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((rp) => {
          const base = { partitionIndex: rp.partitionIndex, timestamp: -1, offset: -1, leaderEpoch: -1 };
          const p = ctx.cluster.partition(t.name, rp.partitionIndex);
          if (!p) return { ...base, errorCode: ERR.UNKNOWN_TOPIC_OR_PARTITION };
          if (p.leader !== ctx.broker.nodeId) return { ...base, errorCode: ERR.NOT_LEADER_OR_FOLLOWER };
          // v4+: a client that knows a newer or older leader epoch than this one (KIP-320).
          if (rp.currentLeaderEpoch >= 0 && rp.currentLeaderEpoch < p.leaderEpoch) return { ...base, errorCode: ERR.FENCED_LEADER_EPOCH };
          if (rp.currentLeaderEpoch > p.leaderEpoch) return { ...base, errorCode: ERR.UNKNOWN_LEADER_EPOCH };
          p.log.expire(now);
          if (ctx.version === 0) return { partitionIndex: rp.partitionIndex, errorCode: ERR.NONE, oldStyleOffsets: legacyOffsets(p, rp, now) };
          const found = lookup(p, rp.timestamp, req.isolationLevel === 1);
          return { ...base, errorCode: ERR.NONE, offset: found?.offset ?? -1, timestamp: found?.timestamp ?? -1, leaderEpoch: found ? p.leaderEpoch : -1 };
        }),
      })),
    };
  },
  errorResponse: (req, code) => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code, timestamp: -1, offset: -1 })) })),
  }),
  denied: (req, ctx) => denyUnless(ctx, OPERATION.DESCRIBE, RESOURCE.TOPIC, req.topics.map((t) => t.name), ERR.TOPIC_AUTHORIZATION_FAILED),
  scope: (req) => topicScope(req.topics),
});

function lookup(p: Partition, timestamp: number, readCommitted: boolean): TimedOffset | undefined {
  const log = p.log;
  switch (timestamp) {
    case LATEST:
      return { offset: readCommitted ? log.lastStableOffset : log.highWatermark, timestamp: -1 };
    case EARLIEST:
    case EARLIEST_LOCAL:
      return { offset: log.logStartOffset, timestamp: -1 };
    case MAX_TIMESTAMP:
      return log.maxTimestamp() ?? { offset: -1, timestamp: -1 };
    case LATEST_TIERED:
      return { offset: -1, timestamp: -1 };
    default:
      return log.offsetForTime(timestamp);
  }
}

/**
 * v0 (before KIP-79): up to maxNumOffsets segment start offsets at or before the time, newest first,
 * the log end offset counting as a segment that starts now. The twin's log is one segment.
 * @see kafka.log.UnifiedLog#legacyFetchOffsetsBefore
 */
function legacyOffsets(p: Partition, rp: PartitionRequest, now: number): number[] {
  const log = p.log;
  const last = log.batches[log.batches.length - 1];
  const points: Array<[number, number]> = [[log.logStartOffset, last?.appendedAt ?? now]];
  if (last) points.push([log.highWatermark, now]);
  let from: number;
  if (rp.timestamp === LATEST) from = points.length - 1;
  else if (rp.timestamp === EARLIEST) from = 0;
  else from = points.findLastIndex(([, time]) => time <= rp.timestamp);
  const out: number[] = [];
  for (let i = from; i >= 0 && out.length < rp.maxNumOffsets; i--) out.push((points[i] as [number, number])[0]);
  return out;
}
