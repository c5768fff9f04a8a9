// The default backend: a database per twin in the process's shared embedded server.
//
// Templates: the state an `init` leaves is built once per process, per distinct init text, into a
// template database owned by a NOLOGIN template role; every twin with that init is a clone of it
// (CREATE DATABASE … TEMPLATE), so creating a twin runs no init SQL when one like it ran before.
// Each twin has its own login role, member of the template role (so it owns what init made), owner
// of its database; PUBLIC loses CONNECT on every twin and template database, so one twin's role
// cannot open another twin's database.
//
// Reset: each twin keeps a spare clone made in the background; reset ends the twin's sessions and
// swaps the spare in by renaming (milliseconds), then drops the old one and makes the next spare in
// the background.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../src/core/index.ts';
import { quoteIdent, runInit, runSql, type InitScript, type PostgresBackend, type ProvisionSpec, type TwinDatabase } from './backend.ts';
import { ADMIN_USER, embeddedServer, type EmbeddedServer } from './embedded-server.ts';

interface Admin {
  server: EmbeddedServer;
  pool: pg.Pool;
  templates: Map<string, Promise<Template>>;
}

interface Template {
  database: string;
  owner: string;
  /** Clones made ahead of demand (owned by the template role), so creating a twin is a rename. */
  ready: string[];
  filling?: Promise<void>;
  made: number;
}

/** How many spare clones each template keeps ready for the next twin created with it. */
const READY_CLONES = 2;

let admin: Promise<Admin> | undefined;
let provisioned = 0;

function adminOf(cacheDir: string, log: Logger): Promise<Admin> {
  admin ??= (async () => {
    const server = await embeddedServer(cacheDir, log);
    const pool = new pg.Pool({ host: server.socketDir, port: server.port, user: ADMIN_USER, database: 'postgres', max: 4, allowExitOnIdle: true });
    pool.on('error', () => {}); // idle admin connections die with the server at exit
    // Twins' roles have no business in the maintenance database.
    await pool.query('REVOKE CONNECT ON DATABASE postgres FROM PUBLIC');
    return { server, pool, templates: new Map() };
  })().catch((error: unknown) => {
    admin = undefined;
    throw error;
  });
  return admin;
}

/** Ends the admin connections, before the server itself stops. */
export async function closeEmbeddedBackend(): Promise<void> {
  const a = admin;
  admin = undefined;
  await (await a?.catch(() => undefined))?.pool.end().catch(() => undefined);
}

function slug(text: string, max: number): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, max) || 'x';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The template for an init, built on first use; a failed build is forgotten so a fix can retry. */
function templateFor(a: Admin, init: readonly InitScript[]): Promise<Template> {
  const hash = createHash('sha256').update(JSON.stringify(init.map((s) => s.sql))).digest('hex').slice(0, 16);
  let template = a.templates.get(hash);
  if (!template) {
    template = buildTemplate(a, hash, init);
    a.templates.set(hash, template);
    template.catch(() => a.templates.delete(hash));
  }
  return template;
}

async function buildTemplate(a: Admin, hash: string, init: readonly InitScript[]): Promise<Template> {
  const owner = `st_tpl_${hash}`;
  const database = `st_tpl_${hash}`;
  const q = (sql: string): Promise<pg.QueryResult> => a.pool.query(sql);
  await q(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
  await q(`DO $$ BEGIN CREATE ROLE ${quoteIdent(owner)} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  try {
    await q(`CREATE DATABASE ${quoteIdent(database)} OWNER ${quoteIdent(owner)}`);
    await q(`REVOKE ALL ON DATABASE ${quoteIdent(database)} FROM PUBLIC`);
    const client = new pg.Client({ host: a.server.socketDir, port: a.server.port, user: ADMIN_USER, database });
    await client.connect();
    try {
      // Init runs as the template role, so what it creates is owned by that role.
      await client.query(`SET SESSION AUTHORIZATION ${quoteIdent(owner)}`);
      await runInit(client, init);
    } finally {
      await client.end();
    }
    // Nobody may connect to the template, so cloning it never waits on a session.
    await q(`ALTER DATABASE ${quoteIdent(database)} ALLOW_CONNECTIONS false`);
    return { database, owner, ready: [], made: 0 };
  } catch (error) {
    await q(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`).catch(() => undefined);
    await q(`DROP ROLE IF EXISTS ${quoteIdent(owner)}`).catch(() => undefined);
    throw error;
  }
}

/** Starts making clones in the background until `READY_CLONES` wait; never throws. */
function refill(a: Admin, template: Template): void {
  if (template.filling) return;
  template.filling = (async () => {
    while (template.ready.length < READY_CLONES) {
      const name = `${template.database}_r${++template.made}`;
      await a.pool.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template.database)} OWNER ${quoteIdent(template.owner)} STRATEGY FILE_COPY`);
      await a.pool.query(`REVOKE ALL ON DATABASE ${quoteIdent(name)} FROM PUBLIC`);
      template.ready.push(name);
    }
  })()
    .catch(() => undefined)
    .finally(() => {
      template.filling = undefined;
    });
}

/** A ready clone renamed to `name` and given to `role`, or undefined when none is ready. */
async function takeReady(a: Admin, template: Template, name: string, role: string): Promise<boolean> {
  const ready = template.ready.shift();
  refill(a, template);
  if (!ready) return false;
  try {
    await a.pool.query(`ALTER DATABASE ${quoteIdent(ready)} RENAME TO ${quoteIdent(name)}`);
    await a.pool.query(`ALTER DATABASE ${quoteIdent(name)} OWNER TO ${quoteIdent(role)}`);
    return true;
  } catch {
    await a.pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`).catch(() => undefined);
    return false;
  }
}

export function embeddedBackend(cacheDir: string, log: Logger): PostgresBackend {
  return {
    async provision(spec: ProvisionSpec): Promise<TwinDatabase> {
      const a = await adminOf(cacheDir, log);
      const template = await templateFor(a, spec.init);
      // Seeded names, plus a per-process counter so equal seeds in one process never collide.
      const base = `st_${slug(spec.envId, 16)}_${slug(spec.twin, 16)}_${spec.randomHex(6)}${++provisioned}`;
      const role = base;
      const database = base;
      const password = spec.randomHex(24);
      const q = (sql: string): Promise<pg.QueryResult> => a.pool.query(sql);
      let generation = 0;
      /** A fresh clone under `name`, locked to the twin's role. */
      const clone = async (name: string): Promise<void> => {
        await q(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template.database)} OWNER ${quoteIdent(role)} STRATEGY FILE_COPY`);
        await q(`REVOKE ALL ON DATABASE ${quoteIdent(name)} FROM PUBLIC`);
      };

      await q(`CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '${password}' IN ROLE ${quoteIdent(template.owner)}`);
      try {
        if (!(await takeReady(a, template, database, role))) await clone(database);
      } catch (error) {
        await q(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => undefined);
        throw error;
      }

      let spare: Promise<string | undefined> | undefined;
      const makeSpare = (): void => {
        const name = `${database}_s${++generation}`;
        spare = clone(name).then(
          () => name,
          () => undefined,
        );
      };
      makeSpare();
      let dropping: Promise<unknown> = Promise.resolve();

      let twinPool: pg.Pool | undefined;
      const sessions = (): pg.Pool => {
        if (!twinPool) {
          twinPool = new pg.Pool({ host: a.server.socketDir, port: a.server.port, user: role, database, max: 2, allowExitOnIdle: true });
          twinPool.on('error', () => {}); // reset terminates idle connections on purpose
        }
        return twinPool;
      };
      const closeSessions = async (): Promise<void> => {
        const p = twinPool;
        twinPool = undefined;
        await p?.end().catch(() => undefined);
      };

      /** Renames the twin's database away once its sessions are gone; false if they will not go. */
      const moveAside = async (to: string): Promise<boolean> => {
        for (let attempt = 0; attempt < 200; attempt++) {
          await q(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`);
          try {
            await q(`ALTER DATABASE ${quoteIdent(database)} RENAME TO ${quoteIdent(to)}`);
            return true;
          } catch (error) {
            if ((error as { code?: string }).code !== '55006') throw error; // object_in_use: sessions still exiting
            await sleep(5);
          }
        }
        return false;
      };

      return {
        target: { path: `${a.server.socketDir}/.s.PGSQL.${a.server.port}` },
        login: { user: role, database, password },
        directUrl: `postgres://${role}:${password}@${a.server.host}:${a.server.port}/${database}`,
        query: (sql, options) => runSql(sessions(), sql, options?.readOnly ?? false),
        async reset() {
          await closeSessions();
          const ready = await spare;
          const old = `${database}_old${generation}`;
          if (ready && (await moveAside(old))) {
            await q(`ALTER DATABASE ${quoteIdent(ready)} RENAME TO ${quoteIdent(database)}`);
            dropping = dropping.then(() => q(`DROP DATABASE IF EXISTS ${quoteIdent(old)} WITH (FORCE)`).catch(() => undefined));
          } else {
            // No spare (its clone failed): the slow, sure way.
            await q(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
            await clone(database);
            if (ready) await q(`DROP DATABASE IF EXISTS ${quoteIdent(ready)}`).catch(() => undefined);
          }
          makeSpare();
        },
        async drop() {
          await closeSessions();
          const last = await spare;
          await dropping;
          for (const name of [database, last]) {
            if (name) await q(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch(() => undefined);
          }
          await q(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => undefined);
        },
      };
    },
  };
}
