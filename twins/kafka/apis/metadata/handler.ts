// Metadata: brokers that are up, the controller, and each topic's partitions with leader and
// replicas. Unknown topics are auto-created when the twin allows it (and, from v4, the client asks);
// an illegal name gets INVALID_TOPIC_EXCEPTION either way, as from Kafka's KafkaApis#getTopicMetadata.
// v0 asks for every topic with an empty list; v1+ with null.
// @see https://kafka.apache.org/protocol.html#The_Messages_Metadata
import { allowed, defineApi } from '../api.ts';
import { CLUSTER_NAME, OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { validTopicName, type Topic } from '../../cluster/topic.ts';
import { advertisedAddress, type Cluster } from '../../cluster/cluster.ts';
import { metadataSpec, type MetadataRequest, type MetadataResponse, type MetadataResponseMetadataResponseTopic } from './schema.ts';

function describeTopic(cluster: Cluster, t: Topic): MetadataResponseMetadataResponseTopic {
  const up = new Set(cluster.upBrokers().map((b) => b.nodeId));
  return {
    errorCode: ERR.NONE,
    name: t.name,
    topicId: t.id,
    isInternal: false,
    partitions: t.partitions.map((p) => ({
      errorCode: up.has(p.leader) ? ERR.NONE : ERR.LEADER_NOT_AVAILABLE,
      partitionIndex: p.index,
      leaderId: up.has(p.leader) ? p.leader : -1,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.replicas.filter((r) => up.has(r)),
      offlineReplicas: p.replicas.filter((r) => !up.has(r)),
    })),
    topicAuthorizedOperations: -2147483648,
  };
}

export const metadataApi = defineApi<MetadataRequest, MetadataResponse>({
  spec: metadataSpec,
  handle(req, ctx) {
    const { cluster, version } = ctx;
    const all = req.topics === null || (version === 0 && req.topics.length === 0);
    const autoCreate = cluster.options.autoCreateTopics && (version < 4 || req.allowAutoTopicCreation);
    // With an authorizer: a listing leaves out what the principal may not DESCRIBE; a named topic it may
    // not see, or may not create when it would be auto-created, is TOPIC_AUTHORIZATION_FAILED.
    const may = (op: number, name: string): boolean => allowed(ctx, op, RESOURCE.TOPIC, name);
    const mayCreate = (name: string): boolean => allowed(ctx, OPERATION.CREATE, RESOURCE.CLUSTER, CLUSTER_NAME) || may(OPERATION.CREATE, name);
    const topics = all
      ? [...cluster.topics.values()].filter((t) => may(OPERATION.DESCRIBE, t.name)).map((t) => describeTopic(cluster, t))
      : // Each topic once, as Kafka answers: a name repeated N times must not describe its partitions N times.
        [...new Set((req.topics ?? []).map((rt) => rt.name ?? ''))].map((name) => {
          const exists = cluster.topics.has(name);
          if (validTopicName(name) && (exists ? !may(OPERATION.DESCRIBE, name) : autoCreate ? !mayCreate(name) : !may(OPERATION.DESCRIBE, name))) {
            return { errorCode: ERR.TOPIC_AUTHORIZATION_FAILED, name, topicId: Buffer.alloc(16), isInternal: false, partitions: [] };
          }
          // A name Kafka could never create is refused at once, so a client does not retry it.
          const t = validTopicName(name) ? cluster.topic(name, autoCreate) : undefined;
          if (t) return describeTopic(cluster, t);
          const errorCode = validTopicName(name) ? ERR.UNKNOWN_TOPIC_OR_PARTITION : ERR.INVALID_TOPIC_EXCEPTION;
          return { errorCode, name, topicId: Buffer.alloc(16), isInternal: false, partitions: [] };
        });
    return {
      throttleTimeMs: 0,
      brokers: cluster.upBrokers().map((b) => ({ nodeId: b.nodeId, ...advertisedAddress(b), rack: null })),
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId,
      topics,
      clusterAuthorizedOperations: -2147483648,
    };
  },
  errorResponse(req, code, ctx) {
    const names = req.topics?.map((t) => t.name ?? '') ?? [...ctx.cluster.topics.keys()];
    return {
      brokers: ctx.cluster.upBrokers().map((b) => ({ nodeId: b.nodeId, ...advertisedAddress(b), rack: null })),
      clusterId: ctx.cluster.clusterId,
      controllerId: ctx.cluster.controllerId,
      topics: names.map((name) => ({ errorCode: code, name, partitions: [] })),
    };
  },
  scope: (req) => ({ topics: (req.topics ?? []).map((t) => t.name ?? ''), partitions: [] }),
});
