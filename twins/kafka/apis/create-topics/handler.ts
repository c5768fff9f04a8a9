// CreateTopics: creates each topic with its partition count, replication factor and configs
// (-1 means the broker default). validateOnly checks without creating. A count past the twin's
// partition limits is refused per topic: INVALID_PARTITIONS past kafkaPartitionsPerTopic,
// POLICY_VIOLATION past kafkaPartitionsPerCluster (as Kafka refuses an oversized request), with the
// reason in errorMessage (v1+).
// @see https://kafka.apache.org/protocol.html#The_Messages_CreateTopics
import { defineApi } from '../api.ts';
import { errorName } from '../../protocol/error-codes.ts';
import { createTopicsSpec, type CreateTopicsRequest, type CreateTopicsResponse } from './schema.ts';

export const createTopicsApi = defineApi<CreateTopicsRequest, CreateTopicsResponse>({
  spec: createTopicsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const config = Object.fromEntries(t.configs.map((c) => [c.name, c.value ?? '']));
        const spec = { name: t.name, partitions: t.numPartitions, replicationFactor: t.replicationFactor, config };
        if (req.validateOnly) {
          const { errorCode, errorMessage, partitions, replicationFactor } = ctx.cluster.checkNewTopic(spec);
          return { name: t.name, errorCode, errorMessage, numPartitions: errorCode ? -1 : partitions, replicationFactor: errorCode ? -1 : replicationFactor, configs: [] };
        }
        const outcome = ctx.cluster.createTopic(spec);
        const created = outcome.errorCode ? undefined : ctx.cluster.topics.get(t.name);
        return {
          name: t.name,
          topicId: created?.id ?? Buffer.alloc(16),
          ...outcome,
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
