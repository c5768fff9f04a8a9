// maxConnections as PostgreSQL's max_connections: by default the 101st concurrent session is
// refused with FATAL 53300 and PostgreSQL's own text, and a slot frees when a session ends.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin } from '../support/twin-harness.ts';

/** What PostgreSQL 18 sends past max_connections (InitProcess, before authentication). */
const TOO_MANY = { code: '53300', severity: 'FATAL', message: 'sorry, too many clients already' };

async function open(url: string, n: number): Promise<pg.Client[]> {
  const clients: pg.Client[] = [];
  for (let i = 0; i < n; i += 10) {
    const batch = Array.from({ length: Math.min(10, n - i) }, () => new pg.Client({ connectionString: url }));
    await Promise.all(batch.map((c) => c.connect()));
    clients.push(...batch);
  }
  return clients;
}

describe('connection limit', () => {
  it('refuses the 101st concurrent session by default, and admits again once one ends', async () => {
    await using h = await startTwin(postgresTwin, {}, { seed: 8 });
    const url = h.twin.endpoints.url as string;
    const clients = await open(url, 100);
    try {
      const extra = new pg.Client({ connectionString: url });
      await expect(extra.connect()).rejects.toMatchObject(TOO_MANY);
      // Every admitted session still works.
      const answers = await Promise.all(clients.map((c) => c.query('SELECT 1 AS ok')));
      expect(answers.every((r) => r.rows[0].ok === 1)).toBe(true);
      await clients.pop()?.end();
      const next = new pg.Client({ connectionString: url });
      await next.connect();
      clients.push(next);
      expect((await next.query('SELECT 2 AS ok')).rows).toEqual([{ ok: 2 }]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  }, 120_000);

  it('takes its limit from the twin config', async () => {
    await using h = await startTwin(postgresTwin, { maxConnections: 2 }, { seed: 8 });
    const url = h.twin.endpoints.url as string;
    const clients = await open(url, 2);
    try {
      await expect(open(url, 1)).rejects.toMatchObject(TOO_MANY);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});
