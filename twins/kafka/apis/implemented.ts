// The APIs and version ranges Standin implements — and so advertises in ApiVersions. Each entry has
// a folder under apis/ with its generated schema.ts and its handler.
// @see https://kafka.apache.org/protocol.html#protocol_api_keys
export const IMPLEMENTED = [
  { name: 'Produce', definition: 'Produce', folder: 'produce', versions: [3, 9] },
  { name: 'Fetch', definition: 'Fetch', folder: 'fetch', versions: [4, 17] },
  { name: 'ListOffsets', definition: 'ListOffsets', folder: 'list-offsets', versions: [0, 9] },
  { name: 'Metadata', definition: 'Metadata', folder: 'metadata', versions: [0, 12] },
  { name: 'OffsetCommit', definition: 'OffsetCommit', folder: 'offset-commit', versions: [0, 8] },
  { name: 'OffsetFetch', definition: 'OffsetFetch', folder: 'offset-fetch', versions: [1, 8] },
  { name: 'FindCoordinator', definition: 'FindCoordinator', folder: 'find-coordinator', versions: [0, 4] },
  { name: 'JoinGroup', definition: 'JoinGroup', folder: 'join-group', versions: [0, 9] },
  { name: 'Heartbeat', definition: 'Heartbeat', folder: 'heartbeat', versions: [0, 4] },
  { name: 'LeaveGroup', definition: 'LeaveGroup', folder: 'leave-group', versions: [0, 5] },
  { name: 'SyncGroup', definition: 'SyncGroup', folder: 'sync-group', versions: [0, 5] },
  { name: 'DescribeGroups', definition: 'DescribeGroups', folder: 'describe-groups', versions: [0, 5] },
  { name: 'ListGroups', definition: 'ListGroups', folder: 'list-groups', versions: [0, 4] },
  { name: 'SaslHandshake', definition: 'SaslHandshake', folder: 'sasl-handshake', versions: [0, 1] },
  { name: 'ApiVersions', definition: 'ApiVersions', folder: 'api-versions', versions: [0, 3] },
  { name: 'CreateTopics', definition: 'CreateTopics', folder: 'create-topics', versions: [0, 7] },
  { name: 'DeleteTopics', definition: 'DeleteTopics', folder: 'delete-topics', versions: [0, 6] },
  { name: 'DeleteRecords', definition: 'DeleteRecords', folder: 'delete-records', versions: [0, 2] },
  { name: 'InitProducerId', definition: 'InitProducerId', folder: 'init-producer-id', versions: [0, 4] },
  { name: 'OffsetForLeaderEpoch', definition: 'OffsetForLeaderEpoch', folder: 'offset-for-leader-epoch', versions: [0, 4] },
  { name: 'AddPartitionsToTxn', definition: 'AddPartitionsToTxn', folder: 'add-partitions-to-txn', versions: [0, 3] },
  { name: 'AddOffsetsToTxn', definition: 'AddOffsetsToTxn', folder: 'add-offsets-to-txn', versions: [0, 3] },
  { name: 'EndTxn', definition: 'EndTxn', folder: 'end-txn', versions: [0, 3] },
  { name: 'TxnOffsetCommit', definition: 'TxnOffsetCommit', folder: 'txn-offset-commit', versions: [0, 3] },
  { name: 'DescribeConfigs', definition: 'DescribeConfigs', folder: 'describe-configs', versions: [0, 4] },
  { name: 'AlterConfigs', definition: 'AlterConfigs', folder: 'alter-configs', versions: [0, 2] },
  { name: 'SaslAuthenticate', definition: 'SaslAuthenticate', folder: 'sasl-authenticate', versions: [0, 2] },
  { name: 'CreatePartitions', definition: 'CreatePartitions', folder: 'create-partitions', versions: [0, 3] },
  { name: 'DeleteGroups', definition: 'DeleteGroups', folder: 'delete-groups', versions: [0, 2] },
  { name: 'IncrementalAlterConfigs', definition: 'IncrementalAlterConfigs', folder: 'incremental-alter-configs', versions: [0, 1] },
  { name: 'DescribeCluster', definition: 'DescribeCluster', folder: 'describe-cluster', versions: [0, 1] },
] as const satisfies ReadonlyArray<{ name: string; definition: string; folder: string; versions: readonly [number, number] }>;

export type ApiName = (typeof IMPLEMENTED)[number]['name'];
