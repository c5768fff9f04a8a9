// What `standin explore` tries against a postgres twin. A statement is an interaction by its kind
// and the first table it names (`UPDATE orders`, `COMMIT`), as the `query` point matches them, so
// the second COMMIT of a run is the second occurrence of one interaction. The faults are the ones
// PostgreSQL clients are told to expect: a transaction aborted by a conflict (retry it), the server
// going away, and the answer lost after a write or COMMIT ran (did it happen or not?).
import type { ExploreVocabulary, FaultCandidate, Interaction } from '../../src/core/index.ts';
import { classifyQueryCached, QUERY_KINDS, type QueryKind } from './query-classifier.ts';

const CONFLICTS: FaultCandidate[] = [
  { label: '40001 serialization_failure', class: 'error', action: { error: { sqlstate: '40001' } } },
  { label: '40P01 deadlock_detected', class: 'error', action: { error: { sqlstate: '40P01' } } },
];

const SERVER_GONE: FaultCandidate[] = [
  { label: '57P01 admin_shutdown (session closed)', class: 'error', action: { error: { sqlstate: '57P01' } } },
  { label: 'connection lost before the answer (08006)', class: 'disconnect', action: { disconnect: {} } },
];

/** The statement ran; the client receives none of its answer. */
const ANSWER_LOST: FaultCandidate = {
  label: 'answer lost after the statement ran',
  class: 'answer-lost',
  action: { disconnect: { after: 'partial-response', bytes: 0 } },
};

const HANG: FaultCandidate = { label: 'no answer', class: 'hang', action: { hang: {} }, cost: 'slow' };

/** Statements whose effect outlives a lost answer. */
const WRITES: ReadonlySet<QueryKind> = new Set(['insert', 'update', 'delete', 'copy', 'ddl', 'commit']);

function faultsFor(kind: QueryKind): FaultCandidate[] {
  if (WRITES.has(kind)) return [...CONFLICTS, ...SERVER_GONE, ANSWER_LOST, HANG];
  if (kind === 'select') return [...SERVER_GONE, HANG];
  // BEGIN, ROLLBACK and the like do nothing a conflict could abort; the server can still go away.
  return SERVER_GONE;
}

export const postgresExplore: ExploreVocabulary = {
  interaction(event): Interaction | undefined {
    const sql = event.data?.sql;
    if (event.point !== 'query' || event.type !== 'query' || typeof sql !== 'string') return undefined;
    const { kind, tables } = classifyQueryCached(sql);
    const table = tables[0];
    if (table !== undefined) return { point: 'query', match: { kind, table }, label: `${kind.toUpperCase()} ${table}` };
    if (kind !== 'select' && kind !== 'other') return { point: 'query', match: { kind }, label: kind.toUpperCase() };
    // No table to tell it apart (`select 1`, `set …`): the statement's own text does. The journal
    // keeps the first 2,000 characters, ended with `...` when it cut.
    const text = (sql.endsWith('...') ? sql.slice(0, -3) : sql).trim();
    return { point: 'query', match: { kind, sql: text }, label: text.length > 40 ? `${text.slice(0, 37)}...` : text };
  },
  faults(interaction) {
    return faultsFor(QUERY_KINDS.find((kind) => kind === interaction.match.kind) ?? 'other');
  },
};
