// After a client's end() returns, PostgreSQL has already removed its backend from pg_stat_activity
// (the backend leaves it before its socket closes). Leak checks in users' tests rely on that; the
// twin must behave the same. The same loop runs against the real server (directUrl) and the twin.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const ROUNDS = 40;

let h: TwinHarness;

beforeAll(async () => {
  h = await startTwin(postgresTwin, {}, { seed: 6 });
});
afterAll(async () => {
  await h?.stop();
});

/** How many of ROUNDS ended sessions a monitor session still saw listed right after end() returned. */
async function phantoms(url: string): Promise<number> {
  const monitor = new pg.Client({ connectionString: url });
  await monitor.connect();
  let seen = 0;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const name = `session-end-${i}`;
      const c = new pg.Client({ connectionString: url, application_name: name });
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      const r = await monitor.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [name]);
      seen += r.rows[0].n;
    }
  } finally {
    await monitor.end();
  }
  return seen;
}

describe('session end', () => {
  it('PostgreSQL lists no session after its client ended it', async () => {
    expect(await phantoms(h.twin.endpoints.directUrl as string)).toBe(0);
  }, 120_000);

  it('the twin lists none either', async () => {
    expect(await phantoms(h.twin.endpoints.url as string)).toBe(0);
  }, 120_000);

  it('a pool ended as a whole leaves nothing behind', async () => {
    const url = h.twin.endpoints.url as string;
    const pool = new pg.Pool({ connectionString: url, max: 10, application_name: 'session-end-pool' });
    await Promise.all(Array.from({ length: 10 }, () => pool.query('SELECT pg_sleep(0)')));
    await pool.end();
    const monitor = new pg.Client({ connectionString: url });
    await monitor.connect();
    const r = await monitor.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'session-end-pool'");
    await monitor.end();
    expect(r.rows[0].n).toBe(0);
  });
});
