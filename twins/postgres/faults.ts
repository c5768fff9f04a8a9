// The postgres twin's fault points: `startup` (a new session logging in) and `query` (each simple
// Query or extended Execute), their match fields and the actions they accept. What a fired `query`
// rule does to the answer is query-effects.ts.
import { Type, type Static } from '@sinclair/typebox';
import { CommonActions, compilePattern, definePoint, matchFields, PATTERN_FORMAT, type UserPattern } from '../../src/core/index.ts';
import { BackendError } from './backend-error.ts';
import { QUERY_KINDS, type QueryKind } from './query-classifier.ts';
import { resolveSqlState, SQLSTATE_NAMES } from './sqlstate.ts';

export const ErrorAction = Type.Object(
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
    bytes: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: "with partial-response: bytes of the query's answer (RowDescription, DataRows, CommandComplete, ReadyForQuery…) sent before the cut; default half, never all of it",
      }),
    ),
    rows: Type.Optional(Type.Integer({ minimum: 0, description: 'postgres only, with partial-response and no bytes: cut after this many DataRows instead' })),
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

export type QueryEvent = {
  sql: string;
  kind: QueryKind;
  table: string[];
  inTransaction: boolean;
};

export type StartupEvent = {
  user: string;
  database: string;
  application_name: string;
};

/** Compiled once per rule's match (the engine checked the pattern when the rule was added). */
const patterns = new WeakMap<QueryMatch, UserPattern>();
function patternOf(match: QueryMatch, regex: string): UserPattern {
  let pattern = patterns.get(match);
  if (pattern === undefined) {
    pattern = compilePattern(regex, { ignoreCase: true, maxSize: Infinity });
    patterns.set(match, pattern);
  }
  return pattern;
}

export function matchesQuery(m: QueryMatch, event: QueryEvent): boolean {
  const { sql } = event;
  if (m.sql !== undefined && !sql.toLowerCase().includes(m.sql.toLowerCase())) return false;
  if (m.regex !== undefined && !patternOf(m, m.regex).test(sql)) return false;
  if (m.kind !== undefined && !(Array.isArray(m.kind) ? m.kind : [m.kind]).includes(event.kind)) return false;
  if (m.table !== undefined && !event.table.includes(m.table.toLowerCase()) && !event.table.includes(m.table)) return false;
  if (m.inTransaction !== undefined && m.inTransaction !== event.inTransaction) return false;
  return true;
}

export const startupPoint = definePoint({
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
  matches: (match, event: StartupEvent) => matchFields(match, event),
});

export const queryPoint = definePoint({
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
});

export function errorOf(params: Static<typeof ErrorAction>, defaultSeverity?: 'FATAL'): BackendError {
  const severity = params.severity ?? defaultSeverity ?? resolveSqlState(params.sqlstate)?.severity ?? 'ERROR';
  return BackendError.of(params.sqlstate, {
    severity: severity === 'ERROR' ? 'ERROR' : 'FATAL',
    ...(params.message !== undefined ? { message: params.message } : {}),
    ...(params.detail !== undefined ? { detail: params.detail } : {}),
  });
}
