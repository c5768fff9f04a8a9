// Which Kafka the twin is (`kafkaVersion`): the API version ranges its brokers serve and advertise
// in ApiVersions, as a broker of that release does, cut to what the twin implements
// (apis/implemented.ts). 3.9 (KRaft) is the default; 2.8 is a ZooKeeper-mode broker of that line;
// 4.0 has the baselines of KIP-896 (Produce below 3, Fetch below 4, … removed) — and still lists
// Produce from version 0 in ApiVersions although it refuses v0–v2 (KAFKA-18659: librdkafka turned
// compression off when the minimum was not 0). The rest of what a client sees differ between
// releases — configs, defaults, error codes — is RELEASE_FACTS below.
// Ranges: 3.9 from Kafka's message definitions (shared/reference/kafka-messages); 2.8 from the
// ApiVersions answer of a 2.8 broker; 4.0 from its definitions (validVersions after KIP-896),
// checked against a 4.0.0 broker's ApiVersions answer.
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-896
// @see https://issues.apache.org/jira/browse/KAFKA-18659
import type { ApiHandler } from './apis/api.ts';
import type { ConfigType } from './cluster/config-value.ts';

export const KAFKA_VERSIONS = ['2.8', '3.9', '4.0'] as const;
export type KafkaVersion = (typeof KAFKA_VERSIONS)[number];
export const DEFAULT_KAFKA_VERSION: KafkaVersion = '3.9';

type Range = readonly [number, number];
/** Not in that release: the empty range. */
const ABSENT: Range = [0, -1];

/** Per API key: the versions a broker of each release serves ([2.8, 3.9, 4.0]). */
const SERVED: Record<number, readonly [Range, Range, Range]> = {
  0: [[0, 9], [0, 11], [3, 12]], // Produce
  1: [[0, 12], [0, 17], [4, 17]], // Fetch
  2: [[0, 6], [0, 10], [1, 10]], // ListOffsets
  3: [[0, 11], [0, 12], [0, 13]], // Metadata
  8: [[0, 8], [0, 9], [2, 9]], // OffsetCommit
  9: [[0, 7], [0, 9], [1, 9]], // OffsetFetch
  10: [[0, 3], [0, 6], [0, 6]], // FindCoordinator
  11: [[0, 7], [0, 9], [2, 9]], // JoinGroup
  12: [[0, 4], [0, 4], [0, 4]], // Heartbeat
  13: [[0, 4], [0, 5], [0, 5]], // LeaveGroup
  14: [[0, 5], [0, 5], [0, 5]], // SyncGroup
  15: [[0, 5], [0, 5], [0, 6]], // DescribeGroups
  16: [[0, 4], [0, 5], [0, 5]], // ListGroups
  17: [[0, 1], [0, 1], [0, 1]], // SaslHandshake
  18: [[0, 3], [0, 4], [0, 4]], // ApiVersions
  19: [[0, 7], [0, 7], [2, 7]], // CreateTopics
  20: [[0, 6], [0, 6], [1, 6]], // DeleteTopics
  21: [[0, 2], [0, 2], [0, 2]], // DeleteRecords
  22: [[0, 4], [0, 5], [0, 5]], // InitProducerId
  23: [[0, 4], [0, 4], [2, 4]], // OffsetForLeaderEpoch
  24: [[0, 3], [0, 5], [0, 5]], // AddPartitionsToTxn
  25: [[0, 3], [0, 4], [0, 4]], // AddOffsetsToTxn
  26: [[0, 3], [0, 4], [0, 5]], // EndTxn
  28: [[0, 3], [0, 4], [0, 5]], // TxnOffsetCommit
  29: [[0, 2], [0, 3], [1, 3]], // DescribeAcls
  30: [[0, 2], [0, 3], [1, 3]], // CreateAcls
  31: [[0, 2], [0, 3], [1, 3]], // DeleteAcls
  32: [[0, 4], [0, 4], [1, 4]], // DescribeConfigs
  33: [[0, 2], [0, 2], [0, 2]], // AlterConfigs
  36: [[0, 2], [0, 2], [0, 2]], // SaslAuthenticate
  37: [[0, 3], [0, 3], [0, 3]], // CreatePartitions
  42: [[0, 2], [0, 2], [0, 2]], // DeleteGroups
  44: [[0, 1], [0, 1], [0, 1]], // IncrementalAlterConfigs
  45: [[0, 0], [0, 0], [0, 0]], // AlterPartitionReassignments
  46: [[0, 0], [0, 0], [0, 0]], // ListPartitionReassignments
  60: [[0, 0], [0, 1], [0, 2]], // DescribeCluster
  68: [ABSENT, [0, 0], [0, 1]], // ConsumerGroupHeartbeat (3.9: early access, see CONSUMER_PROTOCOL)
  69: [ABSENT, [0, 0], [0, 0]], // ConsumerGroupDescribe (4.0 has v1 too; its definition is not in the 3.9 snapshot)
};

/**
 * KIP-848's APIs: 4.0 enables the consumer rebalance protocol by default; on 3.9 it was early
 * access, on only when group.coordinator.rebalance.protocols includes `consumer` — else the APIs
 * are not listed and a request for one is answered UNSUPPORTED_VERSION, as its KafkaApis does.
 */
const CONSUMER_PROTOCOL = [68, 69];

/** KAFKA-18659: the minimum a 4.0 broker lists for an API below the one it serves. */
const LISTED_MIN: Partial<Record<KafkaVersion, Record<number, number>>> = { '4.0': { 0: 0 } };

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** The versions this twin's brokers serve and list, per API key. */
export interface VersionTable {
  readonly kafkaVersion: KafkaVersion;
  /** The versions answered; a request outside them closes the connection, as Kafka does. */
  served(apiKey: number): Range | undefined;
  /** What ApiVersions lists (sorted by key). */
  advertised(): ApiVersionRange[];
  /** Whether consumer-protocol groups (KIP-848) are on: 4.0's default, 3.9's opt-in. */
  readonly consumerGroups: boolean;
}

/** `rebalanceProtocols`: group.coordinator.rebalance.protocols when the twin sets it, else the release's default. */
export function versionTable(kafkaVersion: KafkaVersion, apis: ReadonlyMap<number, ApiHandler>, rebalanceProtocols?: readonly string[]): VersionTable {
  const consumerGroups = kafkaVersion !== '2.8' && (rebalanceProtocols ?? (kafkaVersion === '4.0' ? ['classic', 'consumer'] : ['classic'])).includes('consumer');
  const column = KAFKA_VERSIONS.indexOf(kafkaVersion);
  const served = new Map<number, Range>();
  for (const [key, handler] of apis) {
    const kafka = SERVED[key]?.[column];
    if (!kafka) continue;
    const lo = Math.max(kafka[0], handler.spec.versions[0]);
    const hi = Math.min(kafka[1], handler.spec.versions[1]);
    if (lo <= hi) served.set(key, [lo, hi]);
  }
  const listed = [...served]
    .filter(([apiKey]) => consumerGroups || !CONSUMER_PROTOCOL.includes(apiKey))
    .map(([apiKey, [lo, hi]]) => ({ apiKey, minVersion: Math.min(lo, LISTED_MIN[kafkaVersion]?.[apiKey] ?? lo), maxVersion: hi }))
    .sort((a, b) => a.apiKey - b.apiKey);
  return { kafkaVersion, served: (apiKey) => served.get(apiKey), advertised: () => listed, consumerGroups };
}

/** A broker config a release has that the 3.9 table (cluster/broker-configs.ts) does not: [name, type, default, dynamic]. */
export type ExtraBrokerConfig = readonly [string, ConfigType, string | null, boolean];

/**
 * What a client can see of a release besides its API ranges, as differences from 3.9 (whose
 * configs are the tables in cluster/broker-configs.ts and cluster/topic-configs.ts).
 */
export interface ReleaseFacts {
  broker: {
    /** Configs the release does not have (not yet, or no longer). */
    absent: readonly string[];
    /** Configs only the release has (ZooKeeper mode's, for 2.8). */
    extra: readonly ExtraBrokerConfig[];
    defaults: Readonly<Record<string, string | null>>;
    /** What the twin sets as a KRaft server.properties would, and this release's broker does not have set. */
    unsetStatic: readonly string[];
  };
  topic: {
    absent: readonly string[];
    defaults: Readonly<Record<string, string>>;
    /** Smallest allowed values that differ from 3.9's. */
    min: Readonly<Record<string, number>>;
  };
  /**
   * Whether TxnOffsetCommit checks the transaction with its coordinator (KIP-890): an unknown
   * producer id, an old epoch or a group the transaction did not add is refused. Before, the group
   * coordinator took the offsets as pending whatever the transaction's state, and answered NONE.
   */
  txnOffsetCommitVerified: boolean;
}

const NONE: ReleaseFacts = {
  broker: { absent: [], extra: [], defaults: {}, unsetStatic: [] },
  topic: { absent: [], defaults: {}, min: {} },
  txnOffsetCommitVerified: true,
};

// Sources, checked for this table (no broker of these releases runs here):
// - 2.8: the "KafkaConfig values" a 2.8 broker (ZooKeeper mode) logs at start-up, holding the names it
//   has, and Kafka 2.8's documented broker and topic configs (kafka.apache.org/28/documentation);
//   the configs 3.x added after it: KIP-390 compression levels (3.8), KIP-937 timestamp bounds (3.6),
//   KIP-405 tiered storage (3.6), KIP-950 (3.9), KIP-848 (3.7), KIP-830 (3.4), KIP-890 (3.6) and the
//   KRaft metadata log configs (3.0). Its TxnOffsetCommit: GroupCoordinator.handleTxnCommitOffsets
//   of 2.8 checks the group, member and generation only.
// - 4.0: the "KafkaConfig values" a 4.0.0 broker logs at start-up, and its upgrade notes: KIP-724
//   (message formats v0/v1 and message.format.version gone), KIP-937 (timestamp.difference removed),
//   KIP-1030 (message.timestamp.after.max.ms 1 hour, segment.bytes at least 1 MiB, recovery
//   threads 2), KIP-830 (JmxReporter in metric.reporters), KIP-848 (the consumer protocol on),
//   ZooKeeper-era configs removed (inter.broker.protocol.version, reserved.broker.max.id,
//   leader.imbalance.per.broker.percentage).
// @see https://kafka.apache.org/40/documentation.html#upgrade_servers_400_notable
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-1030%3A+Change+constraints+and+default+values+for+various+configurations
export const RELEASE_FACTS: Record<KafkaVersion, ReleaseFacts> = {
  '2.8': {
    broker: {
      absent: [
        'auto.include.jmx.reporter',
        'compression.gzip.level',
        'compression.lz4.level',
        'compression.zstd.level',
        'controller.quorum.bootstrap.servers',
        'early.start.listeners',
        'group.consumer.heartbeat.interval.ms',
        'group.consumer.max.size',
        'group.consumer.session.timeout.ms',
        'group.coordinator.rebalance.protocols',
        'log.local.retention.bytes',
        'log.local.retention.ms',
        'log.message.timestamp.after.max.ms',
        'log.message.timestamp.before.max.ms',
        'metadata.log.max.record.bytes.between.snapshots',
        'metadata.log.segment.bytes',
        'metadata.max.retention.bytes',
        'metadata.max.retention.ms',
        'producer.id.expiration.check.interval.ms',
        'producer.id.expiration.ms',
        'remote.log.storage.system.enable',
        'socket.listen.backlog.size',
        'transaction.partition.verification.enable',
      ],
      extra: [
        ['broker.id.generation.enable', 'boolean', 'true', false],
        ['offsets.commit.required.acks', 'short', '-1', false],
        ['zookeeper.connect', 'string', null, false],
        ['zookeeper.connection.timeout.ms', 'int', null, false],
        ['zookeeper.session.timeout.ms', 'int', '18000', false],
        ['zookeeper.set.acl', 'boolean', 'false', false],
      ],
      defaults: { 'inter.broker.protocol.version': '2.8-IV1', 'log.message.format.version': '2.8-IV1', 'principal.builder.class': null },
      unsetStatic: ['process.roles', 'controller.listener.names'],
    },
    topic: {
      absent: [
        'compression.gzip.level',
        'compression.lz4.level',
        'compression.zstd.level',
        'local.retention.bytes',
        'local.retention.ms',
        'message.timestamp.after.max.ms',
        'message.timestamp.before.max.ms',
        'remote.log.copy.disable',
        'remote.log.delete.on.disable',
        'remote.storage.enable',
      ],
      defaults: { 'message.format.version': '2.8-IV1' },
      min: {},
    },
    txnOffsetCommitVerified: false,
  },
  '3.9': NONE,
  '4.0': {
    broker: {
      absent: [
        'auto.include.jmx.reporter',
        'inter.broker.protocol.version',
        'leader.imbalance.per.broker.percentage',
        'log.message.downconversion.enable',
        'log.message.format.version',
        'log.message.timestamp.difference.max.ms',
        'reserved.broker.max.id',
      ],
      extra: [],
      defaults: {
        'group.coordinator.rebalance.protocols': 'classic,consumer',
        'log.message.timestamp.after.max.ms': '3600000',
        'metric.reporters': 'org.apache.kafka.common.metrics.JmxReporter',
        'num.recovery.threads.per.data.dir': '2',
      },
      unsetStatic: [],
    },
    topic: {
      absent: ['message.downconversion.enable', 'message.format.version', 'message.timestamp.difference.max.ms'],
      defaults: { 'message.timestamp.after.max.ms': '3600000' },
      min: { 'segment.bytes': 1048576 },
    },
    txnOffsetCommitVerified: true,
  },
};
