// TxnOffsetCommit: offsets held with the transaction, applied to the group when it commits. Checked
// in Kafka 3.9's order: the group's coordinator; then the transaction, as the broker verifies it with
// the transaction coordinator (transaction.partition.verification.enable, on by default) — an
// unknown transactional id or producer id INVALID_PRODUCER_ID_MAPPING, an old epoch
// INVALID_PRODUCER_EPOCH, a group whose offsets the transaction did not add (AddOffsetsToTxn)
// INVALID_TXN_STATE; then the member and generation (v3+) the client names, when it names them.
// A release before that check (2.8, RELEASE_FACTS) answers NONE without it; offsets of a transaction
// the coordinator does not know, or of a group it did not add, stay pending and are never applied.
// With an authorizer, first: WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
// READ on the group (GROUP_AUTHORIZATION_FAILED), and READ on each topic (TOPIC_AUTHORIZATION_FAILED
// for that topic's partitions, the others served).
// @see https://kafka.apache.org/protocol.html#The_Messages_TxnOffsetCommit
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-890%3A+Transactions+Server-Side+Defense
import { allowed, defineApi, denyUnless, topicScope, type RequestContext } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { notCoordinator } from '../join-group/handler.ts';
import { RELEASE_FACTS } from '../../kafka-version.ts';
import { txnOffsetCommitSpec, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from './schema.ts';

export const txnOffsetCommitApi = defineApi<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  spec: txnOffsetCommitSpec,
  handle(req, ctx) {
    const txn = ctx.cluster.producers.txnOf(req.transactionalId, req.producerId, req.producerEpoch);
    const open = typeof txn !== 'number' && txn.state === 'Ongoing' && txn.groups.has(req.groupId) ? txn : undefined;
    const verified = RELEASE_FACTS[ctx.versions.kafkaVersion].txnOffsetCommitVerified;
    let errorCode: number = ERR.NONE;
    if (req.groupId === '') errorCode = ERR.INVALID_GROUP_ID;
    else if (notCoordinator(ctx, req.groupId)) errorCode = ERR.NOT_COORDINATOR;
    else if (verified && typeof txn === 'number') errorCode = txn;
    else if (verified && !open) errorCode = ERR.INVALID_TXN_STATE;
    else errorCode = memberCheck(ctx, req);
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (!allowed(ctx, OPERATION.READ, RESOURCE.TOPIC, t.name)) return { partitionIndex: p.partitionIndex, errorCode: ERR.TOPIC_AUTHORIZATION_FAILED };
          if (errorCode === ERR.NONE && open) {
            open.pendingOffsets.push({ group: req.groupId, topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata });
          }
          return { partitionIndex: p.partitionIndex, errorCode };
        }),
      })),
    };
  },
  errorResponse: (req, code) => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) })),
  }),
  scope: (req) => ({ ...topicScope(req.topics), group: req.groupId }),
  denied: (req, ctx) =>
    denyUnless(ctx, OPERATION.WRITE, RESOURCE.TRANSACTIONAL_ID, [req.transactionalId], ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) ??
    denyUnless(ctx, OPERATION.READ, RESOURCE.GROUP, [req.groupId], ERR.GROUP_AUTHORIZATION_FAILED),
});

/** v3+ (KIP-447): a named member must be in the group, a named generation its current one. */
function memberCheck(ctx: RequestContext, req: TxnOffsetCommitRequest): number {
  const group = ctx.cluster.groups.group(req.groupId);
  if (req.memberId !== '' && !group?.members.has(req.memberId)) return ERR.UNKNOWN_MEMBER_ID;
  if (req.generationId >= 0 && req.generationId !== (group?.generationId ?? -1)) return ERR.ILLEGAL_GENERATION;
  return ERR.NONE;
}
