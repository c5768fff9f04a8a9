// Issue 11 item 6: a postgres twin's credentials (`url` through the front, `directUrl` straight to
// the shared server) reach its own database only. Environment A's twin lists every database and
// role of the shared server through its own connection, and tries to open, write into, take over or
// reopen each of them; a later environment B with the same init starts clean, and A's rows do not
// survive A's reset.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

const init = ['CREATE TABLE items (id int PRIMARY KEY, note text)', "INSERT INTO items VALUES (1, 'from init')"];
let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane();
});

afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
  await postgresTwin.shutdown?.();
});

/** A new environment with one postgres twin `db`: its id, token and endpoints. */
async function environment(): Promise<{ id: string; token: string; url: string; directUrl: string }> {
  const env = await cp.createEnv({ twins: { db: { kind: 'postgres', init } } });
  return { id: env.id, token: env.token, url: env.twins.db.endpoints.url, directUrl: env.twins.db.endpoints.directUrl };
}

async function client(url: string, database?: string): Promise<pg.Client> {
  const target = new URL(url);
  if (database !== undefined) target.pathname = `/${encodeURIComponent(database)}`;
  const c = new pg.Client({ connectionString: target.href, connectionTimeoutMillis: 5_000 });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** What a session opened on `database` with these credentials could do there; undefined if it could not open. */
async function tryWrite(url: string, database: string): Promise<string | undefined> {
  let c: pg.Client;
  try {
    c = await client(url, database);
  } catch {
    return undefined;
  }
  const done: string[] = ['connected'];
  for (const sql of ["INSERT INTO items VALUES (666, 'planted')", 'CREATE TABLE planted (x int)']) {
    await c.query(sql).then(
      () => done.push(sql),
      () => undefined,
    );
  }
  await c.end();
  return done.join('; ');
}

const rows = async (c: pg.Client): Promise<unknown[]> => (await c.query('SELECT id, note FROM items ORDER BY id')).rows;

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('postgres isolation between twins of one server', () => {
  it("a twin's url and directUrl reach its own database only; a later environment with the same init starts clean; reset forgets", async () => {
    const a = await environment();
    const { directUrl, url } = a;
    const own = await client(directUrl);
    const me = (await own.query('SELECT current_database() AS db, current_user AS role')).rows[0] as { db: string; role: string };
    // The clones made in the background for A's reset and for the next twins are what A must not reach.
    await until(async () => {
      const names = (await own.query('SELECT datname FROM pg_database')).rows.map((r) => r.datname as string);
      return names.includes(`${me.db}_s1`) && names.some((n) => /_r\d+$/.test(n));
    });
    const databases = (await own.query('SELECT datname FROM pg_database ORDER BY 1')).rows.map((r) => r.datname as string);
    const others = databases.filter((d) => d !== me.db);
    expect(others.length).toBeGreaterThan(3);

    const reached: Record<string, string> = {};
    for (const database of others) {
      const direct = await tryWrite(directUrl, database);
      if (direct) reached[`directUrl → ${database}`] = direct;
      // Through the front these two names are the twin's own empty databases, not the server's (issue 14 item 2).
      const front = ['postgres', 'template1'].includes(database) ? undefined : await tryWrite(url, database);
      if (front) reached[`url → ${database}`] = front;
    }
    expect(reached).toEqual({});

    // Nor through the catalog: reopening a database, taking it over, or borrowing another role.
    const escalated: string[] = [];
    for (const database of others) {
      for (const sql of [`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`, `ALTER DATABASE "${database}" OWNER TO CURRENT_USER`]) {
        await own.query(sql).then(
          () => escalated.push(sql),
          () => undefined,
        );
      }
    }
    const roles = (await own.query("SELECT rolname FROM pg_roles WHERE rolname <> current_user AND rolname NOT LIKE 'pg\\_%'")).rows.map((r) => r.rolname as string);
    for (const role of roles) {
      await own.query(`SET ROLE "${role}"`).then(
        () => escalated.push(`SET ROLE ${role}`),
        () => undefined,
      );
      await own.query('RESET ROLE').catch(() => undefined);
    }
    expect(escalated).toEqual([]);
    // (A GRANT by a non-owner only warns.) What the catalog says A may open: its own database only.
    const grant = (database: string): Promise<unknown> => own.query(`GRANT CONNECT ON DATABASE "${database}" TO CURRENT_USER`).catch(() => undefined);
    for (const database of others) await grant(database);
    const openable = await own.query('SELECT datname FROM pg_database WHERE datallowconn AND has_database_privilege(datname, $1)', ['CONNECT']);
    expect(openable.rows.map((r) => r.datname)).toEqual([me.db]);

    // A owns what init made in its own database, as init's author did.
    await own.query("INSERT INTO items VALUES (2, 'from A')");
    await own.query('ALTER TABLE items ADD COLUMN extra int');
    await own.end();

    const b = await environment();
    const bClient = await client(b.url);
    expect(await rows(bClient)).toEqual([{ id: 1, note: 'from init' }]);
    expect((await bClient.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'planted'")).rows[0].n).toBe(0);
    await bClient.end();

    expect((await cp.call('POST', `/environments/${a.id}/reset`, { token: a.token })).status).toBe(200);
    const afterReset = await client(url);
    expect(await rows(afterReset)).toEqual([{ id: 1, note: 'from init' }]);
    await afterReset.end();
  }, 120_000);
});
