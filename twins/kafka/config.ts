// The kafka twin's config.
import { Type, type Static } from '@sinclair/typebox';
import { BaseTwinConfigFields } from '../../src/core/index.ts';

export const TopicConfigSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 249, pattern: '^[a-zA-Z0-9._-]+$' }),
    partitions: Type.Optional(Type.Integer({ minimum: 1, description: 'at most the server limit kafkaPartitionsPerTopic' })),
    replicationFactor: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
    config: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'topic configs, e.g. retention.bytes; retention.records keeps the last N records' })),
  },
  { additionalProperties: false },
);

const AclSchema = Type.Object(
  {
    resourceType: Type.Union([Type.Literal('TOPIC'), Type.Literal('GROUP'), Type.Literal('CLUSTER'), Type.Literal('TRANSACTIONAL_ID')]),
    resourceName: Type.String({ minLength: 1, description: 'a name, * for every one, or with patternType PREFIXED a prefix; kafka-cluster for CLUSTER' }),
    patternType: Type.Optional(Type.Union([Type.Literal('LITERAL'), Type.Literal('PREFIXED')], { default: 'LITERAL' })),
    principal: Type.String({ pattern: '^[^:]+:.+$', description: 'e.g. User:alice, or User:* for everyone' }),
    host: Type.Optional(Type.String({ default: '*' })),
    operation: Type.Union(
      ['ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE'].map((o) => Type.Literal(o)),
    ),
    permission: Type.Optional(Type.Union([Type.Literal('ALLOW'), Type.Literal('DENY')], { default: 'ALLOW' })),
  },
  { additionalProperties: false },
);

export const KafkaConfigSchema = Type.Object(
  {
    ...BaseTwinConfigFields,
    brokers: Type.Optional(Type.Integer({ minimum: 1, maximum: 9, default: 1, description: 'brokers in the cluster, each on its own port' })),
    ports: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 65535 }), { description: 'pin each broker’s port (default: free ports)' })),
    topics: Type.Optional(Type.Array(TopicConfigSchema, { default: [] })),
    autoCreateTopics: Type.Optional(Type.Boolean({ default: true })),
    defaultPartitions: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: 'partitions of an auto-created topic (at most the server limit kafkaPartitionsPerTopic)' })),
    groupInitialRebalanceDelayMs: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'group.initial.rebalance.delay.ms' })),
    groupConsumerSessionTimeoutMs: Type.Optional(Type.Integer({ minimum: 1, default: 45000, description: 'group.consumer.session.timeout.ms: a consumer-protocol (KIP-848) member unheard of this long is fenced' })),
    groupConsumerHeartbeatIntervalMs: Type.Optional(Type.Integer({ minimum: 1, default: 5000, description: 'group.consumer.heartbeat.interval.ms, told to consumer-protocol members' })),
    groupCoordinatorRebalanceProtocols: Type.Optional(
      Type.Array(Type.Union([Type.Literal('classic'), Type.Literal('consumer')]), {
        uniqueItems: true,
        description: 'group.coordinator.rebalance.protocols; default classic,consumer on 4.0, classic on 3.9 (add consumer for KIP-848 early access)',
      }),
    ),
    advertised: Type.Optional(
      Type.Array(Type.String({ pattern: '^[^:]+:[0-9]+$' }), { description: 'host:port each broker announces in Metadata (advertised.listeners), e.g. behind a proxy or NAT' }),
    ),
    clusterId: Type.Optional(Type.String({ minLength: 1 })),
    kafkaVersion: Type.Optional(
      Type.Union([Type.Literal('2.8'), Type.Literal('3.9'), Type.Literal('4.0')], {
        default: '3.9',
        description: 'the Apache Kafka release the twin answers as: the API versions it serves and lists in ApiVersions, the broker and topic configs DescribeConfigs lists with their defaults, and the answers that changed between releases (twins/kafka/README.md)',
      }),
    ),
    authorizer: Type.Optional(
      Type.Object(
        {
          superUsers: Type.Optional(Type.Array(Type.String({ pattern: '^[^:]+:.+$' }), { description: 'principals allowed everything (super.users), e.g. User:admin' })),
          allowEveryoneIfNoAclFound: Type.Optional(Type.Boolean({ default: false, description: 'allow.everyone.if.no.acl.found' })),
          acls: Type.Optional(Type.Array(AclSchema, { description: 'ACL bindings present at start and after reset' })),
        },
        { additionalProperties: false, description: 'an authorizer: ACLs enforced for each connection’s principal (User:<SASL user>, User:ANONYMOUS without SASL)' },
      ),
    ),
    tls: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'the listeners speak TLS with a self-signed certificate (endpoint caCert, env KAFKA_SSL_CA_LOCATION): security protocol SSL, or SASL_SSL with sasl',
      }),
    ),
    sasl: Type.Optional(
      Type.Object(
        {
          mechanisms: Type.Array(Type.Union([Type.Literal('PLAIN'), Type.Literal('SCRAM-SHA-256'), Type.Literal('SCRAM-SHA-512')]), { minItems: 1 }),
          users: Type.Record(Type.String(), Type.String(), { description: 'user → password' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type KafkaConfig = Static<typeof KafkaConfigSchema>;
export type TopicConfig = Static<typeof TopicConfigSchema>;
