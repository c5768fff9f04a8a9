// CreateTopics: creates each topic with its partition count, replication factor and configs
// (-1 means the broker default). validateOnly checks without creating.
// @see https://kafka.apache.org/protocol.html#The_Messages_CreateTopics
import { defineApi } from '../api.ts';
import { ERR, errorName } from '../../protocol/error-codes.ts';
import { createTopicsSpec, type CreateTopicsRequest, type CreateTopicsResponse } from './schema.ts';

export const createTopicsApi = defineApi<CreateTopicsRequest, CreateTopicsResponse>({
  spec: createTopicsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const config = Object.fromEntries(t.configs.map((c) => [c.name, c.value ?? '']));
        const spec = { name: t.name, partitions: t.numPartitions, replicationFactor: t.replicationFactor, config };
        const code = req.validateOnly ? (ctx.cluster.topics.has(t.name) ? ERR.TOPIC_ALREADY_EXISTS : ERR.NONE) : ctx.cluster.createTopic(spec);
        const created = ctx.cluster.topics.get(t.name);
        return {
          name: t.name,
          topicId: created?.id ?? Buffer.alloc(16),
          errorCode: code,
          errorMessage: code === ERR.NONE ? null : errorName(code),
          numPartitions: created?.partitions.length ?? -1,
          replicationFactor: created?.replicationFactor ?? -1,
          configs: [],
        };
      }),
    };
  },
  errorResponse: (req, code) => ({ topics: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: errorName(code) })) }),
  scope: (req) => ({ topics: req.topics.map((t) => t.name), partitions: [] }),
});
