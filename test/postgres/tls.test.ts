// TLS on the twin's port, as a production server with ssl on: SSLRequest answered 'S', then the
// session runs over TLS with a self-signed certificate that a verifying client can trust through
// the `sslRootCert` endpoint. With `tls: required` sessions that did not ask for TLS are refused.
// How the encryption is negotiated (early bytes, direct SSL, channel binding) is compared with a real
// server in tls-negotiation.test.ts.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const execFileAsync = promisify(execFile);
const INIT = ["CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'sealed')"];

function encrypted(c: pg.Client): boolean {
  return (c as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted === true;
}

describe('tls: on', () => {
  let h: TwinHarness;
  let url: URL;
  beforeAll(async () => {
    h = await startTwin(postgresTwin, { tls: 'on', init: INIT }, { name: 'tls-on' });
    url = new URL(h.twin.endpoints.url as string);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('runs queries and rules over TLS for pg verifying the certificate (verify-full)', async () => {
    const ca = readFileSync(h.twin.endpoints.sslRootCert as string);
    const c = new pg.Client({ connectionString: url.href, ssl: { ca } });
    await c.connect();
    try {
      expect(encrypted(c)).toBe(true);
      expect((await c.query('SELECT body FROM notes WHERE id = $1', [1])).rows).toEqual([{ body: 'sealed' }]);
      h.addRule({ point: 'query', match: { sql: 'notes' }, action: { error: { sqlstate: '40001' } } });
      await expect(c.query('SELECT body FROM notes')).rejects.toMatchObject({ code: '40001' });
      h.faults.clear();
    } finally {
      await c.end();
    }
    const journaled = h.journal.query({ type: 'query' }).events.map((e) => e.data?.sqlstate ?? e.data?.rows);
    expect(journaled).toEqual([1, '40001']);
  });

  it('lets a connection toxic added while a TLS session is open act on its encrypted bytes', async () => {
    const ca = readFileSync(h.twin.endpoints.sslRootCert as string);
    const c = new pg.Client({ connectionString: url.href, ssl: { ca } });
    c.on('error', () => {});
    await c.connect();
    const rule = h.addRule({ point: 'connection', action: { limit_data: { bytes: 0 } }, match: { direction: 'downstream' } });
    try {
      expect(encrypted(c)).toBe(true);
      // TLS reading the raw socket in C++ would pass the toxic by and answer the query.
      await expect(c.query('SELECT body FROM notes')).rejects.toThrow();
    } finally {
      h.faults.remove(rule.id);
      await c.end().catch(() => {});
    }
  });

  it('still serves clients that do not ask for TLS', async () => {
    const c = new pg.Client({ connectionString: url.href });
    await c.connect();
    expect(encrypted(c)).toBe(false);
    expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    await c.end();
  });

  it('gives psql an SSL connection it can verify', async () => {
    const conninfo = `${url.href}?sslmode=verify-full&sslrootcert=${encodeURIComponent(h.twin.endpoints.sslRootCert as string)}`;
    const { stdout } = await execFileAsync('psql', ['-X', '-A', '-t', conninfo, '-c', '\\conninfo', '-c', 'SELECT body FROM notes'], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
    });
    expect(stdout).toMatch(/SSL connection|SSL Connection\s*\|\s*true/i);
    expect(stdout).toContain('sealed');
  });
});

describe('tls: required', () => {
  let h: TwinHarness;
  beforeAll(async () => {
    h = await startTwin(postgresTwin, { tls: 'required', init: INIT }, { name: 'tls-required' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('gives a url and env that pg, postgres.js and psql use unchanged, over TLS', async () => {
    const url = h.twin.endpoints.url as string;
    expect(url).toMatch(/\?sslmode=require$/);
    // A Node SUT started with the twin's env trusts the certificate (NODE_EXTRA_CA_CERTS), so pg's
    // verify-full passes with nothing but DATABASE_URL.
    const script = `const pg = require('pg'); const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      c.connect().then(() => c.query('SELECT body FROM notes')).then((r) => { console.log(c.connection.stream.encrypted, r.rows[0].body); return c.end(); })`;
    const node = await execFileAsync(process.execPath, ['-e', script], { env: { ...process.env, ...h.twin.env } });
    expect(node.stdout.trim()).toBe('true sealed');
    const sql = postgres(url, { max: 1 });
    try {
      expect([...(await sql`SELECT body FROM notes`)]).toEqual([{ body: 'sealed' }]);
    } finally {
      await sql.end();
    }
    const psql = await execFileAsync('psql', ['-X', '-A', '-t', url, '-c', '\\conninfo'], { env: { ...process.env, ...h.twin.env, PGCONNECT_TIMEOUT: '5' } });
    expect(psql.stdout).toMatch(/SSL connection|SSL Connection\s*\|\s*true/i);
  });

  it('refuses a session that did not ask for TLS with FATAL 28000', async () => {
    const { hostname, port, username, password, pathname } = new URL(h.twin.endpoints.url as string);
    const c = new pg.Client({ host: hostname, port: Number(port), user: username, password: decodeURIComponent(password), database: pathname.slice(1), ssl: false });
    await expect(c.connect()).rejects.toMatchObject({ code: '28000', severity: 'FATAL' });
  });
});
