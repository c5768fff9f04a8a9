// The default backend: a database per twin in the process's shared embedded server.
//
// Templates: the state an `init` leaves is built once per process, per distinct init text, into a
// template database; init runs as a NOLOGIN template role, so what it creates has an owner that is
// neither the superuser nor any twin. Every twin with that init is a clone of it (CREATE DATABASE …
// TEMPLATE), so creating a twin runs no init SQL when one like it ran before. At most
// `postgresTemplates` templates are kept; past that the least recently used one no twin is using is
// dropped with its ready clones.
//
// Isolation: a twin's credentials (through the front or `directUrl`) reach its own database only.
// - No twin role is a member of any other role, and the template role owns no database.
// - Clones are made closed to connections, PUBLIC loses CONNECT, and while they wait (ready clones,
//   a twin's spare) the superuser owns them: no twin role can open them. Inside a clone, the
//   template role's objects are reassigned (REASSIGN OWNED, in the background) to the role that will
//   own them, so the twin role owns its tables as init's author did.
// - A database is handed to its twin role (ALTER DATABASE … OWNER) only when it becomes the twin's.
// - The maintenance databases (postgres, template1) lose PUBLIC's CONNECT; template0 takes none.
//
// Creating a twin: a ready clone comes with a NOLOGIN role that already owns its objects; the
// hand-out renames both and gives the role LOGIN and a password, in one transaction.
// Reset: each twin keeps a spare clone made in the background; reset ends the twin's sessions and
// swaps the spare in by renaming (milliseconds), then drops the old one and makes the next spare in
// the background.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { announceIfSlow, type Logger } from '../../src/core/index.ts';
import { quoteIdent, runInit, runSql, type InitScript, type PostgresBackend, type ProvisionSpec, type TwinDatabase } from './backend.ts';
import { ADMIN_USER, embeddedServer, type EmbeddedServer } from './embedded-server.ts';

interface Admin {
  server: EmbeddedServer;
  pool: pg.Pool;
  /** Least recently used first (a use moves a template to the end). */
  templates: Map<string, TemplateEntry>;
  /** Templates being dropped: a rebuild of the same init waits for the drop (same names). */
  evicting: Map<string, Promise<void>>;
}

interface TemplateEntry {
  built: Promise<Template>;
  /** Live twins cloned from it (and provisions in flight): a template in use is never evicted. */
  users: number;
}

interface Template {
  database: string;
  owner: string;
  /** Clones made ahead of demand, each named like the NOLOGIN role that owns its objects. */
  ready: string[];
  filling?: Promise<void>;
  made: number;
  evicted: boolean;
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
    // Twins' roles have no business in the maintenance databases (template0 allows no connections).
    await pool.query('REVOKE CONNECT ON DATABASE postgres FROM PUBLIC; REVOKE CONNECT ON DATABASE template1 FROM PUBLIC');
    return { server, pool, templates: new Map(), evicting: new Map() };
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

/**
 * The template for an init, built on first use and counted as used until `release`; a failed
 * build is forgotten so a fix can retry.
 */
function useTemplate(a: Admin, init: readonly InitScript[], limit: number): { built: Promise<Template>; release: () => void } {
  const hash = createHash('sha256').update(JSON.stringify(init.map((s) => s.sql))).digest('hex').slice(0, 16);
  let entry = a.templates.get(hash);
  if (entry) {
    a.templates.delete(hash); // most recently used goes last
  } else {
    const built = (a.evicting.get(hash) ?? Promise.resolve()).then(() =>
      announceIfSlow('postgres: building the template database of an init (once per distinct init)', () => buildTemplate(a, hash, init)),
    );
    entry = { built, users: 0 };
    built.then(
      () => evictIdle(a, limit),
      () => {
        if (a.templates.get(hash) === entry) a.templates.delete(hash);
      },
    );
  }
  a.templates.set(hash, entry);
  const used = entry;
  used.users++;
  let released = false;
  return {
    built: used.built,
    release: () => {
      if (released) return;
      released = true;
      used.users--;
      if (used.users === 0) evictIdle(a, limit);
    },
  };
}

/** Drops least recently used templates no twin uses while there are more than `limit`. */
function evictIdle(a: Admin, limit: number): void {
  for (const [hash, entry] of a.templates) {
    if (a.templates.size <= limit) return;
    if (entry.users > 0) continue;
    a.templates.delete(hash);
    const dropped = entry.built
      .then((template) => dropTemplate(a, template))
      .catch(() => undefined)
      .finally(() => {
        if (a.evicting.get(hash) === dropped) a.evicting.delete(hash);
      });
    a.evicting.set(hash, dropped);
  }
}

async function dropTemplate(a: Admin, template: Template): Promise<void> {
  template.evicted = true;
  await template.filling;
  const q = (sql: string): Promise<unknown> => a.pool.query(sql).catch(() => undefined);
  for (const name of template.ready.splice(0)) {
    await q(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await q(`DROP ROLE IF EXISTS ${quoteIdent(name)}`);
  }
  await q(`DROP DATABASE IF EXISTS ${quoteIdent(template.database)} WITH (FORCE)`);
  // Fails, harmlessly, if init left something of the role's in twins' clones (default privileges).
  await q(`DROP ROLE IF EXISTS ${quoteIdent(template.owner)}`);
}

async function buildTemplate(a: Admin, hash: string, init: readonly InitScript[]): Promise<Template> {
  const owner = `st_tpl_${hash}`;
  const database = `st_tpl_${hash}`;
  const q = (sql: string): Promise<pg.QueryResult> => a.pool.query(sql);
  await q(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
  await q(`DO $$ BEGIN CREATE ROLE ${quoteIdent(owner)} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  try {
    // Owned by the template role while init runs, so init may create in schema public as a
    // database owner would; opened to connections only once PUBLIC has lost CONNECT.
    await q(`CREATE DATABASE ${quoteIdent(database)} OWNER ${quoteIdent(owner)} ALLOW_CONNECTIONS false`);
    await q(`REVOKE ALL ON DATABASE ${quoteIdent(database)} FROM PUBLIC; ALTER DATABASE ${quoteIdent(database)} ALLOW_CONNECTIONS true`);
    const client = new pg.Client({ host: a.server.socketDir, port: a.server.port, user: ADMIN_USER, database });
    client.on('error', () => {}); // a server gone mid-init fails the query below
    await client.connect();
    try {
      // Init runs as the template role, so what it creates is owned by that role.
      await client.query(`SET SESSION AUTHORIZATION ${quoteIdent(owner)}`);
      await runInit(client, init);
    } finally {
      await client.end();
    }
    // The template role keeps its objects but owns no database (an owner could reopen it). Nobody
    // may connect to the template, so cloning it never waits on a session.
    await q(`ALTER DATABASE ${quoteIdent(database)} OWNER TO CURRENT_USER; ALTER DATABASE ${quoteIdent(database)} ALLOW_CONNECTIONS false`);
    return { database, owner, ready: [], made: 0, evicted: false };
  } catch (error) {
    await q(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`).catch(() => undefined);
    await q(`DROP ROLE IF EXISTS ${quoteIdent(owner)}`).catch(() => undefined);
    throw error;
  }
}

/**
 * A clone of the template under `name` whose objects `role` owns, and which no twin role can open
 * yet: created closed to connections (PUBLIC has CONNECT on a new database until the REVOKE),
 * owned by the superuser.
 */
async function prepareClone(a: Admin, template: Template, name: string, role: string): Promise<void> {
  const q = (sql: string): Promise<unknown> => a.pool.query(sql);
  await q(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template.database)} STRATEGY FILE_COPY ALLOW_CONNECTIONS false`);
  try {
    await q(`REVOKE ALL ON DATABASE ${quoteIdent(name)} FROM PUBLIC; ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS true`);
    const client = new pg.Client({ host: a.server.socketDir, port: a.server.port, user: ADMIN_USER, database: name });
    client.on('error', () => {}); // a server gone mid-way fails the query below
    await client.connect();
    try {
      await client.query(`REASSIGN OWNED BY ${quoteIdent(template.owner)} TO ${quoteIdent(role)}`);
    } finally {
      await client.end();
    }
  } catch (error) {
    await q(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch(() => undefined);
    throw error;
  }
}

/** A ready clone and its NOLOGIN owner role, both named `name`. */
async function makeReady(a: Admin, template: Template): Promise<string> {
  const name = `${template.database}_r${++template.made}`;
  await a.pool.query(`CREATE ROLE ${quoteIdent(name)} NOLOGIN`);
  try {
    await prepareClone(a, template, name, name);
  } catch (error) {
    await a.pool.query(`DROP ROLE IF EXISTS ${quoteIdent(name)}`).catch(() => undefined);
    throw error;
  }
  return name;
}

/** Starts making clones in the background until `READY_CLONES` wait; never throws. */
function refill(a: Admin, template: Template): void {
  if (template.filling) return;
  template.filling = (async () => {
    while (template.ready.length < READY_CLONES && !template.evicted) template.ready.push(await makeReady(a, template));
  })()
    .catch(() => undefined)
    .finally(() => {
      template.filling = undefined;
    });
}

/**
 * A clone for a new twin, as `name` with its login role `name`: a ready one when there is one
 * (one transaction of renames), else one made now.
 */
async function handOut(a: Admin, template: Template, name: string, password: string): Promise<void> {
  const ready = template.ready.shift() ?? (await makeReady(a, template));
  refill(a, template);
  try {
    await a.pool.query(
      [
        `ALTER ROLE ${quoteIdent(ready)} RENAME TO ${quoteIdent(name)}`,
        `ALTER ROLE ${quoteIdent(name)} LOGIN PASSWORD '${password}'`,
        `ALTER DATABASE ${quoteIdent(ready)} RENAME TO ${quoteIdent(name)}`,
        `ALTER DATABASE ${quoteIdent(name)} OWNER TO ${quoteIdent(name)}`,
      ].join('; '),
    );
  } catch (error) {
    await a.pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(ready)} WITH (FORCE)`).catch(() => undefined);
    await a.pool.query(`DROP ROLE IF EXISTS ${quoteIdent(ready)}`).catch(() => undefined);
    throw error;
  }
}

export function embeddedBackend(cacheDir: string, log: Logger, templateLimit: number): PostgresBackend {
  return {
    async provision(spec: ProvisionSpec): Promise<TwinDatabase> {
      const a = await adminOf(cacheDir, log);
      const used = useTemplate(a, spec.init, templateLimit);
      let template: Template;
      // Seeded names, plus a per-process counter so equal seeds in one process never collide.
      const base = `st_${slug(spec.envId, 16)}_${slug(spec.twin, 16)}_${spec.randomHex(6)}${++provisioned}`;
      const role = base;
      const database = base;
      // A secret of a role on a server every environment shares: from crypto, not the seed.
      const password = randomBytes(12).toString('hex');
      try {
        template = await used.built;
        await handOut(a, template, database, password);
      } catch (error) {
        used.release();
        throw error;
      }
      const q = (sql: string): Promise<pg.QueryResult> => a.pool.query(sql);
      let generation = 0;

      /** Gives the twin's role a prepared clone, now named as the twin's database. */
      const install = (name: string): Promise<unknown> =>
        q(`ALTER DATABASE ${quoteIdent(name)} RENAME TO ${quoteIdent(database)}; ALTER DATABASE ${quoteIdent(database)} OWNER TO ${quoteIdent(role)}`);

      // The spare is the superuser's until reset installs it: the twin's role cannot write into it.
      let spare: Promise<string | undefined> | undefined;
      const makeSpare = (): void => {
        const name = `${database}_s${++generation}`;
        spare = prepareClone(a, template, name, role).then(
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
            await install(ready);
            dropping = dropping.then(() => q(`DROP DATABASE IF EXISTS ${quoteIdent(old)} WITH (FORCE)`).catch(() => undefined));
          } else {
            // No spare (its clone failed): the slow, sure way.
            await q(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
            const fresh = `${database}_f${generation}`;
            await prepareClone(a, template, fresh, role);
            await install(fresh);
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
          used.release();
        },
      };
    },
  };
}
