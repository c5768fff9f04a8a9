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
//
// Warm start: once a process has started one such twin, it keeps one server started ahead, with an
// empty database made in it (CREATE DATABASE is the slow part after the server's own start); the
// next twin renames that database to its own and creates its role, in tens of milliseconds.
import pg from 'pg';
import type { Logger } from '../../src/core/index.ts';
import { quoteIdent, runInit, runSql, type InitScript, type Route, type TwinDatabase, type TwinDatabases } from './backend.ts';
import { ADMIN_USER, dedicatedServer, type EmbeddedServer } from './embedded-server.ts';

export interface DedicatedSpec {
  cacheDir: string;
  log: Logger;
  user: string;
  password: string;
  /** The database the twin's url names, then any others declared, each with its init. */
  databases: Array<{ name: string; init: InitScript[] }>;
  /** The front's maxConnections: the server takes as many sessions, and a few for the twin's own. */
  maxConnections: number;
}

/** Connections past the front's limit: inspect's pool and the session-end checks. */
const OWN_CONNECTIONS = 5;
/** max_connections of a server started ahead: enough for a twin with the default maxConnections (100). */
const AHEAD_CONNECTIONS = 100 + OWN_CONNECTIONS;
/** The empty database a server started ahead holds, renamed to a twin's when it is handed out. */
const SPARE_DATABASE = 'standin_spare';

interface Prepared {
  server: EmbeddedServer;
  connections: number;
  /** The name of an empty database ready to be renamed. */
  spare: string;
  /** A superuser session already open (a new backend costs a fork and a login): `populate` ends it. */
  admin: pg.Client;
}

let ahead: Promise<Prepared> | undefined;

async function prepare(cacheDir: string, log: Logger, connections: number, port?: number): Promise<Prepared> {
  const server = await dedicatedServer(cacheDir, log, { max_connections: String(connections), shared_buffers: '16MB' }, port);
  const admin = new pg.Client({ host: server.socketDir, port: server.port, user: ADMIN_USER, database: 'postgres' });
  admin.on('error', () => {}); // a server gone mid-way fails the query
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${SPARE_DATABASE} STRATEGY FILE_COPY`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    await server.stop();
    throw error;
  }
  return { server, connections, spare: SPARE_DATABASE, admin };
}

/** A server for a new twin: the one started ahead when it fits, else one started now; then the next is started ahead. */
async function take(cacheDir: string, log: Logger, connections: number): Promise<Prepared> {
  const waiting = ahead;
  ahead = undefined;
  const ready = await waiting?.catch(() => undefined);
  let prepared: Prepared;
  if (ready && ready.connections >= connections) prepared = ready;
  else {
    await ready?.admin.end().catch(() => undefined);
    await ready?.server.stop();
    prepared = await prepare(cacheDir, log, connections);
  }
  ahead ??= prepare(cacheDir, log, AHEAD_CONNECTIONS);
  ahead.catch(() => undefined); // a failed one is noticed by the next take, which starts its own
  return prepared;
}

/** Stops the server started ahead (the twin kind's shutdown). */
export async function closeDedicatedServers(): Promise<void> {
  const waiting = ahead;
  ahead = undefined;
  const ready = await waiting?.catch(() => undefined);
  await ready?.admin.end().catch(() => undefined);
  await ready?.server.stop();
}

export async function dedicatedDatabases(spec: DedicatedSpec): Promise<TwinDatabases> {
  const connections = Math.max(AHEAD_CONNECTIONS, spec.maxConnections + OWN_CONNECTIONS);
  const primaryName = spec.databases[0]?.name as string;
  const first = await take(spec.cacheDir, spec.log, connections);
  let server = first.server;
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
    await populate(first, spec);
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
    // On the same port, so the directUrl handed out stays good.
    const fresh = await prepare(spec.cacheDir, spec.log, connections, server.port);
    server = fresh.server;
    await populate(fresh, spec);
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

/**
 * The twin's superuser role, its databases (the spare, when there is one, renamed to the first that
 * does not exist yet), and what each init makes in them, run as that role.
 */
async function populate({ server, admin, spare }: Prepared, spec: DedicatedSpec): Promise<void> {
  try {
    await admin.query(`CREATE ROLE ${quoteIdent(spec.user)} SUPERUSER LOGIN PASSWORD ${quoteLiteral(spec.password)}`);
    const existing = new Set((await admin.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map((r) => r.datname));
    let unused: string | undefined = spare;
    for (const db of spec.databases) {
      if (existing.has(db.name)) continue;
      if (unused) await admin.query(`ALTER DATABASE ${quoteIdent(unused)} RENAME TO ${quoteIdent(db.name)}; ALTER DATABASE ${quoteIdent(db.name)} OWNER TO ${quoteIdent(spec.user)}`);
      else await admin.query(`CREATE DATABASE ${quoteIdent(db.name)} OWNER ${quoteIdent(spec.user)} STRATEGY FILE_COPY`);
      unused = undefined;
    }
    if (unused && !spec.databases.some((db) => db.name === unused)) await admin.query(`DROP DATABASE ${quoteIdent(unused)}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  for (const db of spec.databases) {
    if (db.init.length === 0) continue;
    const client = new pg.Client({ host: server.socketDir, port: server.port, user: spec.user, database: db.name });
    client.on('error', () => {});
    await client.connect();
    try {
      await runInit(client, db.init);
    } finally {
      await client.end();
    }
  }
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
