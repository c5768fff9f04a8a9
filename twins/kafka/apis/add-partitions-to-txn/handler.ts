// AddPartitionsToTxn (v0–v3, client to coordinator): partitions a transaction will write to. As
// Kafka's broker does, a request naming a partition it may not add adds none: the partitions of a
// topic the principal may not WRITE get TOPIC_AUTHORIZATION_FAILED, those of no topic
// UNKNOWN_TOPIC_OR_PARTITION, and the rest OPERATION_NOT_ATTEMPTED. Before that the transactional
// id needs WRITE (TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition).
// @see https://kafka.apache.org/protocol.html#The_Messages_AddPartitionsToTxn
import { allowed, defineApi, denyUnless, topicScope } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { beginTransaction } from '../../cluster/transaction-coordinator.ts';
import { addPartitionsToTxnSpec, type AddPartitionsToTxnRequest, type AddPartitionsToTxnResponse } from './schema.ts';

export const addPartitionsToTxnApi = defineApi<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  spec: addPartitionsToTxnSpec,
  handle(req, ctx) {
    const txn = ctx.cluster.producers.txnOf(req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch);
    const refusal = (topic: string, partition: number): number | undefined => {
      if (!allowed(ctx, OPERATION.WRITE, RESOURCE.TOPIC, topic)) return ERR.TOPIC_AUTHORIZATION_FAILED;
      return ctx.cluster.partition(topic, partition) ? undefined : ERR.UNKNOWN_TOPIC_OR_PARTITION;
    };
    const anyRefused = req.v3AndBelowTopics.some((t) => t.partitions.some((p) => refusal(t.name, p) !== undefined));
    const codeOf = (topic: string, partitionIndex: number): number => {
      if (anyRefused) return refusal(topic, partitionIndex) ?? ERR.OPERATION_NOT_ATTEMPTED;
      if (typeof txn === 'number') return txn;
      txn.partitions.add(`${topic}\u0000${partitionIndex}`);
      beginTransaction(ctx.cluster, txn);
      return ERR.NONE;
    };
    return {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({
        name: t.name,
        resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: codeOf(t.name, partitionIndex) })),
      })),
    };
  },
  errorResponse: (req, code) => ({
    resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: code })) })),
  }),
  scope: (req) => topicScope(req.v3AndBelowTopics),
  denied: (req, ctx) => denyUnless(ctx, OPERATION.WRITE, RESOURCE.TRANSACTIONAL_ID, [req.v3AndBelowTransactionalId], ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
});
