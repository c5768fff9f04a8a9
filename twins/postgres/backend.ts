// The seam between the front and the PostgreSQL that answers: a backend provisions one database per
// twin and says how to reach it. Embedded (the shared npm server) and external (`backend.url`) are
// here; a container backend plugs in the same way.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { FileAccess } from '../../src/core/index.ts';
import { statementStarts } from './sql-statements.ts';
import type { UpstreamTarget } from './upstream.ts';

export interface InitScript {
  /** The config field it came from, for errors: `init[1]`. */
  field: string;
  /** The file it was read from, if any. */
  file?: string;
  sql: string;
}

/**
 * An init item that could not be read, or that PostgreSQL refused: a mistake in the twin's config,
 * answered with the field (`init[1]`), and for SQL its position, message and SQLSTATE.
 */
export class InitError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

export interface SqlResult {
  command: string;
  rowCount: number | null;
  fields: string[];
  rows: Array<Record<string, unknown>>;
}

export interface TwinDatabase {
  /** Where each client session's upstream connects, and as whom. */
  target: UpstreamTarget;
  login: { user: string; database: string; password?: string };
  /** A URL straight to the real database, bypassing the front (benchmarks, debugging). */
  directUrl: string;
  /** Runs SQL as the twin's own role; read-only in a transaction that is rolled back. */
  query(sql: string, options?: { readOnly?: boolean }): Promise<SqlResult>;
  /** Back to the post-init state; open sessions are terminated. */
  reset(): Promise<void>;
  drop(): Promise<void>;
}

/** Where a client's session goes upstream, and as whom. */
export type Route = Pick<TwinDatabase, 'target' | 'login'>;

/**
 * Every database a twin serves: the one its url names (`primary`), and those a client may name in
 * its startup packet instead (`databases`, `postgres`, `template1`).
 */
export interface TwinDatabases {
  primary: TwinDatabase;
  /** The route for a database name a client asked for; undefined when the twin has none by that name. */
  route(database: string): Promise<Route | undefined>;
  /** Every database back to its post-init state. */
  reset(): Promise<void>;
  drop(): Promise<void>;
}

export interface ProvisionSpec {
  envId: string;
  twin: string;
  init: InitScript[];
  /** Seeded: the names of the twin's database and role (their password comes from crypto). */
  randomHex(n: number): string;
}

export interface PostgresBackend {
  provision(spec: ProvisionSpec): Promise<TwinDatabase>;
}

export type InitItem = string | { file: string } | { sql: string };

/**
 * `init` items: inline SQL, or a path to a .sql file (a string ending in .sql with no whitespace).
 * `at` is where the list sits in the config (`databases[1].`), for the fields errors name.
 */
export function loadInit(items: readonly InitItem[], files: FileAccess, at = ''): InitScript[] {
  return items.map((item, i) => {
    const field = `${at}init[${i}]`;
    if (typeof item === 'string' && !/\.sql$/i.test(item.trim())) return { field, sql: item };
    if (typeof item === 'string' && /\s/.test(item.trim())) return { field, sql: item };
    if (typeof item === 'object' && 'sql' in item) return { field, sql: item.sql };
    const file = typeof item === 'string' ? item.trim() : item.file;
    const path = files.resolve(file, field);
    try {
      return { field, file, sql: readFileSync(path, 'utf8') };
    } catch (error) {
      throw new InitError(field, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  });
}

/**
 * Runs the init scripts in order on one connection. A script PostgreSQL refuses is an InitError
 * with where it failed: the line and column PostgreSQL points at, or, when its error has no position
 * (a constraint violation, an error raised at run time), the failing statement's number and where it
 * begins, counted from the statements that completed. A file's text is not quoted back (the quoted
 * names and values in PostgreSQL's message are elided): a client may name a file it cannot read, and
 * the answer must not become a way to read it.
 */
export async function runInit(client: pg.Client, scripts: readonly InitScript[]): Promise<void> {
  let completed = 0;
  const onComplete = (): void => {
    completed++;
  };
  client.connection.on('commandComplete', onComplete);
  try {
    for (const script of scripts) {
      completed = 0;
      try {
        await client.query(script.sql);
      } catch (error) {
        if (!(error instanceof pg.DatabaseError)) throw error; // the server or the connection failed, not the script
        const message = script.file ? error.message.replace(/"(?:[^"]|"")*"/g, '"…"') : error.message;
        throw new InitError(script.field, `${script.file ? `${script.file} ` : ''}${where(script.sql, error, completed)}${message} (SQLSTATE ${error.code})`);
      }
    }
  } finally {
    client.connection.off('commandComplete', onComplete);
  }
}

function where(sql: string, error: pg.DatabaseError, completed: number): string {
  if (error.position) return `${lineColumn(sql, Number(error.position))}: `;
  const start = statementStarts(sql)[completed];
  return start === undefined ? '' : `statement ${completed + 1} (${lineColumn(sql, start + 1)}): `;
}

function lineColumn(text: string, position: number): string {
  // PostgreSQL's position counts characters from 1.
  const before = [...text].slice(0, Math.max(0, position - 1)).join('');
  const lines = before.split('\n');
  return `line ${lines.length}, column ${(lines.at(-1)?.length ?? 0) + 1}`;
}

export function toSqlResult(result: pg.QueryResult | pg.QueryResult[]): SqlResult {
  const last = Array.isArray(result) ? (result.at(-1) as pg.QueryResult) : result;
  return {
    command: last.command,
    rowCount: last.rowCount,
    fields: (last.fields ?? []).map((f) => f.name),
    rows: last.rows as Array<Record<string, unknown>>,
  };
}

export async function runSql(pool: pg.Pool, sql: string, readOnly: boolean): Promise<SqlResult> {
  const client = await pool.connect();
  try {
    if (!readOnly) return toSqlResult(await client.query(sql));
    await client.query('BEGIN TRANSACTION READ ONLY');
    try {
      return toSqlResult(await client.query(sql));
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
