// Every API the twin answers, by key. ApiVersions advertises exactly these ranges.
import type { ApiHandler } from './api.ts';
import { addOffsetsToTxnApi } from './add-offsets-to-txn/handler.ts';
import { addPartitionsToTxnApi } from './add-partitions-to-txn/handler.ts';
import { alterConfigsApi } from './alter-configs/handler.ts';
import { alterPartitionReassignmentsApi } from './alter-partition-reassignments/handler.ts';
import { apiVersionsApi } from './api-versions/handler.ts';
import { createAclsApi } from './create-acls/handler.ts';
import { createPartitionsApi } from './create-partitions/handler.ts';
import { consumerGroupDescribeApi } from './consumer-group-describe/handler.ts';
import { consumerGroupHeartbeatApi } from './consumer-group-heartbeat/handler.ts';
import { createTopicsApi } from './create-topics/handler.ts';
import { deleteAclsApi } from './delete-acls/handler.ts';
import { deleteGroupsApi } from './delete-groups/handler.ts';
import { deleteRecordsApi } from './delete-records/handler.ts';
import { deleteTopicsApi } from './delete-topics/handler.ts';
import { describeAclsApi } from './describe-acls/handler.ts';
import { describeClusterApi } from './describe-cluster/handler.ts';
import { describeConfigsApi } from './describe-configs/handler.ts';
import { describeGroupsApi } from './describe-groups/handler.ts';
import { endTxnApi } from './end-txn/handler.ts';
import { fetchApi } from './fetch/handler.ts';
import { findCoordinatorApi } from './find-coordinator/handler.ts';
import { heartbeatApi } from './heartbeat/handler.ts';
import { incrementalAlterConfigsApi } from './incremental-alter-configs/handler.ts';
import { initProducerIdApi } from './init-producer-id/handler.ts';
import { joinGroupApi } from './join-group/handler.ts';
import { leaveGroupApi } from './leave-group/handler.ts';
import { listGroupsApi } from './list-groups/handler.ts';
import { listOffsetsApi } from './list-offsets/handler.ts';
import { listPartitionReassignmentsApi } from './list-partition-reassignments/handler.ts';
import { metadataApi } from './metadata/handler.ts';
import { offsetCommitApi } from './offset-commit/handler.ts';
import { offsetFetchApi } from './offset-fetch/handler.ts';
import { offsetForLeaderEpochApi } from './offset-for-leader-epoch/handler.ts';
import { produceApi } from './produce/handler.ts';
import { saslAuthenticateApi } from './sasl-authenticate/handler.ts';
import { saslHandshakeApi } from './sasl-handshake/handler.ts';
import { syncGroupApi } from './sync-group/handler.ts';
import { txnOffsetCommitApi } from './txn-offset-commit/handler.ts';

const handlers: ApiHandler[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  saslHandshakeApi,
  apiVersionsApi,
  createTopicsApi,
  deleteTopicsApi,
  deleteRecordsApi,
  initProducerIdApi,
  offsetForLeaderEpochApi,
  addPartitionsToTxnApi,
  addOffsetsToTxnApi,
  endTxnApi,
  txnOffsetCommitApi,
  describeAclsApi,
  createAclsApi,
  deleteAclsApi,
  describeConfigsApi,
  alterConfigsApi,
  saslAuthenticateApi,
  createPartitionsApi,
  deleteGroupsApi,
  incrementalAlterConfigsApi,
  alterPartitionReassignmentsApi,
  listPartitionReassignmentsApi,
  describeClusterApi,
  consumerGroupHeartbeatApi,
  consumerGroupDescribeApi,
];

export const REGISTRY: ReadonlyMap<number, ApiHandler> = new Map(handlers.map((h) => [h.spec.apiKey, h]));
