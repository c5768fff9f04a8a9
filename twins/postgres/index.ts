// The `postgres` twin kind: a real PostgreSQL engine (embedded from npm, or the user's own) behind
// Standin's own server side of the wire protocol, where `startup` and `query` rules act.
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { connectionPoint, defineTwinKind, hostPort, listenLinked, StandinError, type RunningTwin, type TwinContext } from '../../src/core/index.ts';
import { InitError, loadInit, quoteIdent, type InitScript, type TwinDatabase, type TwinDatabases } from './backend.ts';
import { MAINTENANCE_DATABASES, passThroughDatabases, sharedDatabases } from './database-set.ts';
import { closeDedicatedServers, dedicatedDatabases } from './dedicated-backend.ts';
import { PostgresConfigSchema, type PostgresConfig } from './config.ts';
import { closeEmbeddedBackend, embeddedBackend } from './embedded-backend.ts';
import { ADMIN_USER, shutdownEmbeddedServer } from './embedded-server.ts';
import { externalBackend } from './external-backend.ts';
import { queryPoint, startupPoint } from './faults.ts';
import { Front } from './front.ts';
import { scramSecret } from './scram.ts';
import { removeTlsIdentity, tlsIdentity } from './tls.ts';
import { sqlExpectation } from './expectations.ts';
import { postgresExplore } from './explore.ts';

export { shutdownEmbeddedServer } from './embedded-server.ts';

const postgresActions = {
  sql: {
    description: "run SQL as the twin's role (read-write) and return the last statement's rows",
    params: Type.Object({ sql: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  },
};

/** PostgreSQL's own max_connections default: the 101st concurrent session is refused, as in production. */
const DEFAULT_MAX_CONNECTIONS = 100;

function hex(ctx: TwinContext, label: string, n: number): string {
  const rng = ctx.rng(label);
  return Array.from({ length: n }, () => rng.int(16).toString(16)).join('');
}

/** A mistake in the twin's config (a bad name, an init that cannot be read or that the engine refuses): a 400 naming the field. */
function configError(ctx: TwinContext, field: string, detail: string): StandinError {
  return new StandinError('STANDIN_ERR_TWIN_CONFIG_INVALID', { twin: ctx.name, path: `.${field}`, detail });
}

/** Init errors met while provisioning, as config errors. */
async function asConfigErrors<T>(ctx: TwinContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InitError) throw configError(ctx, error.field, error.detail);
    throw error;
  }
}

interface DeclaredDatabase {
  name: string;
  /** Each script's `field` says where it sits in the config (`init[0]`, `databases[1].init[0]`). */
  init: InitScript[];
}

/** The databases the config declares, the url's first; names checked as PostgreSQL and the twin need them. */
function declaredDatabases(config: PostgresConfig, ctx: TwinContext): DeclaredDatabase[] {
  const primary = config.database ?? 'app';
  if (primary === 'template0') throw configError(ctx, 'database', 'template0 does not allow connections');
  /** An init file that cannot be read is a config error too, naming its item. */
  const load = (items: NonNullable<PostgresConfig['init']>, at: string): InitScript[] => {
    try {
      return loadInit(items, ctx.files, at);
    } catch (error) {
      if (error instanceof InitError) throw configError(ctx, error.field, error.detail);
      throw error;
    }
  };
  const out: DeclaredDatabase[] = [{ name: primary, init: load(config.init ?? [], '') }];
  (config.databases ?? []).forEach((item, i) => {
    const name = typeof item === 'string' ? item : item.name;
    const path = typeof item === 'string' ? `databases[${i}]` : `databases[${i}].name`;
    if (name === 'template0' || (MAINTENANCE_DATABASES as readonly string[]).includes(name)) {
      throw configError(ctx, path, `${name} is a database every PostgreSQL server has; a client may connect to it without declaring it`);
    }
    if (out.some((d) => d.name === name)) throw configError(ctx, path, `database ${name} is declared twice (the twin's own is ${primary})`);
    const init = typeof item === 'string' ? [] : load(item.init ?? [], `databases[${i}].`);
    out.push({ name, init });
  });
  return out;
}

/** The twin's databases, on the backend the config chose. */
async function provisionAll(config: PostgresConfig, ctx: TwinContext, declared: DeclaredDatabase[], user: string, password: string, maxConnections: number): Promise<TwinDatabases> {
  if (config.superuser) {
    if (user === ADMIN_USER) throw configError(ctx, 'user', `${ADMIN_USER} is the name of the server's own superuser; choose another`);
    return asConfigErrors(ctx, () => dedicatedDatabases({ cacheDir: ctx.cacheDir, log: ctx.log, user, password, databases: declared, maxConnections }));
  }
  if (config.backend) {
    const db = await asConfigErrors(ctx, () =>
      externalBackend(config.backend!.url).provision({ envId: ctx.envId, twin: ctx.name, init: declared[0]!.init, randomHex: (n) => hex(ctx, `db-${n}`, n) }),
    );
    return passThroughDatabases(db, declared[0]!.name);
  }
  const backend = embeddedBackend(ctx.cacheDir, ctx.log, ctx.limits.postgresTemplates);
  const provision = (name: string, init: InitScript[]): Promise<TwinDatabase> =>
    backend.provision({ envId: ctx.envId, twin: name === declared[0]!.name ? ctx.name : `${ctx.name}_${name}`, init, randomHex: (n) => hex(ctx, name === declared[0]!.name ? `db-${n}` : `db-${name}-${n}`, n) });
  const named = new Map<string, TwinDatabase>();
  try {
    for (const db of declared) named.set(db.name, await asConfigErrors(ctx, () => provision(db.name, db.init)));
  } catch (error) {
    for (const db of named.values()) await db.drop();
    throw error;
  }
  return sharedDatabases(named.get(declared[0]!.name)!, named, (name) => provision(name, []));
}

async function start(config: PostgresConfig, ctx: TwinContext): Promise<RunningTwin<typeof postgresActions>> {
  if (config.superuser && config.backend) throw configError(ctx, 'superuser', 'superuser needs a server of the twin\'s own; with backend.url the server is yours');
  if (config.databases?.length && config.backend) throw configError(ctx, 'databases', 'with backend.url the databases are on your server: name them in the client, they are reached as they are');
  const user = config.user ?? 'app';
  const declared = declaredDatabases(config, ctx);
  const database = declared[0]!.name;
  // A secret, so from crypto: a seed is written in scenario files, and no outcome depends on it.
  const password = config.password ?? randomBytes(10).toString('hex');
  const maxConnections = config.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const databases = await provisionAll(config, ctx, declared, user, password, maxConnections);
  const db = databases.primary;
  const tlsMode = config.tls ?? 'off';
  const identity = tlsMode === 'off' ? undefined : await tlsIdentity(ctx.cacheDir);
  const front = new Front({
    ctx,
    db,
    auth: config.auth ?? 'scram-sha-256',
    user,
    secret: scramSecret(password, ctx.rng('scram-salt').bytes(16)),
    route: (name) => databases.route(name),
    maxConnections,
    tls: identity && { context: identity.context, endPoint: identity.endPoint, required: tlsMode === 'required' },
  });
  let link;
  try {
    link = await listenLinked(ctx, { host: config.host, port: config.port }, (socket) => void front.accept(socket));
  } catch (error) {
    await databases.drop();
    throw error;
  }
  const address = hostPort(ctx.advertisedHost, link.port);
  // Required TLS: the url asks for it (sslmode is the one parameter libpq, pg and postgres.js all read).
  const tlsParams = tlsMode === 'required' ? '?sslmode=require' : '';
  const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${address}/${encodeURIComponent(database)}${tlsParams}`;
  ctx.journal.record({ type: 'state', summary: `postgres twin listening on ${address}`, data: { url } });

  return {
    // directUrl bypasses the front (no rules act there): for benchmarks and debugging, not for the SUT.
    endpoints: { url, directUrl: db.directUrl, ...(identity ? { sslRootCert: identity.certFile } : {}) },
    env: {
      [config.envVar ?? 'DATABASE_URL']: url,
      PGHOST: ctx.advertisedHost,
      PGPORT: String(link.port),
      PGUSER: user,
      PGPASSWORD: password,
      PGDATABASE: database,
      // The certificate as a trusted root: for libpq clients, and for Node clients that verify (pg does).
      ...(identity ? { PGSSLROOTCERT: identity.certFile, NODE_EXTRA_CA_CERTS: identity.certFile } : {}),
      ...(tlsMode === 'required' ? { PGSSLMODE: 'require' } : {}),
    },
    async inspect(q) {
      if (q && typeof q.sql === 'string') return db.query(q.sql, { readOnly: true });
      if (q && typeof q.table === 'string') {
        // From the API the limit arrives as query-string text.
        const n = Number(q.limit);
        const limit = q.limit !== undefined && Number.isInteger(n) && n >= 0 ? ` LIMIT ${n}` : '';
        return db.query(`SELECT * FROM ${q.table.split('.').map(quoteIdent).join('.')}${limit}`, { readOnly: true });
      }
      const tables = await db.query(
        "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
        { readOnly: true },
      );
      return { url, sessions: front.sessionCount, tables: tables.rows.map((r) => r.name) };
    },
    actions: {
      sql: async (params) => db.query(params.sql, { readOnly: false }),
    },
    async reset() {
      await databases.reset();
      ctx.journal.record({ type: 'state', summary: 'reset to the post-init state' });
    },
    async stop() {
      front.closeAll();
      await link.close();
      await databases.drop();
    },
  };
}

export const postgresTwin = defineTwinKind({
  kind: 'postgres',
  description: 'PostgreSQL: a real engine behind a protocol-aware fault front (pg, postgres.js, psql, any libpq client)',
  configSchema: PostgresConfigSchema,
  points: [connectionPoint, startupPoint, queryPoint],
  explore: postgresExplore,
  expectations: [sqlExpectation],
  actions: postgresActions,
  start,
  async shutdown() {
    await closeEmbeddedBackend();
    await closeDedicatedServers();
    await shutdownEmbeddedServer();
    await removeTlsIdentity();
  },
});
