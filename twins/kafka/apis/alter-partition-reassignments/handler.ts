// AlterPartitionReassignments (KIP-455): moves partitions to the replicas given. The twin's brokers
// share one log, so a reassignment completes at once: nothing is left to cancel (a null replica list
// answers NO_REASSIGNMENT_IN_PROGRESS) and ListPartitionReassignments shows none ongoing. Replica
// lists are checked as for CreateTopics (INVALID_REPLICA_ASSIGNMENT).
// @see https://kafka.apache.org/protocol.html#The_Messages_AlterPartitionReassignments
import { defineApi, topicScope } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { alterPartitionReassignmentsSpec, type AlterPartitionReassignmentsRequest, type AlterPartitionReassignmentsResponse } from './schema.ts';

export const alterPartitionReassignmentsApi = defineApi<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>({
  spec: alterPartitionReassignmentsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      errorCode: ERR.NONE,
      errorMessage: null,
      responses: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((rp) => {
          const answer = (errorCode: number, errorMessage: string | null = null) => ({ partitionIndex: rp.partitionIndex, errorCode, errorMessage });
          if (!ctx.cluster.partition(t.name, rp.partitionIndex)) return answer(ERR.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${t.name}-${rp.partitionIndex}.`);
          if (rp.replicas === null) return answer(ERR.NO_REASSIGNMENT_IN_PROGRESS, `No ongoing reassignment for partition ${t.name}-${rp.partitionIndex}.`);
          const why = ctx.cluster.reassign(t.name, rp.partitionIndex, rp.replicas);
          return why ? answer(ERR.INVALID_REPLICA_ASSIGNMENT, why) : answer(ERR.NONE);
        }),
      })),
    };
  },
  scope: (req) => topicScope(req.topics),
});
