// AddPartitionsToTxn (v0–v3, client to coordinator): partitions a transaction will write to.
// @see https://kafka.apache.org/protocol.html#The_Messages_AddPartitionsToTxn
import { defineApi, topicScope } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { beginTransaction } from '../../cluster/transaction-coordinator.ts';
import { addPartitionsToTxnSpec, type AddPartitionsToTxnRequest, type AddPartitionsToTxnResponse } from './schema.ts';

export const addPartitionsToTxnApi = defineApi<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  spec: addPartitionsToTxnSpec,
  handle(req, ctx) {
    const txn = ctx.cluster.producers.txnOf(req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch);
    return {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({
        name: t.name,
        resultsByPartition: t.partitions.map((partitionIndex) => {
          if (typeof txn === 'number') return { partitionIndex, partitionErrorCode: txn };
          if (!ctx.cluster.partition(t.name, partitionIndex)) return { partitionIndex, partitionErrorCode: ERR.UNKNOWN_TOPIC_OR_PARTITION };
          txn.partitions.add(`${t.name}\u0000${partitionIndex}`);
          beginTransaction(ctx.cluster, txn);
          return { partitionIndex, partitionErrorCode: ERR.NONE };
        }),
      })),
    };
  },
  errorResponse: (req, code) => ({
    resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: code })) })),
  }),
  scope: (req) => topicScope(req.v3AndBelowTopics),
});
