// `query` rules observed through node `pg`: each action, the SQLSTATE the client sees in err.code,
// and that the session afterwards behaves as PostgreSQL would (25P02 until ROLLBACK).
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const SCHEMA = `
  CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(8,2) NOT NULL, qty int NOT NULL);
  INSERT INTO items SELECT g, 'item-' || g, g * 1.5, g FROM generate_series(1, 5) g;
`;

let h: TwinHarness;

beforeAll(async () => {
  h = await startTwin(postgresTwin, { init: [SCHEMA] }, { seed: 11 });
});
afterAll(async () => {
  await h?.stop();
});
afterEach(() => {
  h.faults.clear();
});

async function client(config: pg.ClientConfig = {}): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: h.twin.endpoints.url as string, ...config });
  c.on('error', () => {}); // FATALs and cut connections are what these tests provoke
  await c.connect();
  return c;
}

async function withClient<T>(fn: (c: pg.Client) => Promise<T>, config?: pg.ClientConfig): Promise<T> {
  const c = await client(config);
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

describe('error', () => {
  it.each([
    ['40001', '40001'],
    ['serialization_failure', '40001'],
    ['deadlock_detected', '40P01'],
    ['query_canceled', '57014'],
    ['lock_not_available', '55P03'],
    ['unique_violation', '23505'],
    ['read_only_sql_transaction', '25006'],
    ['22012', '22012'],
  ])('answers %s as SQLSTATE %s, simple and extended, and the session goes on', async (sqlstate, code) => {
    h.addRule({ point: 'query', match: { table: 'items' }, action: { error: { sqlstate } } });
    await withClient(async (c) => {
      await expect(c.query('SELECT * FROM items')).rejects.toMatchObject({ code, severity: 'ERROR' });
      await expect(c.query('SELECT * FROM items WHERE id = $1', [1])).rejects.toMatchObject({ code });
      expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    });
  });

  it('uses the message and detail the rule gives', async () => {
    h.addRule({ point: 'query', match: { kind: 'update' }, action: { error: { sqlstate: '40001', message: 'flaky', detail: 'injected' } } });
    await withClient(async (c) => {
      await expect(c.query('UPDATE items SET qty = 0')).rejects.toMatchObject({ code: '40001', message: 'flaky', detail: 'injected' });
      expect((await c.query('SELECT sum(qty)::int AS q FROM items')).rows).toEqual([{ q: 15 }]);
    });
  });

  it.each(['simple', 'extended'] as const)('leaves a %s transaction aborted (25P02) until ROLLBACK, upstream in step', async (mode) => {
    h.addRule({ point: 'query', match: { kind: 'insert', inTransaction: true }, action: { error: { sqlstate: '40001' } } });
    await withClient(async (c) => {
      const run = (sql: string, values: unknown[]) => (mode === 'simple' ? c.query(sql.replace('$1', String(values[0]))) : c.query(sql, values));
      await c.query('BEGIN');
      await run('UPDATE items SET qty = qty + $1 WHERE id = 1', [100]);
      await expect(run("INSERT INTO items VALUES ($1, 'x', 1, 1)", [99])).rejects.toMatchObject({ code: '40001' });
      await expect(run('SELECT * FROM items WHERE id = $1', [1])).rejects.toMatchObject({ code: '25P02' });
      await c.query('ROLLBACK');
      // Nothing of the transaction survived, and the session is healthy.
      expect((await c.query('SELECT qty FROM items WHERE id = 1')).rows).toEqual([{ qty: 1 }]);
      expect((await c.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 5 }]);
      // Outside a transaction the rule does not match.
      await c.query("INSERT INTO items VALUES (6, 'six', 1, 1)");
      await c.query('DELETE FROM items WHERE id = 6');
    });
  });

  it('FATAL 57P01 ends the session, and a pool replaces the connection', async () => {
    h.addRule({ point: 'query', match: { sql: 'pg_sleep' }, action: { error: { sqlstate: 'admin_shutdown' } }, trigger: { times: 1 } });
    const pool = new pg.Pool({ connectionString: h.twin.endpoints.url as string, max: 1 });
    const poolErrors: Error[] = [];
    pool.on('error', (e) => poolErrors.push(e));
    try {
      await expect(pool.query('SELECT pg_sleep(0)')).rejects.toMatchObject({ code: '57P01', severity: 'FATAL' });
      expect((await pool.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
      // An idle pooled client terminated by the server (reset drops the database): the pool
      // reports it and the next query gets a fresh connection.
      await h.twin.reset();
      await until(() => poolErrors.length > 0);
      expect(poolErrors.map((e) => (e as Error & { code?: string }).code)).toContain('57P01');
      expect((await pool.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
    } finally {
      await pool.end();
    }
  });
});

describe('delay, hang and cancel', () => {
  it('delays the answer', async () => {
    const rule = h.addRule({ point: 'query', match: { regex: '^select 42' }, action: { delay: { ms: 300 } } });
    await withClient(async (c) => {
      const t = performance.now();
      expect((await c.query('SELECT 42 AS n')).rows).toEqual([{ n: 42 }]);
      expect(performance.now() - t).toBeGreaterThanOrEqual(290);
      await c.query('SELECT 43');
      // The other statement was not delayed: the rule fired for the one it matches only (no upper
      // bound on its time, which a loaded machine decides).
      expect(h.faults.get(rule.id)?.fired).toBe(1);
    });
  });

  it('hangs until the client times out (pg query_timeout)', async () => {
    h.addRule({ point: 'query', match: { sql: 'from items' }, action: { hang: {} } });
    const c = await client({ query_timeout: 300 });
    try {
      await expect(c.query('SELECT * FROM items')).rejects.toThrow(/timeout/i);
    } finally {
      await c.end().catch(() => undefined);
    }
  });

  it('maps a CancelRequest to the upstream key: a running statement fails with 57014', async () => {
    await withClient(async (c) => {
      const sleeping = c.query('SELECT pg_sleep(10)').then(() => undefined, (e: unknown) => e);
      await untilRunning('SELECT pg_sleep(10)');
      await sendCancelRequest(c);
      expect(await sleeping).toMatchObject({ code: '57014' });
      expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    });
  });

  it('cancels a hung statement with 57014 too', async () => {
    const rule = h.addRule({ point: 'query', match: { sql: 'hang me' }, action: { hang: {} } });
    await withClient(async (c) => {
      const hung = c.query("SELECT 'hang me'").then(() => undefined, (e: unknown) => e);
      await until(() => (h.faults.get(rule.id)?.fired ?? 0) > 0);
      await sendCancelRequest(c);
      expect(await hung).toMatchObject({ code: '57014' });
      expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    });
  });

  it('pg_cancel_backend from another session reaches the real backend', async () => {
    await withClient(async (c) => {
      const pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const sleeping = c.query('SELECT pg_sleep(10)').then(() => undefined, (e: unknown) => e);
      await untilRunning('SELECT pg_sleep(10)');
      await withClient((other) => other.query('SELECT pg_cancel_backend($1)', [pid]));
      expect(await sleeping).toMatchObject({ code: '57014' });
    });
  });
});

/** The rows pg saw before the query failed on a cut connection (it must fail). */
async function rowsBeforeCut(sql: string, values?: unknown[]): Promise<unknown[]> {
  const rows: unknown[] = [];
  await withClient(async (c) => {
    const q = new pg.Query(sql, values);
    q.on('row', (r: unknown) => rows.push(r));
    const done = new Promise((resolve, reject) => {
      q.on('end', resolve);
      q.on('error', reject);
    });
    c.query(q);
    await expect(done).rejects.toThrow(/terminated|ECONNRESET|closed/i);
  });
  return rows;
}

describe('disconnect', () => {
  it('closes before answering', async () => {
    h.addRule({ point: 'query', match: { kind: 'delete' }, action: { disconnect: {} } });
    await withClient(async (c) => {
      await expect(c.query('DELETE FROM items')).rejects.toThrow(/terminated|ECONNRESET|closed/i);
    });
    expect(await h.twin.inspect({ sql: 'SELECT count(*)::int AS n FROM items' })).toMatchObject({ rows: [{ n: 5 }] });
  });

  it('closes part-way through the result, after N DataRows', async () => {
    h.addRule({ point: 'query', match: { table: 'items' }, action: { disconnect: { after: 'partial-response', rows: 2 } } });
    const rows: unknown[] = [];
    await withClient(async (c) => {
      const q = new pg.Query('SELECT * FROM items ORDER BY id');
      q.on('row', (r: unknown) => rows.push(r));
      const done = new Promise((resolve, reject) => {
        q.on('end', resolve);
        q.on('error', reject);
      });
      c.query(q);
      await expect(done).rejects.toThrow(/terminated|ECONNRESET|closed/i);
    });
    expect(rows).toHaveLength(2);
  });

  it('cuts an extended-protocol answer after N DataRows too', async () => {
    h.addRule({ point: 'query', match: { table: 'items' }, action: { disconnect: { after: 'partial-response', rows: 2 } } });
    expect(await rowsBeforeCut('SELECT * FROM items WHERE id > $1 ORDER BY id', [0])).toHaveLength(2);
  });

  it('never lets the whole answer through: with fewer rows than asked, the rows arrive and the completion does not', async () => {
    h.addRule({ point: 'query', match: { table: 'items' }, action: { disconnect: { after: 'partial-response', rows: 10 } } });
    expect(await rowsBeforeCut('SELECT * FROM items ORDER BY id')).toHaveLength(5);
    h.faults.clear();
    h.addRule({ point: 'query', match: { table: 'items' }, action: { disconnect: { after: 'partial-response', bytes: 1_000_000 } } });
    expect(await rowsBeforeCut('SELECT * FROM items WHERE id > $1 ORDER BY id', [0])).toHaveLength(5);
  });

  it('resets the connection with RST when asked', async () => {
    h.addRule({ point: 'query', action: { disconnect: { reset: true } } });
    await withClient(async (c) => {
      await expect(c.query('SELECT 1')).rejects.toThrow(/ECONNRESET|terminated/i);
    });
  });
});

describe('corrupt', () => {
  const q = 'SELECT id, name, qty FROM items WHERE id = 3';
  it.each([
    ['null', 'name', (r: Record<string, unknown>) => expect(r.name).toBeNull()],
    ['truncate', 'name', (r: Record<string, unknown>) => expect(r.name).toBe('ite')],
    ['garble', 'name', (r: Record<string, unknown>) => expect(r.name).not.toBe('item-3')],
    ['wrong-type', 'qty', (r: Record<string, unknown>) => expect(r.qty).toBeNaN()],
  ] as const)('%s', async (how, column, check) => {
    h.addRule({ point: 'query', match: { sql: 'where id = 3' }, action: { corrupt: { how, column } } });
    await withClient(async (c) => {
      check((await c.query(q)).rows[0]);
      check((await c.query('SELECT id, name, qty FROM items WHERE id = 3 AND $1::int = 1', [1])).rows[0]);
      expect((await c.query('SELECT name FROM items WHERE id = 2')).rows).toEqual([{ name: 'item-2' }]);
    });
  });
});

describe('rows', () => {
  it('answers the given rows instead of running the statement, simple and extended', async () => {
    h.addRule({ point: 'query', match: { table: 'items', kind: 'select' }, action: { rows: { rows: [{ id: 1, name: 'fake' }] } } });
    await withClient(async (c) => {
      const simple = await c.query('SELECT id, name FROM items');
      expect(simple.rows).toEqual([{ id: 1, name: 'fake' }]);
      const extended = await c.query('SELECT id, name FROM items WHERE id > $1', [0]);
      expect(extended.rows).toEqual([{ id: 1, name: 'fake' }]);
      expect(extended.rowCount).toBe(1);
    });
  });
});

describe('a session that ran without rules (forwarded as it came)', () => {
  it('knows its prepared statements, their columns and its transaction when a rule arrives', async () => {
    // postgres.js describes a statement once, then only binds and executes it.
    const sql = postgres(h.twin.endpoints.url as string, { max: 1, onnotice: () => {} });
    const byId = (id: number) => sql`SELECT id, name FROM items WHERE id = ${id}`;
    try {
      expect([...(await byId(1))]).toEqual([{ id: 1, name: 'item-1' }]);
      await sql.begin(async (tx) => {
        // Keys in another order than the columns: only the statement's description lays them out right.
        h.addRule({ point: 'query', match: { sql: 'where id = $1', inTransaction: true }, action: { rows: { rows: [{ name: 'stand-in', id: 9 }] } } });
        expect([...(await tx`SELECT id, name FROM items WHERE id = ${2}`)]).toEqual([{ id: 9, name: 'stand-in' }]);
        h.faults.clear();
        expect([...(await tx`SELECT id, name FROM items WHERE id = ${3}`)]).toEqual([{ id: 3, name: 'item-3' }]);
      });
      expect([...(await byId(4))]).toEqual([{ id: 4, name: 'item-4' }]);
    } finally {
      await sql.end();
    }
    const journaled = h.journal.query({ type: 'query' }).events.filter((e) => e.data?.sql === 'SELECT id, name FROM items WHERE id = $1');
    expect(journaled.map((e) => [e.data?.rows, e.data?.command])).toEqual([
      [1, 'SELECT 1'],
      [1, 'SELECT 1'],
      [1, 'SELECT 1'],
      [1, 'SELECT 1'],
    ]);
  });
});

describe('postgres.js (statements described before they run)', () => {
  it('gets injected errors, rows and corruption', async () => {
    const sql = postgres(h.twin.endpoints.url as string, { max: 1, onnotice: () => {} });
    try {
      h.addRule({ point: 'query', match: { sql: 'where id = 4' }, action: { corrupt: { how: 'null', column: 'name' } } });
      h.addRule({ point: 'query', match: { sql: 'where id = 2' }, action: { rows: { rows: [{ id: 2, name: 'stand-in' }] } } });
      h.addRule({ point: 'query', match: { kind: 'delete' }, action: { error: { sqlstate: '55P03' } } });
      const [err] = await Promise.allSettled([sql`DELETE FROM items WHERE id = ${1}`]);
      expect(err.status === 'rejected' && (err.reason as { code?: string }).code).toBe('55P03');
      const [two, four, five] = await Promise.all([
        sql`SELECT id, name FROM items WHERE id = 2`,
        sql`SELECT id, name FROM items WHERE id = 4`,
        sql`SELECT id, name FROM items WHERE id = 5`,
      ]);
      expect([...two]).toEqual([{ id: 2, name: 'stand-in' }]);
      expect([...four]).toEqual([{ id: 4, name: null }]);
      expect([...five]).toEqual([{ id: 5, name: 'item-5' }]);
    } finally {
      await sql.end();
    }
  });
});

describe('determinism', () => {
  it('faults the same queries for the same seed', async () => {
    const faulted = async (seed: number): Promise<number[]> => {
      await using t = await startTwin(postgresTwin, {}, { seed, name: `det${seed}` });
      t.addRule({ id: 'flaky', point: 'query', match: { kind: 'select' }, action: { error: { sqlstate: '40001' } }, trigger: { probability: 0.3 } });
      const c = new pg.Client({ connectionString: t.twin.endpoints.url as string });
      await c.connect();
      const out: number[] = [];
      for (let i = 0; i < 40; i++) {
        await c.query('SELECT $1::int', [i]).catch(() => out.push(i));
      }
      await c.end();
      return out;
    };
    const first = await faulted(7);
    expect(first.length).toBeGreaterThan(3);
    expect(first.length).toBeLessThan(30);
    expect(await faulted(7)).toEqual(first);
    expect(await faulted(8)).not.toEqual(first);
  });

  it('journals the rule that fired on the query event', async () => {
    h.addRule({ id: 'journaled', point: 'query', match: { sql: 'journal me' }, action: { error: { sqlstate: '40P01' } } });
    await withClient((c) => c.query("SELECT 'journal me'").catch(() => undefined));
    const event = h.journal.query({ type: 'query', rule: 'journaled' }).events[0];
    expect(event?.data).toMatchObject({ sqlstate: '40P01' });
    expect(h.journal.query({ type: 'fault', rule: 'journaled' }).events).toHaveLength(1);
  });
});

/** A CancelRequest on a new connection with the key pg received in BackendKeyData. */
/** Waits for a condition (no deadline of its own: the test's timeout is the bound). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

/** Waits until the server runs the statement: a cancel sent before it starts would cancel nothing. */
async function untilRunning(sql: string): Promise<void> {
  await withClient(async (monitor) => {
    const running = async () =>
      (await monitor.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1 AND state = 'active'", [sql])).rows[0].n > 0;
    while (!(await running())) await new Promise((r) => setTimeout(r, 10));
  });
}

async function sendCancelRequest(c: pg.Client): Promise<void> {
  const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
  const { port, hostname } = new URL(h.twin.endpoints.url as string);
  const net = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => {
      const b = Buffer.alloc(16);
      b.writeInt32BE(16, 0);
      b.writeInt32BE(80877102, 4);
      b.writeInt32BE(processID, 8);
      b.writeInt32BE(secretKey, 12);
      s.end(b);
    });
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}
