// `superuser: true`: the system under test logs in as a superuser of a PostgreSQL server of the
// twin's own. What test fixtures do with it (replica mode, triggers off, extensions, databases and
// roles of their own) runs against the twin and against a real server where the role is a
// superuser, with the same assertions; faults act as on any twin; nothing reaches the shared server.
// Also: the trusted extensions of the embedded build, created by an ordinary role, twin and real.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { startRealServer, type RealServer } from './fixtures/real-server.ts';

const INIT = [
  `CREATE TABLE audit (note text);
   CREATE TABLE orders (id int PRIMARY KEY);
   CREATE FUNCTION log_order() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES ('order ' || NEW.id); RETURN NEW; END $$;
   CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION log_order();`,
];

let su: TwinHarness;
let plain: TwinHarness;
let realSu: RealServer;
let realPlain: RealServer;

beforeAll(async () => {
  [realSu, realPlain, plain] = await Promise.all([
    startRealServer({ ssl: false, password: 'pw', superuser: true }),
    startRealServer({ ssl: false, password: 'pw' }),
    startTwin(postgresTwin, { password: 'pw' }, { name: 'plain' }),
  ]);
  su = await startTwin(postgresTwin, { superuser: true, password: 'pw', init: INIT }, { name: 'su' });
  await withClient(realSu.url, (c) => c.query(INIT.join(';')));
}, 180_000);
afterAll(async () => {
  await Promise.all([su?.stop(), plain?.stop(), realSu?.stop(), realPlain?.stop()]);
});

function urlOf(h: TwinHarness, database = 'app'): string {
  const url = new URL(h.twin.endpoints.url as string);
  url.pathname = `/${database}`;
  return url.href;
}

async function withClient<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

/** What a fixture does as a superuser; the answers a client sees. */
async function superuserFixture(url: (database: string) => string): Promise<unknown[]> {
  const out: unknown[] = [];
  await withClient(url('app'), async (c) => {
    out.push((await c.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).rows);
    await c.query('SET session_replication_role = replica');
    await c.query('INSERT INTO orders VALUES (1)'); // no trigger fires in replica mode
    await c.query('SET session_replication_role = DEFAULT');
    await c.query('ALTER TABLE orders DISABLE TRIGGER ALL');
    await c.query('INSERT INTO orders VALUES (2)');
    await c.query('ALTER TABLE orders ENABLE TRIGGER ALL');
    await c.query('INSERT INTO orders VALUES (3)');
    out.push((await c.query('SELECT note FROM audit')).rows);
    await c.query('CREATE EXTENSION hstore');
    await c.query('CREATE EXTENSION postgres_fdw'); // not trusted: a superuser only
    out.push((await c.query("SELECT ('a=>1'::hstore) -> 'a' AS a")).rows);
    await c.query("CREATE ROLE reporting LOGIN PASSWORD 'r'");
  });
  await withClient(url('postgres'), (c) => c.query('CREATE DATABASE made_by_fixture'));
  out.push(await withClient(url('made_by_fixture'), (c) => c.query('SELECT current_database() AS db').then((r) => r.rows)));
  return out;
}

describe('superuser: true', () => {
  it("gives the system under test a superuser, as a real server's", async () => {
    const expected = [[{ rolsuper: true }], [{ note: 'order 3' }], [{ a: '1' }], [{ db: 'made_by_fixture' }]];
    expect({ twin: await superuserFixture((db) => urlOf(su, db)) }).toEqual({ twin: expected });
    expect({ real: await superuserFixture((db) => `postgres://app:pw@${realSu.host}:${realSu.port}/${db}`) }).toEqual({ real: expected });
  });

  it('starts the next superuser twin warm, on the server started ahead', async () => {
    const began = performance.now();
    const next = await startTwin(postgresTwin, { superuser: true, password: 'pw' }, { name: 'su-next' });
    const ms = performance.now() - began;
    try {
      expect(await withClient(urlOf(next), (c) => c.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user').then((r) => r.rows))).toEqual([{ rolsuper: true }]);
    } finally {
      await next.stop();
    }
    // The README's figure, with the machine's load beside it (no assertion on time: the machine is shared).
    console.log(`superuser twin warm start: ${Math.round(ms)} ms at load ${(await import('node:os')).loadavg()[0]?.toFixed(1)}`);
  });

  it('keeps what the superuser did on its own server, out of the shared one', async () => {
    const shared = await withClient(urlOf(plain), (c) => c.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'reporting'").then((r) => r.rows));
    expect(shared).toEqual([{ n: 0 }]);
    expect(su.twin.endpoints.directUrl).not.toContain(`:${new URL(plain.twin.endpoints.directUrl as string).port}/`);
  });

  it('applies faults as on any twin', async () => {
    su.addRule({ point: 'query', match: { sql: 'FROM orders' }, action: { error: { sqlstate: '40001' } } });
    su.addRule({ point: 'startup', match: { database: 'made_by_fixture' }, action: { error: { sqlstate: '57P03' } } });
    try {
      await withClient(urlOf(su), async (c) => {
        await expect(c.query('SELECT id FROM orders')).rejects.toMatchObject({ code: '40001' });
      });
      await expect(withClient(urlOf(su, 'made_by_fixture'), async () => undefined)).rejects.toMatchObject({ code: '57P03' });
    } finally {
      su.faults.clear();
    }
  });

  it('resets the whole server to the post-init state', async () => {
    await su.twin.reset();
    await withClient(urlOf(su), async (c) => {
      expect((await c.query('SELECT count(*)::int AS n FROM orders')).rows).toEqual([{ n: 0 }]);
      expect((await c.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'reporting'")).rows).toEqual([{ n: 0 }]);
      expect((await c.query("SELECT count(*)::int AS n FROM pg_database WHERE datname = 'made_by_fixture'")).rows).toEqual([{ n: 0 }]);
    });
    expect(await su.twin.inspect({ sql: 'SELECT count(*)::int AS n FROM audit' })).toMatchObject({ rows: [{ n: 0 }] });
  });
});

describe('trusted extensions for an ordinary role', () => {
  // The trusted extensions the embedded build ships whose libraries load here (plperl and pltcl
  // need a Perl/Tcl the package does not carry), and one untrusted extension.
  const TRUSTED = ['pgcrypto', 'uuid-ossp', 'citext', 'hstore', 'pg_trgm', 'btree_gin', 'btree_gist', 'cube', 'fuzzystrmatch', 'intarray', 'isn', 'lo', 'ltree', 'seg', 'tablefunc', 'tcn', 'tsm_system_rows', 'tsm_system_time', 'unaccent', 'dict_int'];

  it('creates each, as on a real server where the role owns its database; postgres_fdw stays a superuser\'s', async () => {
    for (const [name, url] of [
      ['twin', urlOf(plain)],
      ['real', realPlain.url],
    ] as const) {
      const answers = await withClient(url, async (c) => {
        const out: string[] = [];
        for (const ext of [...TRUSTED, 'postgres_fdw']) {
          out.push(await c.query(`CREATE EXTENSION "${ext}"`).then(() => `${ext} ok`, (e: { code?: string }) => `${ext} ${e.code}`));
        }
        const uses = await c.query("SELECT length(gen_salt('bf')) > 0 AS pgcrypto, uuid_generate_v4() IS NOT NULL AS uuid, 'A'::citext = 'a' AS citext, similarity('word', 'words') > 0 AS trgm");
        return [out, uses.rows];
      });
      expect({ [name]: answers }).toEqual({
        [name]: [[...TRUSTED.map((e) => `${e} ok`), 'postgres_fdw 42501'], [{ pgcrypto: true, uuid: true, citext: true, trgm: true }]],
      });
    }
  });
});
