// A replica assignment a client chose (CreateTopics assignments, CreatePartitions assignments),
// checked as Kafka's controller checks it, with its words.
// @see org.apache.kafka.controller.ReplicationControlManager#validateManualPartitionAssignment
import type { BrokerInfo } from './cluster.ts';

export interface ReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}

/** Why `brokerIds` cannot hold partition `index` of a topic with `replicationFactor` replicas, or undefined. */
export function checkAssignment(brokerIds: readonly number[], index: number, replicationFactor: number, brokers: readonly BrokerInfo[]): string | undefined {
  if (brokerIds.length === 0) return 'The manual partition assignment includes an empty replica list.';
  const sorted = [...brokerIds].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    const id = sorted[i] as number;
    if (!brokers.some((b) => b.nodeId === id)) return `The manual partition assignment includes broker ${id}, but no such broker is registered.`;
    if (i > 0 && sorted[i - 1] === id) return `The manual partition assignment includes the broker ${id} more than once.`;
  }
  if (sorted.length !== replicationFactor) {
    return `The manual partition assignment includes a partition with ${sorted.length} replica(s), but this is not consistent with previous partitions, which have ${replicationFactor} replica(s).`;
  }
  if (!brokerIds.some((id) => brokers.some((b) => b.nodeId === id && b.up))) {
    return `All brokers specified in the manual partition assignment for partition ${index} are fenced or in controlled shutdown.`;
  }
  return undefined;
}
