// The postgres twin's fault points: `startup` (a new session logging in) and `query` (each simple
// Query or extended Execute), their match fields and the actions they accept, and the translation
// of an engine decision into what the session does.
import { Type, type Static } from '@sinclair/typebox';
import { CommonActions, compilePattern, delayMs, PATTERN_FORMAT, type FaultDecision, type FaultEvent, type FaultPointSpec, type UserPattern } from '../../src/core/index.ts';
import { BackendError } from './backend-error.ts';
import { QUERY_KINDS } from './query-classifier.ts';
import { resolveSqlState, SQLSTATE_NAMES } from './sqlstate.ts';

const ErrorAction = Type.Object(
  {
    sqlstate: Type.String({
      description: `a 5-character SQLSTATE or a condition name: ${SQLSTATE_NAMES.join(', ')}`,
    }),
    message: Type.Optional(Type.String()),
    detail: Type.Optional(Type.String()),
    severity: Type.Optional(Type.Union([Type.Literal('ERROR'), Type.Literal('FATAL')], { description: 'FATAL closes the session' })),
  },
  { additionalProperties: false },
);

const StartupDisconnect = Type.Object(
  { reset: Type.Optional(Type.Boolean({ description: 'send a TCP RST instead of a clean close' })) },
  { additionalProperties: false },
);

const QueryDisconnect = Type.Object(
  {
    after: Type.Optional(
      Type.Union([Type.Literal('request'), Type.Literal('partial-response')], {
        description: 'close before answering (default) or part-way through the answer',
      }),
    ),
    rows: Type.Optional(Type.Integer({ minimum: 0, description: 'with partial-response: DataRows sent before closing (default 1)' })),
    bytes: Type.Optional(Type.Integer({ minimum: 0, description: 'with partial-response: bytes of the answer sent before closing' })),
    reset: Type.Optional(Type.Boolean({ description: 'send a TCP RST instead of a clean close' })),
  },
  { additionalProperties: false },
);

export const CORRUPTIONS = ['null', 'truncate', 'garble', 'wrong-type'] as const;
const CorruptAction = Type.Object(
  {
    how: Type.Union(CORRUPTIONS.map((c) => Type.Literal(c)), {
      description: 'null a column, truncate its text, garble its bytes, or put a value of the wrong type',
    }),
    column: Type.Optional(Type.Union([Type.String(), Type.Integer({ minimum: 0 })], { description: 'name or index; default: one drawn from the rule’s rng' })),
  },
  { additionalProperties: false },
);

const RowsAction = Type.Object(
  {
    rows: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'answer these rows instead of running the query' }),
    columns: Type.Optional(Type.Array(Type.String(), { description: 'column names when rows is empty' })),
    command: Type.Optional(Type.String({ description: 'CommandComplete tag (default SELECT n)' })),
  },
  { additionalProperties: false },
);

const KindSchema = Type.Union(QUERY_KINDS.map((k) => Type.Literal(k)));

export const QueryMatch = Type.Object(
  {
    sql: Type.Optional(Type.String({ description: 'substring of the SQL text (case-insensitive)' })),
    regex: Type.Optional(Type.String({ format: PATTERN_FORMAT, description: 'regular expression (RE2, case-insensitive) found in the SQL text' })),
    kind: Type.Optional(Type.Union([KindSchema, Type.Array(KindSchema)])),
    table: Type.Optional(Type.String({ description: 'a table the statement names' })),
    inTransaction: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type QueryMatch = Static<typeof QueryMatch>;

export interface QueryEvent extends FaultEvent {
  sql: string;
  kind: string;
  table: string[];
  inTransaction: boolean;
}

/** Compiled once per rule's match (the engine checked the pattern when the rule was added). */
const patterns = new WeakMap<QueryMatch, UserPattern>();
function patternOf(match: QueryMatch & { regex: string }): UserPattern {
  let pattern = patterns.get(match);
  if (pattern === undefined) {
    pattern = compilePattern(match.regex, { ignoreCase: true, maxSize: Infinity });
    patterns.set(match, pattern);
  }
  return pattern;
}

export function matchesQuery(match: Record<string, unknown>, event: FaultEvent): boolean {
  const m = match as QueryMatch;
  const sql = String(event.sql ?? '');
  if (m.sql !== undefined && !sql.toLowerCase().includes(m.sql.toLowerCase())) return false;
  if (m.regex !== undefined && !patternOf(m as QueryMatch & { regex: string }).test(sql)) return false;
  if (m.kind !== undefined && !(Array.isArray(m.kind) ? m.kind : [m.kind]).includes(event.kind as never)) return false;
  if (m.table !== undefined && !(event.table as string[]).includes(m.table.toLowerCase()) && !(event.table as string[]).includes(m.table)) return false;
  if (m.inTransaction !== undefined && m.inTransaction !== event.inTransaction) return false;
  return true;
}

export const startupPoint: FaultPointSpec = {
  name: 'startup',
  description: 'a client logging in: StartupMessage before authentication',
  match: Type.Object(
    {
      user: Type.Optional(Type.String()),
      database: Type.Optional(Type.String()),
      application_name: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  actions: { error: ErrorAction, delay: CommonActions.delay, hang: CommonActions.hang, disconnect: StartupDisconnect },
};

export const queryPoint: FaultPointSpec = {
  name: 'query',
  description: 'each simple Query and each extended-protocol Execute',
  match: QueryMatch,
  matches: matchesQuery,
  actions: {
    error: ErrorAction,
    delay: CommonActions.delay,
    hang: CommonActions.hang,
    disconnect: QueryDisconnect,
    corrupt: CorruptAction,
    rows: RowsAction,
  },
};

/** What a session does with one statement, decided once when the statement arrives. */
export type Effect =
  | { type: 'error'; error: BackendError }
  | { type: 'delay'; ms: number }
  | { type: 'hang' }
  | { type: 'disconnect'; partial: boolean; rows?: number; bytes?: number; reset: boolean }
  | { type: 'corrupt'; how: (typeof CORRUPTIONS)[number]; column?: string | number; draw: FaultDecision['rng'] }
  | { type: 'rows'; rows: Array<Record<string, unknown>>; columns?: string[]; command?: string };

export function errorOf(params: Record<string, unknown>, defaultSeverity?: 'FATAL'): BackendError {
  const known = resolveSqlState(String(params.sqlstate));
  const severity = (params.severity as 'ERROR' | 'FATAL' | undefined) ?? defaultSeverity ?? known?.severity ?? 'ERROR';
  return BackendError.of(String(params.sqlstate), {
    severity: severity === 'ERROR' ? 'ERROR' : 'FATAL',
    ...(params.message !== undefined ? { message: String(params.message) } : {}),
    ...(params.detail !== undefined ? { detail: String(params.detail) } : {}),
  });
}

export function effectOf(decision: FaultDecision, defaultSeverity?: 'FATAL'): Effect {
  const p = decision.params;
  switch (decision.action) {
    case 'error':
      return { type: 'error', error: errorOf(p, defaultSeverity) };
    case 'delay':
      return { type: 'delay', ms: delayMs(p, () => decision.rng.next()) };
    case 'hang':
      return { type: 'hang' };
    case 'disconnect':
      return {
        type: 'disconnect',
        partial: p.after === 'partial-response',
        rows: p.rows as number | undefined,
        bytes: p.bytes as number | undefined,
        reset: p.reset === true,
      };
    case 'corrupt':
      return { type: 'corrupt', how: p.how as (typeof CORRUPTIONS)[number], column: p.column as string | number | undefined, draw: decision.rng };
    case 'rows':
      return { type: 'rows', rows: p.rows as Array<Record<string, unknown>>, columns: p.columns as string[] | undefined, command: p.command as string | undefined };
    default:
      throw new Error(`postgres: unknown action ${decision.action}`);
  }
}
