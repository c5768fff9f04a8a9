// Issue 11 item 20 (postgres part): template databases accumulated for every distinct init text.
// They are bounded by `limits.postgresTemplates`: past it the least recently used template that no
// twin uses is dropped with its ready clones and roles; one in use stays (its twin can still reset),
// and an init whose template was dropped builds it again.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, silentLogger } from '../../src/core/index.ts';
import { ADMIN_USER, embeddedServer } from '../../twins/postgres/embedded-server.ts';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const LIMIT = 2;
const initOf = (n: number): string[] => [`CREATE TABLE t${n} (id int)`, `INSERT INTO t${n} VALUES (${n})`];
const twin = (n: number, seed = n): Promise<TwinHarness> =>
  startTwin(postgresTwin, { init: initOf(n) }, { seed, name: `tpl${n}`, limits: { postgresTemplates: LIMIT } });

let admin: pg.Client | undefined;

afterAll(async () => {
  await admin?.end();
  await postgresTwin.shutdown?.();
});

/** Template hashes that still have a database or a role on the server (template, ready clones). */
async function templatesOnServer(): Promise<string[]> {
  const { rows } = await (admin as pg.Client).query(
    "SELECT DISTINCT substring(name FROM '^st_tpl_([0-9a-f]+)') AS hash FROM (SELECT datname AS name FROM pg_database UNION ALL SELECT rolname FROM pg_roles) n WHERE name LIKE 'st\\_tpl\\_%' ORDER BY 1",
  );
  return rows.map((r) => r.hash as string);
}

async function settle(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('postgres template databases', () => {
  it('keeps at most the limit of idle templates, never drops one in use, and rebuilds a dropped one', async () => {
    const server = await embeddedServer(defaultCacheDir(), silentLogger);
    admin = new pg.Client({ host: server.socketDir, port: server.port, user: ADMIN_USER, database: 'postgres' });
    await admin.connect();

    const inUse = await twin(1);
    for (let n = 2; n <= 5; n++) {
      const h = await twin(n);
      await h.stop();
    }
    // Twin 1's template (in use) and the most recently used idle one: 5 distinct inits, 2 templates.
    expect(await settle(async () => (await templatesOnServer()).length <= LIMIT)).toBe(true);

    // The template in use is still there: its twin resets (twice: the second needs a new spare cloned from it).
    await inUse.twin.actions?.sql?.({ sql: 'INSERT INTO t1 VALUES (100)' });
    await inUse.twin.reset?.();
    await inUse.twin.reset?.();
    expect(await inUse.twin.inspect({ sql: 'SELECT id FROM t1' })).toMatchObject({ rows: [{ id: 1 }] });
    await inUse.stop();

    // An init whose template was dropped is built again.
    const again = await twin(2, 20);
    expect(await again.twin.inspect({ sql: 'SELECT id FROM t2' })).toMatchObject({ rows: [{ id: 2 }] });
    await again.stop();
    expect(await settle(async () => (await templatesOnServer()).length <= LIMIT)).toBe(true);
  }, 120_000);
});
