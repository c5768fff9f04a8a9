// Which Kafka the twin is (`kafkaVersion`): the API version ranges its brokers serve and advertise
// in ApiVersions, as a broker of that release does, cut to what the twin implements
// (apis/implemented.ts). 3.9 (KRaft) is the default; 2.8 is a ZooKeeper-mode broker of that line;
// 4.0 has the baselines of KIP-896 (Produce below 3, Fetch below 4, … removed) — and still lists
// Produce from version 0 in ApiVersions although it refuses v0–v2 (KAFKA-18659: librdkafka turned
// compression off when the minimum was not 0).
// Ranges: 3.9 from Kafka's message definitions (shared/reference/kafka-messages); 2.8 from the
// ApiVersions answer of a 2.8 broker; 4.0 from its definitions (validVersions after KIP-896).
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-896
// @see https://issues.apache.org/jira/browse/KAFKA-18659
import type { ApiHandler } from './apis/api.ts';

export const KAFKA_VERSIONS = ['2.8', '3.9', '4.0'] as const;
export type KafkaVersion = (typeof KAFKA_VERSIONS)[number];
export const DEFAULT_KAFKA_VERSION: KafkaVersion = '3.9';

type Range = readonly [number, number];

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
  60: [[0, 0], [0, 1], [0, 1]], // DescribeCluster
};

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
}

export function versionTable(kafkaVersion: KafkaVersion, apis: ReadonlyMap<number, ApiHandler>): VersionTable {
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
    .map(([apiKey, [lo, hi]]) => ({ apiKey, minVersion: Math.min(lo, LISTED_MIN[kafkaVersion]?.[apiKey] ?? lo), maxVersion: hi }))
    .sort((a, b) => a.apiKey - b.apiKey);
  return { kafkaVersion, served: (apiKey) => served.get(apiKey), advertised: () => listed };
}
