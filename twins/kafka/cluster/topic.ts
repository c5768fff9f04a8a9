// A topic: its id, config and partitions, each with a leader broker, a leader epoch and a log.
import { PartitionLog, type LogBudget, type Retention } from './log.ts';

export interface Partition {
  index: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  log: PartitionLog;
}

export interface Topic {
  name: string;
  id: Buffer;
  replicationFactor: number;
  config: Record<string, string>;
  partitions: Partition[];
}

/** Retention from topic config (`retention.records` is Standin's count limit, `retention.bytes` Kafka's). */
export function retentionOf(config: Record<string, string>): Retention {
  const records = config['retention.records'];
  const bytes = config['retention.bytes'];
  return {
    records: records !== undefined && Number(records) > 0 ? Number(records) : undefined,
    bytes: bytes !== undefined && Number(bytes) > 0 ? Number(bytes) : undefined,
  };
}

export function newPartition(index: number, leader: number, replicas: number[], retention: Retention, budget?: LogBudget): Partition {
  return { index, leader, leaderEpoch: 0, replicas, log: new PartitionLog(retention, budget) };
}

/** Legal topic names, as Kafka checks them. @see org.apache.kafka.common.internals.Topic */
export function validTopicName(name: string): boolean {
  return name.length > 0 && name.length <= 249 && /^[a-zA-Z0-9._-]+$/.test(name) && name !== '.' && name !== '..';
}
