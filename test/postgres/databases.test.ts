// The databases a client may name: the twin's own, those it declares (`databases`, each with its
// own init), and `postgres`/`template1`, which every PostgreSQL has and tools use for maintenance.
// What an ordinary role may do from a maintenance connection is compared with a real server.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { startRealServer, type RealServer } from './fixtures/real-server.ts';

const execFileAsync = promisify(execFile);

let h: TwinHarness;
let real: RealServer;

beforeAll(async () => {
  [h, real] = await Promise.all([
    startTwin(postgresTwin, {
      password: 'pw',
      init: ["CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)"],
      databases: ['analytics', { name: 'reports', init: ["CREATE TABLE daily (v text); INSERT INTO daily VALUES ('monday')"] }],
    }),
    startRealServer({ ssl: false, password: 'pw' }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([h?.stop(), real?.stop()]);
});

function twinConfig(database: string): pg.ClientConfig {
  const url = new URL(h.twin.endpoints.url as string);
  return { host: url.hostname, port: Number(url.port), user: 'app', password: 'pw', database };
}

async function inDatabase<T>(config: pg.ClientConfig, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(config);
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

const tables = (c: pg.Client): Promise<string[]> =>
  c.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1").then((r) => r.rows.map((row) => row.name));

describe('declared databases', () => {
  it('gives each database its own init, and a client reaches each by name', async () => {
    expect(await inDatabase(twinConfig('app'), tables)).toEqual(['orders']);
    expect(await inDatabase(twinConfig('reports'), (c) => c.query('SELECT v FROM daily').then((r) => r.rows))).toEqual([{ v: 'monday' }]);
    expect(await inDatabase(twinConfig('analytics'), tables)).toEqual([]);
    await inDatabase(twinConfig('analytics'), (c) => c.query('CREATE TABLE events (at timestamptz)'));
    expect(await inDatabase(twinConfig('analytics'), tables)).toEqual(['events']);
  });

  it('resets every database to its post-init state', async () => {
    await inDatabase(twinConfig('reports'), (c) => c.query("INSERT INTO daily VALUES ('tuesday')"));
    await h.twin.reset();
    expect(await inDatabase(twinConfig('reports'), (c) => c.query('SELECT v FROM daily').then((r) => r.rows))).toEqual([{ v: 'monday' }]);
    expect(await inDatabase(twinConfig('analytics'), tables)).toEqual([]);
  });
});

describe('maintenance databases', () => {
  const realConfig = (database: string): pg.ClientConfig => ({ host: real.host, port: real.port, user: real.user, password: real.password, database });

  it('lets an ordinary role connect to postgres and template1, and refuses it CREATE DATABASE, as a real server does', async () => {
    for (const [name, config] of [
      ['twin', twinConfig],
      ['real', realConfig],
    ] as const) {
      const answers: unknown[] = [];
      for (const database of ['postgres', 'template1']) {
        answers.push(await inDatabase(config(database), (c) => c.query('SELECT 1 AS ok').then((r) => r.rows)));
      }
      answers.push(await inDatabase(config('postgres'), (c) => c.query('CREATE DATABASE made_by_client').then(() => 'created', (e: { code?: string; message: string }) => `${e.code} ${e.message}`)));
      answers.push(await inDatabase(config('nowhere'), async () => 'connected').catch((e: { code?: string; message: string }) => `${e.code} ${e.message}`));
      expect({ [name]: answers }).toEqual({
        [name]: [[{ ok: 1 }], [{ ok: 1 }], '42501 permission denied to create database', '3D000 database "nowhere" does not exist'],
      });
    }
  });

  it('serves psql a maintenance connection', async () => {
    const { stdout } = await execFileAsync('psql', ['-X', '-A', '-t', '-d', 'postgres', '-c', 'SELECT 7'], { env: { ...process.env, ...h.twin.env, PGCONNECT_TIMEOUT: '10' } });
    expect(stdout.trim()).toBe('7');
  });
});

describe('config errors', () => {
  const refusal = (config: Record<string, unknown>): Promise<string> =>
    startTwin(postgresTwin, config, { name: 'bad' }).then(
      async (t) => {
        await t.stop();
        return 'started';
      },
      (e: Error) => e.message,
    );

  it('names the field of a bad database declaration', async () => {
    expect(await refusal({ databases: ['analytics', 'analytics'] })).toMatch(/^twins\.bad\.databases\[1\]: database analytics is declared twice/);
    expect(await refusal({ databases: ['app'] })).toMatch(/^twins\.bad\.databases\[0\]: database app is declared twice \(the twin's own is app\)/);
    expect(await refusal({ databases: [{ name: 'template1' }] })).toMatch(/^twins\.bad\.databases\[0\]\.name: template1 is a database every PostgreSQL server has/);
    expect(await refusal({ database: 'template0' })).toMatch(/^twins\.bad\.database: template0 does not allow connections/);
    expect(await refusal({ databases: [{ name: 'reports', init: ['SELEC 1'] }] })).toMatch(/^twins\.bad\.databases\[0\]\.init\[0\]: line 1, column 1: syntax error/);
    // (The harness's file access reads no files: the refusal still names the item.)
    expect(await refusal({ databases: [{ name: 'reports', init: ['no-such-file.sql'] }] })).toMatch(/(^|\.)databases\[0\]\.init\[0\]: /);
    expect(await refusal({ superuser: true, backend: { url: 'postgres://me@127.0.0.1:1/db' } })).toMatch(/^twins\.bad\.superuser: /);
  });
});
