// ListPartitionReassignments (KIP-455): the reassignments in progress — none ever, as the twin
// completes each at once (see AlterPartitionReassignments).
// @see https://kafka.apache.org/protocol.html#The_Messages_ListPartitionReassignments
import { defineApi } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { listPartitionReassignmentsSpec, type ListPartitionReassignmentsRequest, type ListPartitionReassignmentsResponse } from './schema.ts';

export const listPartitionReassignmentsApi = defineApi<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>({
  spec: listPartitionReassignmentsSpec,
  handle: () => ({ throttleTimeMs: 0, errorCode: ERR.NONE, errorMessage: null, topics: [] }),
  scope: (req) => ({ topics: (req.topics ?? []).map((t) => t.name), partitions: [] }),
});
