// The SQLSTATEs Standin answers with, by code: condition name, severity it carries by default, and
// PostgreSQL's own message text, so an injected error reads like the real one.
// @see https://www.postgresql.org/docs/current/errcodes-appendix.html

export const SQLSTATE = {
  '08P01': { name: 'protocol_violation', severity: 'FATAL', message: 'invalid frontend message type' },
  '0A000': { name: 'feature_not_supported', severity: 'FATAL', message: 'unsupported frontend protocol' },
  '23505': { name: 'unique_violation', severity: 'ERROR', message: 'duplicate key value violates unique constraint' },
  '25006': { name: 'read_only_sql_transaction', severity: 'ERROR', message: 'cannot execute statement in a read-only transaction' },
  '25P02': { name: 'in_failed_sql_transaction', severity: 'ERROR', message: 'current transaction is aborted, commands ignored until end of transaction block' },
  '28000': { name: 'invalid_authorization_specification', severity: 'FATAL', message: 'role does not exist' },
  '28P01': { name: 'invalid_password', severity: 'FATAL', message: 'password authentication failed' },
  '3D000': { name: 'invalid_catalog_name', severity: 'FATAL', message: 'database does not exist' },
  '40001': { name: 'serialization_failure', severity: 'ERROR', message: 'could not serialize access due to concurrent update' },
  '40P01': { name: 'deadlock_detected', severity: 'ERROR', message: 'deadlock detected' },
  '53300': { name: 'too_many_connections', severity: 'FATAL', message: 'sorry, too many clients already' },
  '55P03': { name: 'lock_not_available', severity: 'ERROR', message: 'could not obtain lock on row in relation' },
  '57014': { name: 'query_canceled', severity: 'ERROR', message: 'canceling statement due to user request' },
  '57P01': { name: 'admin_shutdown', severity: 'FATAL', message: 'terminating connection due to administrator command' },
  '57P03': { name: 'cannot_connect_now', severity: 'FATAL', message: 'the database system is starting up' },
  XX000: { name: 'internal_error', severity: 'ERROR', message: 'internal error' },
} as const;

export type KnownSqlState = keyof typeof SQLSTATE;
export type Severity = 'ERROR' | 'FATAL' | 'PANIC';

const byName: ReadonlyMap<string, KnownSqlState> = new Map(
  (Object.keys(SQLSTATE) as KnownSqlState[]).map((code) => [SQLSTATE[code].name, code]),
);

/** Accepts a 5-character SQLSTATE or a condition name (`serialization_failure`). */
export function resolveSqlState(codeOrName: string): { code: string; name?: string; severity: Severity; message: string } | undefined {
  const code = byName.get(codeOrName) ?? codeOrName;
  if (!/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const known = (SQLSTATE as Record<string, { name: string; severity: Severity; message: string }>)[code];
  return known ? { code, ...known } : { code, severity: 'ERROR', message: `injected error ${code}` };
}

export const SQLSTATE_NAMES: readonly string[] = [...byName.keys()];
