// What `standin explore` tries against a kafka twin. A request is an interaction by its API
// (`Produce`, `Metadata`, `FindCoordinator`…), as the `request` point matches it; the journal does
// not name a request's topics, so a rule cannot single one topic out from it. The faults are the
// broker answers a client's retry logic exists for (a leader that moved, a timed-out write, a
// coordinator not ready), a connection cut before the answer, and a write whose acknowledgement is
// lost after the broker stored it — a producer that retries then writes the record twice.
import type { ExploreVocabulary, FaultCandidate, Interaction } from '../../src/core/index.ts';

/**
 * Requests left out: a client sends ApiVersions as the handshake of every connection (a cut there
 * is what a cut of its first real request already tries), and Heartbeat on a clock, so how many a
 * run sends depends on timing and their Nth occurrence is no fixed point of a run.
 */
const SKIPPED = new Set(['ApiVersions', 'Heartbeat']);

/** Error codes a broker answers each API with in normal operation (retriable ones first). */
const ERRORS: Readonly<Record<string, readonly string[]>> = {
  Produce: ['NOT_LEADER_OR_FOLLOWER', 'REQUEST_TIMED_OUT'],
  Fetch: ['NOT_LEADER_OR_FOLLOWER'],
  Metadata: ['LEADER_NOT_AVAILABLE'],
  ListOffsets: ['NOT_LEADER_OR_FOLLOWER'],
  FindCoordinator: ['COORDINATOR_NOT_AVAILABLE'],
  JoinGroup: ['NOT_COORDINATOR'],
  SyncGroup: ['REBALANCE_IN_PROGRESS'],
  OffsetFetch: ['NOT_COORDINATOR'],
  OffsetCommit: ['REBALANCE_IN_PROGRESS'],
  InitProducerId: ['COORDINATOR_NOT_AVAILABLE'],
};

/** APIs whose request changes the broker's state, so an answer lost after it ran leaves it done. */
const WRITES = new Set(['Produce', 'OffsetCommit', 'TxnOffsetCommit', 'EndTxn', 'CreateTopics', 'DeleteRecords']);

const CUT: FaultCandidate = { label: 'connection closed before the answer', class: 'disconnect', action: { disconnect: {} } };
const ANSWER_LOST: FaultCandidate = {
  label: 'acknowledgement lost after the broker applied it',
  class: 'answer-lost',
  action: { disconnect: { after: 'partial-response', bytes: 0 } },
};
const HANG: FaultCandidate = { label: 'no answer (the client’s request timeout must fire)', class: 'hang', action: { hang: {} }, cost: 'slow' };

export const kafkaExplore: ExploreVocabulary = {
  interaction(event): Interaction | undefined {
    const api = event.data?.api;
    if (event.point !== 'request' || event.type !== 'request' || typeof api !== 'string' || SKIPPED.has(api)) return undefined;
    return { point: 'request', match: { api }, label: api };
  },
  faults(interaction) {
    const api = String(interaction.match.api);
    const errors = (ERRORS[api] ?? []).map((code): FaultCandidate => ({ label: code, class: 'error', action: { error: { code } } }));
    if (!WRITES.has(api)) return [...errors, CUT];
    return [...errors, ANSWER_LOST, CUT, HANG];
  },
};
