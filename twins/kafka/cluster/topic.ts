// A topic: its id, config and partitions, each with a leader broker, a leader epoch and a log.
import { PartitionLog, type LogBudget, type LogConfig } from './log.ts';

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
  /** What the topic's configs make of its logs, shared by its partitions (a config change updates it). */
  logConfig: LogConfig;
  partitions: Partition[];
}

export function newPartition(index: number, leader: number, replicas: number[], logConfig: LogConfig, budget?: LogBudget, maxBatchBytes?: number): Partition {
  return { index, leader, leaderEpoch: 0, replicas, log: new PartitionLog(logConfig, budget, maxBatchBytes) };
}

/** Legal topic names, as Kafka checks them. @see org.apache.kafka.common.internals.Topic */
export function validTopicName(name: string): boolean {
  return name.length > 0 && name.length <= 249 && /^[a-zA-Z0-9._-]+$/.test(name) && name !== '.' && name !== '..';
}
