// Kafka 3.9's topic configs: each with its type, its default and the broker configs it falls back
// to (its synonyms, in Kafka's order). DescribeConfigs lists them all; AlterConfigs and
// IncrementalAlterConfigs check names and values against them; a topic's effective value is its
// own override, else the first broker synonym that has a value.
// @see https://kafka.apache.org/39/documentation.html#topicconfigs
// @see org.apache.kafka.storage.internals.log.LogConfig, org.apache.kafka.server.config.ServerTopicConfigSynonyms
import type { ConfigType } from './config-value.ts';

export interface TopicConfigDef {
  name: string;
  type: ConfigType;
  /** Kafka's default when neither the topic nor a broker synonym sets it. */
  default: string;
  /** Broker configs the value falls back to, first match wins; `factor` turns hours/minutes into ms. */
  synonyms: ReadonlyArray<{ name: string; factor?: number }>;
  /** Allowed values (cleanup.policy is a list of them). */
  oneOf?: readonly string[];
  /** Smallest allowed number. */
  min?: number;
}

const MAX_LONG = '9223372036854775807';
const s = (name: string, factor?: number): { name: string; factor?: number } => (factor ? { name, factor } : { name });

export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  { name: 'cleanup.policy', type: 'list', default: 'delete', synonyms: [s('log.cleanup.policy')], oneOf: ['compact', 'delete'] },
  { name: 'compression.gzip.level', type: 'int', default: '-1', synonyms: [s('compression.gzip.level')], min: -1 },
  { name: 'compression.lz4.level', type: 'int', default: '9', synonyms: [s('compression.lz4.level')], min: 1 },
  { name: 'compression.type', type: 'string', default: 'producer', synonyms: [s('compression.type')], oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
  { name: 'compression.zstd.level', type: 'int', default: '3', synonyms: [s('compression.zstd.level')], min: -131072 },
  { name: 'delete.retention.ms', type: 'long', default: '86400000', synonyms: [s('log.cleaner.delete.retention.ms')], min: 0 },
  { name: 'file.delete.delay.ms', type: 'long', default: '60000', synonyms: [s('log.segment.delete.delay.ms')], min: 0 },
  { name: 'flush.messages', type: 'long', default: MAX_LONG, synonyms: [s('log.flush.interval.messages')], min: 1 },
  { name: 'flush.ms', type: 'long', default: MAX_LONG, synonyms: [s('log.flush.interval.ms'), s('log.flush.scheduler.interval.ms')], min: 0 },
  { name: 'follower.replication.throttled.replicas', type: 'list', default: '', synonyms: [] },
  { name: 'index.interval.bytes', type: 'int', default: '4096', synonyms: [s('log.index.interval.bytes')], min: 0 },
  { name: 'leader.replication.throttled.replicas', type: 'list', default: '', synonyms: [] },
  { name: 'local.retention.bytes', type: 'long', default: '-2', synonyms: [s('log.local.retention.bytes')], min: -2 },
  { name: 'local.retention.ms', type: 'long', default: '-2', synonyms: [s('log.local.retention.ms')], min: -2 },
  { name: 'max.compaction.lag.ms', type: 'long', default: MAX_LONG, synonyms: [s('log.cleaner.max.compaction.lag.ms')], min: 1 },
  { name: 'max.message.bytes', type: 'int', default: '1048588', synonyms: [s('message.max.bytes')], min: 0 },
  { name: 'message.downconversion.enable', type: 'boolean', default: 'true', synonyms: [s('log.message.downconversion.enable')] },
  { name: 'message.format.version', type: 'string', default: '3.0-IV1', synonyms: [s('log.message.format.version')] },
  { name: 'message.timestamp.after.max.ms', type: 'long', default: MAX_LONG, synonyms: [s('log.message.timestamp.after.max.ms')], min: 0 },
  { name: 'message.timestamp.before.max.ms', type: 'long', default: MAX_LONG, synonyms: [s('log.message.timestamp.before.max.ms')], min: 0 },
  { name: 'message.timestamp.difference.max.ms', type: 'long', default: MAX_LONG, synonyms: [s('log.message.timestamp.difference.max.ms')], min: 0 },
  { name: 'message.timestamp.type', type: 'string', default: 'CreateTime', synonyms: [s('log.message.timestamp.type')], oneOf: ['CreateTime', 'LogAppendTime'] },
  { name: 'min.cleanable.dirty.ratio', type: 'double', default: '0.5', synonyms: [s('log.cleaner.min.cleanable.ratio')], min: 0 },
  { name: 'min.compaction.lag.ms', type: 'long', default: '0', synonyms: [s('log.cleaner.min.compaction.lag.ms')], min: 0 },
  { name: 'min.insync.replicas', type: 'int', default: '1', synonyms: [s('min.insync.replicas')], min: 1 },
  { name: 'preallocate', type: 'boolean', default: 'false', synonyms: [s('log.preallocate')] },
  { name: 'remote.log.copy.disable', type: 'boolean', default: 'false', synonyms: [] },
  { name: 'remote.log.delete.on.disable', type: 'boolean', default: 'false', synonyms: [] },
  { name: 'remote.storage.enable', type: 'boolean', default: 'false', synonyms: [] },
  { name: 'retention.bytes', type: 'long', default: '-1', synonyms: [s('log.retention.bytes')] },
  { name: 'retention.ms', type: 'long', default: '604800000', synonyms: [s('log.retention.ms'), s('log.retention.minutes', 60_000), s('log.retention.hours', 3_600_000)], min: -1 },
  { name: 'segment.bytes', type: 'int', default: '1073741824', synonyms: [s('log.segment.bytes')], min: 14 },
  { name: 'segment.index.bytes', type: 'int', default: '10485760', synonyms: [s('log.index.size.max.bytes')], min: 4 },
  { name: 'segment.jitter.ms', type: 'long', default: '0', synonyms: [s('log.roll.jitter.ms'), s('log.roll.jitter.hours', 3_600_000)], min: 0 },
  { name: 'segment.ms', type: 'long', default: '604800000', synonyms: [s('log.roll.ms'), s('log.roll.hours', 3_600_000)], min: 1 },
  { name: 'unclean.leader.election.enable', type: 'boolean', default: 'false', synonyms: [s('unclean.leader.election.enable')] },
];

/**
 * Topic configs Standin adds to Kafka's: accepted wherever a topic config is, listed by
 * DescribeConfigs only on a topic that sets them.
 */
export const STANDIN_TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  { name: 'retention.records', type: 'long', default: '-1', synonyms: [], min: -1 },
];

const BY_NAME = new Map([...TOPIC_CONFIGS, ...STANDIN_TOPIC_CONFIGS].map((d) => [d.name, d]));

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}
