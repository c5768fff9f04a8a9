// The postgres twin with no rules must be indistinguishable from PostgreSQL for real clients:
// node `pg` (simple, extended, named statements, a Pool of 20), postgres.js pipelining, psql.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const execFileAsync = promisify(execFile);

const SCHEMA = `
  CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL);
  INSERT INTO accounts SELECT g, 'owner' || g, 100 FROM generate_series(1, 20) g;
  CREATE TABLE notes (id serial PRIMARY KEY, body text);
`;

let h: TwinHarness;
let url: string;

beforeAll(async () => {
  h = await startTwin(postgresTwin, { init: [SCHEMA] }, { seed: 3 });
  url = h.twin.endpoints.url as string;
});
afterAll(async () => {
  await h?.stop();
});

async function withClient<T>(fn: (c: pg.Client) => Promise<T>, config: pg.ClientConfig = {}): Promise<T> {
  const c = new pg.Client({ connectionString: url, ...config });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('node pg', () => {
  it('runs simple queries, multi-statement strings and reports command tags', async () => {
    await withClient(async (c) => {
      const r = await c.query('SELECT count(*)::int AS n, sum(balance)::int AS total FROM accounts');
      expect(r.rows).toEqual([{ n: 20, total: 2000 }]);
      const multi = (await c.query("INSERT INTO notes (body) VALUES ('a'); UPDATE notes SET body = 'b'")) as unknown as pg.QueryResult[];
      expect(multi.map((x) => x.command)).toEqual(['INSERT', 'UPDATE']);
    });
  });

  it('runs extended queries with parameters and named prepared statements', async () => {
    await withClient(async (c) => {
      expect((await c.query('SELECT owner FROM accounts WHERE id = $1', [7])).rows).toEqual([{ owner: 'owner7' }]);
      for (const id of [1, 2, 3]) {
        const r = await c.query({ name: 'by-id', text: 'SELECT id, balance FROM accounts WHERE id = $1', values: [id] });
        expect(r.rows).toEqual([{ id, balance: 100 }]);
      }
      const stmts = await c.query("SELECT name FROM pg_prepared_statements WHERE name = 'by-id'");
      expect(stmts.rowCount).toBe(1);
    });
  });

  it('reports real errors with their SQLSTATE and keeps the session usable', async () => {
    await withClient(async (c) => {
      await expect(c.query('SELECT * FROM missing_table')).rejects.toMatchObject({ code: '42P01' });
      await expect(c.query('INSERT INTO accounts VALUES ($1, $2, $3)', [1, 'dup', 0])).rejects.toMatchObject({ code: '23505' });
      expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    });
  });

  it('gives 20 pooled clients each its own transaction with real isolation', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 20 });
    try {
      const clients = await Promise.all(Array.from({ length: 20 }, () => pool.connect()));
      await Promise.all(clients.map((c) => c.query('BEGIN ISOLATION LEVEL REPEATABLE READ')));
      await Promise.all(clients.map((c, i) => c.query('UPDATE accounts SET balance = balance + 1 WHERE id = $1', [i + 1])));
      // Each sees its own update and none of the others' uncommitted ones.
      const seen = await Promise.all(clients.map((c) => c.query('SELECT sum(balance)::int AS total FROM accounts')));
      expect(seen.map((r) => r.rows[0].total)).toEqual(Array(20).fill(2001));
      await Promise.all(clients.map((c, i) => c.query(i % 2 === 0 ? 'COMMIT' : 'ROLLBACK')));
      clients.forEach((c) => c.release());
      const after = await pool.query('SELECT sum(balance)::int AS total FROM accounts');
      expect(after.rows[0].total).toBe(2010);
    } finally {
      await pool.end();
      await h.twin.reset();
    }
  });

  it('carries large messages both ways (a 2 MB parameter, a 1 MB query text)', async () => {
    await withClient(async (c) => {
      const big = 'x'.repeat(2 << 20);
      expect((await c.query('SELECT length($1::text) AS n', [big])).rows).toEqual([{ n: 2 << 20 }]);
      const text = `SELECT length('${'y'.repeat(1 << 20)}') AS n`;
      expect((await c.query(text)).rows).toEqual([{ n: 1 << 20 }]);
      expect((await c.query('SELECT repeat($1, 1000000) AS s', ['ab'])).rows[0].s).toHaveLength(2_000_000);
    });
  });

  it('copies in and out', async () => {
    await withClient(async (c) => {
      // COPY FROM STDIN through the simple protocol by hand: pg has no built-in stream helper.
      await c.query('CREATE TEMP TABLE t (a int, b text)');
      const out = await c.query("COPY (SELECT id, owner FROM accounts WHERE id <= 3 ORDER BY id) TO STDOUT");
      expect(out.command).toBe('COPY');
      expect(out.rowCount).toBe(3);
    });
  });

  it('delivers LISTEN/NOTIFY between sessions', async () => {
    await withClient(async (listener) => {
      await listener.query('LISTEN standin_channel');
      const received = new Promise<pg.Notification>((resolve) => listener.once('notification', resolve));
      // The process id a notification names is the one its sender got in BackendKeyData (seeded),
      // not the upstream backend's.
      const senderPid = await withClient(async (sender) => {
        await sender.query("NOTIFY standin_channel, 'hello'");
        return (sender as pg.Client & { processID: number }).processID;
      });
      const n = await received;
      expect(n).toMatchObject({ channel: 'standin_channel', payload: 'hello', processId: senderPid });
    });
  });
});

describe('authentication and startup', () => {
  it('refuses a wrong password with 28P01 and an unknown database with 3D000', async () => {
    const wrong = new URL(url);
    wrong.password = 'not-it';
    await expect(withClient(async () => undefined, { connectionString: wrong.href })).rejects.toMatchObject({ code: '28P01' });
    const otherDb = new URL(url);
    otherDb.pathname = '/nope';
    await expect(withClient(async () => undefined, { connectionString: otherDb.href })).rejects.toMatchObject({ code: '3D000' });
  });

  it('accepts any password in trust mode', async () => {
    await using t = await startTwin(postgresTwin, { auth: 'trust' }, { seed: 3, name: 'trusting' });
    const u = new URL(t.twin.endpoints.url as string);
    u.password = 'whatever';
    const rows = await withClient((c) => c.query('SELECT current_database() IS NOT NULL AS ok'), { connectionString: u.href });
    expect(rows.rows).toEqual([{ ok: true }]);
  });

  it('exports DATABASE_URL and the PG* variables', () => {
    expect(h.twin.env.DATABASE_URL).toBe(url);
    const u = new URL(url);
    expect(h.twin.env).toMatchObject({ PGHOST: '127.0.0.1', PGPORT: u.port, PGUSER: 'app', PGDATABASE: 'app' });
  });
});

describe('postgres.js', () => {
  it('pipelines many queries on one connection', async () => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => sql`SELECT ${i + 1}::int AS n, owner FROM accounts WHERE id = ${(i % 20) + 1}`));
      expect(results.map((r) => r[0]?.n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(results[4]?.[0]?.owner).toBe('owner5');
      const [row] = await sql.begin(async (tx) => {
        await tx`INSERT INTO notes (body) VALUES ('from postgres.js')`;
        return tx`SELECT count(*)::int AS n FROM notes WHERE body = 'from postgres.js'`;
      });
      expect(row?.n).toBe(1);
      // The ParameterStatus it got names the user it logged in as, not the twin's upstream role.
      expect(sql.parameters.session_authorization).toBe('app');
    } finally {
      await sql.end();
    }
  });
});

describe('psql', () => {
  it('runs a script with meta-commands and COPY FROM STDIN', async () => {
    const script = [
      '\\set ON_ERROR_STOP on',
      'CREATE TABLE psql_items (id int, label text);',
      'COPY psql_items FROM STDIN;',
      '1\tone',
      '2\ttwo',
      '\\.',
      "SELECT string_agg(label, ',' ORDER BY id) FROM psql_items;",
      '\\dt psql_items',
    ].join('\n');
    const child = execFileAsync('psql', ['-X', '-A', '-t', url], { env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
    child.child.stdin?.end(script);
    const { stdout } = await child;
    expect(stdout).toContain('one,two');
    expect(stdout).toContain('psql_items');
  });
});

describe('isolation between twins', () => {
  it('keeps two twins from seeing each other through the front or with their own roles', async () => {
    await using a = await startTwin(postgresTwin, { init: ["CREATE TABLE secrets (v text); INSERT INTO secrets VALUES ('a-only')"] }, { seed: 1, name: 'a' });
    await using b = await startTwin(postgresTwin, {}, { seed: 1, name: 'b' });
    const aDirect = new URL(a.twin.endpoints.directUrl as string);
    const bDirect = new URL(b.twin.endpoints.directUrl as string);
    // b's role asking the real server for a's database.
    const sneaky = new URL(bDirect.href);
    sneaky.pathname = aDirect.pathname;
    await expect(withClient(async () => undefined, { connectionString: sneaky.href })).rejects.toMatchObject({ code: '42501' });
    // b's front knows only b's database names.
    const viaFront = new URL(b.twin.endpoints.url as string);
    viaFront.pathname = aDirect.pathname;
    await expect(withClient(async () => undefined, { connectionString: viaFront.href })).rejects.toMatchObject({ code: '3D000' });
    const bTables = await withClient((c) => c.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'secrets'"), {
      connectionString: b.twin.endpoints.url as string,
    });
    expect(bTables.rows).toEqual([{ n: 0 }]);
  });
});

describe('backend.url', () => {
  it('puts the front before an existing PostgreSQL, logging in upstream with SCRAM over TCP', async () => {
    // The "existing" server: another twin's real database, reached directly.
    await using existing = await startTwin(postgresTwin, { init: ["CREATE TABLE theirs (v text); INSERT INTO theirs VALUES ('real')"] }, { name: 'existing' });
    await using front = await startTwin(postgresTwin, { backend: { url: existing.twin.endpoints.directUrl as string }, init: ["INSERT INTO theirs VALUES ('init')"] }, { name: 'fronted' });
    front.addRule({ point: 'query', match: { sql: 'boom' }, action: { error: { sqlstate: '40001' } } });
    await withClient(
      async (c) => {
        expect((await c.query('SELECT v FROM theirs ORDER BY v')).rows).toEqual([{ v: 'init' }, { v: 'real' }]);
        await expect(c.query("SELECT 'boom'")).rejects.toMatchObject({ code: '40001' });
      },
      { connectionString: front.twin.endpoints.url as string },
    );
    await expect(front.twin.reset()).rejects.toThrow(/reset is not available with backend.url/);
  });
});

describe('connection point', () => {
  it('applies a link-layer latency toxic to the postgres wire', async () => {
    const rule = h.addRule({ point: 'connection', action: { latency: { latency: 150 } } });
    try {
      await withClient(async (c) => {
        const t = performance.now();
        await c.query('SELECT 1');
        expect(performance.now() - t).toBeGreaterThanOrEqual(140);
      });
    } finally {
      h.faults.remove(rule.id);
    }
  });
});

describe('state', () => {
  it('inspects with sql or table and resets to the post-init state', async () => {
    await withClient((c) => c.query('DELETE FROM accounts WHERE id > 10'));
    expect(await h.twin.inspect({ sql: 'SELECT count(*)::int AS n FROM accounts' })).toMatchObject({ rows: [{ n: 10 }] });
    const t = performance.now();
    await h.twin.reset();
    expect(performance.now() - t).toBeLessThan(2_000);
    expect(await h.twin.inspect({ table: 'accounts', limit: 2 })).toMatchObject({ rowCount: 2, fields: ['id', 'owner', 'balance'] });
    expect(await h.twin.inspect({ sql: 'SELECT count(*)::int AS n FROM accounts' })).toMatchObject({ rows: [{ n: 20 }] });
    await expect(h.twin.inspect({ sql: 'DELETE FROM accounts' })).rejects.toMatchObject({ code: '25006' });
  });

  it('journals each query with its text, rows and duration', async () => {
    await withClient((c) => c.query('SELECT id FROM accounts WHERE id < $1', [4]));
    const events = h.journal.query({ type: 'query' }).events;
    const last = events.findLast((e) => String(e.data?.sql).startsWith('SELECT id FROM accounts'));
    expect(last?.data).toMatchObject({ rows: 3, command: 'SELECT 3' });
    expect(typeof last?.data?.durationMs).toBe('number');
  });
});
