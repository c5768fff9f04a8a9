// The `postgres` twin kind: a real PostgreSQL engine (embedded from npm, or the user's own) behind
// Standin's own server side of the wire protocol, where `startup` and `query` rules act.
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { connectionPoint, defineTwinKind, hostPort, listenLinked, StandinError, type RunningTwin, type TwinContext } from '../../src/core/index.ts';
import { InitError, loadInit, quoteIdent, type PostgresBackend, type TwinDatabase } from './backend.ts';
import { PostgresConfigSchema, type PostgresConfig } from './config.ts';
import { closeEmbeddedBackend, embeddedBackend } from './embedded-backend.ts';
import { shutdownEmbeddedServer } from './embedded-server.ts';
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

/** The twin's database; an init that cannot be read or that the engine refuses is a config mistake (a 400 naming the field). */
async function provision(backend: PostgresBackend, config: PostgresConfig, ctx: TwinContext): Promise<TwinDatabase> {
  try {
    return await backend.provision({
      envId: ctx.envId,
      twin: ctx.name,
      init: loadInit(config.init ?? [], ctx.files),
      randomHex: (n) => hex(ctx, `db-${n}`, n),
    });
  } catch (error) {
    if (error instanceof InitError) throw new StandinError('STANDIN_ERR_TWIN_CONFIG_INVALID', { twin: ctx.name, path: `.${error.field}`, detail: error.detail });
    throw error;
  }
}

async function start(config: PostgresConfig, ctx: TwinContext): Promise<RunningTwin<typeof postgresActions>> {
  const backend: PostgresBackend = config.backend ? externalBackend(config.backend.url) : embeddedBackend(ctx.cacheDir, ctx.log, ctx.limits.postgresTemplates);
  const db = await provision(backend, config, ctx);
  const user = config.user ?? 'app';
  const database = config.database ?? 'app';
  // A secret, so from crypto: a seed is written in scenario files, and no outcome depends on it.
  const password = config.password ?? randomBytes(10).toString('hex');
  const tlsMode = config.tls ?? 'off';
  const identity = tlsMode === 'off' ? undefined : await tlsIdentity(ctx.cacheDir);
  const front = new Front({
    ctx,
    db,
    auth: config.auth ?? 'scram-sha-256',
    user,
    secret: scramSecret(password, ctx.rng('scram-salt').bytes(16)),
    databases: new Set([database, db.login.database]),
    maxConnections: config.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    tls: identity && { context: identity.context, required: tlsMode === 'required' },
  });
  let link;
  try {
    link = await listenLinked(ctx, { host: config.host, port: config.port }, (socket) => void front.accept(socket));
  } catch (error) {
    await db.drop();
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
      await db.reset();
      ctx.journal.record({ type: 'state', summary: 'reset to the post-init state' });
    },
    async stop() {
      front.closeAll();
      await link.close();
      await db.drop();
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
    await shutdownEmbeddedServer();
    removeTlsIdentity();
  },
});
