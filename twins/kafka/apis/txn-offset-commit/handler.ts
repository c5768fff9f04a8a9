// TxnOffsetCommit: offsets held with the transaction, applied to the group when it commits.
// @see https://kafka.apache.org/protocol.html#The_Messages_TxnOffsetCommit
import { defineApi, topicScope } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { txnOffsetCommitSpec, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from './schema.ts';

export const txnOffsetCommitApi = defineApi<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  spec: txnOffsetCommitSpec,
  handle(req, ctx) {
    const txn = ctx.cluster.producers.txnOf(req.transactionalId, req.producerId, req.producerEpoch);
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (typeof txn === 'number') return { partitionIndex: p.partitionIndex, errorCode: txn };
          txn.pendingOffsets.push({ group: req.groupId, topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata });
          return { partitionIndex: p.partitionIndex, errorCode: ERR.NONE };
        }),
      })),
    };
  },
  errorResponse: (req, code) => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) })),
  }),
  scope: (req) => ({ ...topicScope(req.topics), group: req.groupId }),
});
