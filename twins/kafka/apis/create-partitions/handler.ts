// CreatePartitions: grows a topic to `count` partitions.
// @see https://kafka.apache.org/protocol.html#The_Messages_CreatePartitions
import { defineApi } from '../api.ts';
import { ERR, errorName } from '../../protocol/error-codes.ts';
import { createPartitionsSpec, type CreatePartitionsRequest, type CreatePartitionsResponse } from './schema.ts';

export const createPartitionsApi = defineApi<CreatePartitionsRequest, CreatePartitionsResponse>({
  spec: createPartitionsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => {
        const topic = ctx.cluster.topics.get(t.name);
        const code = req.validateOnly
          ? !topic
            ? ERR.UNKNOWN_TOPIC_OR_PARTITION
            : t.count <= topic.partitions.length
              ? ERR.INVALID_PARTITIONS
              : ERR.NONE
          : ctx.cluster.addPartitions(t.name, t.count);
        return { name: t.name, errorCode: code, errorMessage: code === ERR.NONE ? null : errorName(code) };
      }),
    };
  },
  errorResponse: (req, code) => ({ results: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: errorName(code) })) }),
  scope: (req) => ({ topics: req.topics.map((t) => t.name), partitions: [] }),
});
