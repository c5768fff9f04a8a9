// CreateTopics: creates each topic with its partition count and replication factor (-1 means the
// broker default) or with the replicas the client assigns partition by partition, and its configs,
// all checked as Kafka's controller checks them (names, replica assignments and broker ids, config
// names and values). validateOnly checks without creating. A count past the twin's partition limits
// is refused per topic: INVALID_PARTITIONS past kafkaPartitionsPerTopic, POLICY_VIOLATION past
// kafkaPartitionsPerCluster (as Kafka refuses an oversized request), with the reason in
// errorMessage (v1+). v5+ answers the new topic's configs.
// @see https://kafka.apache.org/protocol.html#The_Messages_CreateTopics
import { allowed, defineApi } from '../api.ts';
import { CLUSTER_NAME, OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR, errorName } from '../../protocol/error-codes.ts';
import type { Cluster } from '../../cluster/cluster.ts';
import type { Topic } from '../../cluster/topic.ts';
import { DEFAULT_LOG_CONFIG } from '../../cluster/log.ts';
import { createTopicsSpec, type CreateTopicsRequest, type CreateTopicsResponse, type CreateTopicsResponseCreatableTopicResultCreatableTopicConfigs as ConfigResult } from './schema.ts';

function configsOf(cluster: Cluster, topic: Topic): ConfigResult[] {
  return cluster.configs.topicEntries(topic).map((e) => ({ name: e.name, value: e.value, readOnly: e.readOnly, configSource: e.source, isSensitive: false }));
}

export const createTopicsApi = defineApi<CreateTopicsRequest, CreateTopicsResponse>({
  spec: createTopicsSpec,
  handle(req, ctx) {
    const { cluster } = ctx;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const failed = (errorCode: number, errorMessage: string) => ({ name: t.name, topicId: Buffer.alloc(16), errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: [] });
        if ((counts.get(t.name) ?? 0) > 1) return failed(ERR.INVALID_REQUEST, 'Duplicate topic name.');
        if (!allowed(ctx, OPERATION.CREATE, RESOURCE.CLUSTER, CLUSTER_NAME) && !allowed(ctx, OPERATION.CREATE, RESOURCE.TOPIC, t.name)) return failed(ERR.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
        const nullConfig = t.configs.find((c) => c.value === null);
        if (nullConfig) return failed(ERR.INVALID_REQUEST, `Null value not supported for topic configs: ${nullConfig.name}`);
        const config = Object.fromEntries(t.configs.map((c) => [c.name, c.value ?? '']));
        const spec = { name: t.name, partitions: t.numPartitions, replicationFactor: t.replicationFactor, config, assignments: t.assignments };
        if (req.validateOnly) {
          const { errorCode, errorMessage, partitions, replicationFactor } = cluster.checkNewTopic(spec);
          if (errorCode) return failed(errorCode, errorMessage ?? errorName(errorCode));
          const draft: Topic = { name: t.name, id: Buffer.alloc(16), replicationFactor, config, logConfig: { ...DEFAULT_LOG_CONFIG }, partitions: [] };
          return { name: t.name, errorCode, errorMessage, numPartitions: partitions, replicationFactor, configs: configsOf(cluster, draft) };
        }
        const outcome = cluster.createTopic(spec);
        const created = outcome.errorCode ? undefined : cluster.topics.get(t.name);
        if (!created) return failed(outcome.errorCode, outcome.errorMessage ?? errorName(outcome.errorCode));
        return { name: t.name, topicId: created.id, ...outcome, numPartitions: created.partitions.length, replicationFactor: created.replicationFactor, configs: configsOf(cluster, created) };
      }),
    };
  },
  errorResponse: (req, code) => ({ topics: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: errorName(code) })) }),
  scope: (req) => ({ topics: req.topics.map((t) => t.name), partitions: [] }),
});
