// CreatePartitions: grows a topic to `count` partitions, on the replicas the client assigns (each
// checked: the number of new partitions, known brokers, no broker twice, the topic's replication
// factor) or spread over the brokers; within the twin's partition limits (INVALID_PARTITIONS past
// kafkaPartitionsPerTopic, POLICY_VIOLATION past kafkaPartitionsPerCluster).
// @see https://kafka.apache.org/protocol.html#The_Messages_CreatePartitions
import { defineApi } from '../api.ts';
import { ERR, errorName } from '../../protocol/error-codes.ts';
import { createPartitionsSpec, type CreatePartitionsRequest, type CreatePartitionsResponse } from './schema.ts';

export const createPartitionsApi = defineApi<CreatePartitionsRequest, CreatePartitionsResponse>({
  spec: createPartitionsSpec,
  handle(req, ctx) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => {
        if ((counts.get(t.name) ?? 0) > 1) return { name: t.name, errorCode: ERR.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' };
        const assignments = t.assignments?.map((a) => a.brokerIds) ?? null;
        const outcome = req.validateOnly ? ctx.cluster.checkAddPartitions(t.name, t.count, assignments) : ctx.cluster.addPartitions(t.name, t.count, assignments);
        return { name: t.name, ...outcome };
      }),
    };
  },
  errorResponse: (req, code) => ({ results: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: errorName(code) })) }),
  scope: (req) => ({ topics: req.topics.map((t) => t.name), partitions: [] }),
});
