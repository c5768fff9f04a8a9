// `superuser: true`: the twin gets a PostgreSQL server of its own (a copy of the cached cluster,
// started in a few hundred ms), where the system under test's role is a superuser. What a superuser
// may do — CREATE DATABASE, CREATE ROLE, any extension, `session_replication_role`, ALTER SYSTEM —
// then reaches no other twin, which the shared server could not promise.
//
// Names are the ones the client knows: the role is `user`, the databases are named as configured,
// and `postgres`/`template1` are the server's own; a client may name any database the server holds,
// one it created itself included, and the server answers for those it does not.
// Reset starts a fresh copy of the cluster on the same port and runs init again: the state a
// superuser can change is server-wide (roles, databases, settings), so nothing less restores it.
import pg from 'pg';
import type { Logger } from '../../src/core/index.ts';
import { InitError, quoteIdent, runInit, runSql, type InitScript, type Route, type TwinDatabase, type TwinDatabases } from './backend.ts';
import { ADMIN_USER, dedicatedServer, type EmbeddedServer } from './embedded-server.ts';

export interface DedicatedSpec {
  cacheDir: string;
  log: Logger;
  user: string;
  password: string;
  /** The database the twin's url names, then any others declared, each with its init (`field` prefixes its errors). */
  databases: Array<{ name: string; init: InitScript[]; field: string }>;
  /** The front's maxConnections: the server takes as many sessions, and a few for the twin's own. */
  maxConnections: number;
}

/** Connections past the front's limit: inspect's pool and the session-end checks. */
const OWN_CONNECTIONS = 5;

export async function dedicatedDatabases(spec: DedicatedSpec): Promise<TwinDatabases> {
  const settings = { max_connections: String(spec.maxConnections + OWN_CONNECTIONS), shared_buffers: '16MB' };
  const primaryName = spec.databases[0]?.name as string;
  let server = await dedicatedServer(spec.cacheDir, spec.log, settings);
  let pool: pg.Pool | undefined;
  const sessions = (): pg.Pool => {
    if (!pool) {
      pool = new pg.Pool({ host: server.socketDir, port: server.port, user: spec.user, database: primaryName, max: 2, allowExitOnIdle: true });
      pool.on('error', () => {}); // a reset stops the server under idle connections
    }
    return pool;
  };
  const closeSessions = async (): Promise<void> => {
    const p = pool;
    pool = undefined;
    await p?.end().catch(() => undefined);
  };
  try {
    await populate(server, spec);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const login = (database: string): Route['login'] => ({ user: spec.user, database, password: spec.password });

  const drop = async (): Promise<void> => {
    await closeSessions();
    await server.stop();
  };
  const reset = async (): Promise<void> => {
    await drop();
    server = await dedicatedServer(spec.cacheDir, spec.log, settings, server.port);
    await populate(server, spec);
  };
  const primary: TwinDatabase = {
    get target() {
      return { path: `${server.socketDir}/.s.PGSQL.${server.port}` };
    },
    login: login(primaryName),
    directUrl: `postgres://${encodeURIComponent(spec.user)}:${encodeURIComponent(spec.password)}@${server.host}:${server.port}/${encodeURIComponent(primaryName)}`,
    query: (sql, options) => runSql(sessions(), sql, options?.readOnly ?? false),
    reset,
    drop,
  };
  return {
    primary,
    route: async (database) => ({ target: primary.target, login: login(database) }),
    reset,
    drop,
  };
}

/** The twin's superuser role, its databases, and what each init makes in them (run as that role). */
async function populate(server: EmbeddedServer, spec: DedicatedSpec): Promise<void> {
  const admin = new pg.Client({ host: server.socketDir, port: server.port, user: ADMIN_USER, database: 'postgres' });
  admin.on('error', () => {});
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${quoteIdent(spec.user)} SUPERUSER LOGIN PASSWORD ${quoteLiteral(spec.password)}`);
    const existing = new Set((await admin.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map((r) => r.datname));
    for (const db of spec.databases) {
      if (!existing.has(db.name)) await admin.query(`CREATE DATABASE ${quoteIdent(db.name)} OWNER ${quoteIdent(spec.user)}`);
    }
  } finally {
    await admin.end();
  }
  for (const db of spec.databases) {
    if (db.init.length === 0) continue;
    const client = new pg.Client({ host: server.socketDir, port: server.port, user: spec.user, database: db.name });
    client.on('error', () => {});
    await client.connect();
    try {
      await runInit(client, db.init);
    } catch (error) {
      if (error instanceof InitError) throw new InitError(`${db.field}${error.field}`, error.detail);
      throw error;
    } finally {
      await client.end();
    }
  }
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
