// CreatePartitions: grows a topic to `count` partitions, within the twin's partition limits
// (INVALID_PARTITIONS past kafkaPartitionsPerTopic, POLICY_VIOLATION past kafkaPartitionsPerCluster).
// @see https://kafka.apache.org/protocol.html#The_Messages_CreatePartitions
import { defineApi } from '../api.ts';
import { errorName } from '../../protocol/error-codes.ts';
import { createPartitionsSpec, type CreatePartitionsRequest, type CreatePartitionsResponse } from './schema.ts';

export const createPartitionsApi = defineApi<CreatePartitionsRequest, CreatePartitionsResponse>({
  spec: createPartitionsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => {
        const outcome = req.validateOnly ? ctx.cluster.checkAddPartitions(t.name, t.count) : ctx.cluster.addPartitions(t.name, t.count);
        return { name: t.name, ...outcome };
      }),
    };
  },
  errorResponse: (req, code) => ({ results: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: errorName(code) })) }),
  scope: (req) => ({ topics: req.topics.map((t) => t.name), partitions: [] }),
});
