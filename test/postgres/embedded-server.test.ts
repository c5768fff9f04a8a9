// The shared embedded server: runs as a non-root user when Standin is root, caches its cluster so
// later starts skip initdb, cleans up after a normal exit and after a crash, and a bad `init`
// fails the twin with PostgreSQL's error and position, leaving nothing behind.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, filesUnder, silentLogger } from '../../src/core/index.ts';
import { ADMIN_USER, embeddedServer } from '../../twins/postgres/embedded-server.ts';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin } from '../support/twin-harness.ts';

const execFileAsync = promisify(execFile);
const fixture = join(import.meta.dirname, 'fixtures', 'start-server.ts');
const cacheDir = mkdtempSync(join(tmpdir(), 'standin-pg-cache-'));
chmodSync(cacheDir, 0o755); // the server's OS user must be able to enter it when we are root

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

async function startInChild(): Promise<{ initdbMs: number; dataDir: string; pid: number }> {
  const { stdout } = await execFileAsync('node', ['bin/run-ts.js', fixture, cacheDir], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string);
}

async function gone(path: string, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!existsSync(path)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('embedded server', () => {
  it('initialises the cluster once; later starts reuse it; an exiting process leaves nothing running', async () => {
    const first = await startInChild();
    expect(first.initdbMs).toBeGreaterThan(0);
    expect(await gone(first.dataDir)).toBe(true);
    const second = await startInChild();
    expect(second.initdbMs).toBe(0);
    expect(await gone(second.dataDir)).toBe(true);
  }, 120_000);

  it('recovers from a crashed process: a SIGKILLed Standin and a stale run dir do not block the next start', async () => {
    const child = spawn('node', ['bin/run-ts.js', fixture, cacheDir, 'wait'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    const { dataDir } = JSON.parse(line) as { dataDir: string };
    child.kill('SIGKILL');
    expect(await gone(dataDir)).toBe(true);
    // A run dir whose owner is long dead, with a postmaster.pid naming a dead process.
    const stale = join(dataDir, '..', '999999');
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, 'postmaster.pid'), '999998\n');
    // And one of a dedicated server (a superuser twin's) of the same dead process.
    const staleDedicated = join(dataDir, '..', '999999-3');
    mkdirSync(staleDedicated, { recursive: true });
    const next = await startInChild();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(staleDedicated)).toBe(false);
    expect(await gone(next.dataDir)).toBe(true);
  }, 120_000);

  it('runs the server as a non-root OS user when Standin is root', async () => {
    const server = await embeddedServer(defaultCacheDir(), silentLogger);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]);
    if (process.getuid?.() === 0) expect(uid).not.toBe(0);
    else expect(uid).toBe(process.getuid?.());
  });
});

describe('init', () => {
  it('fails the twin with the PostgreSQL error and its position, and leaves no database or role', async () => {
    const server = await embeddedServer(defaultCacheDir(), silentLogger);
    const admin = new pg.Client({ host: server.socketDir, port: server.port, user: ADMIN_USER, database: 'postgres' });
    await admin.connect();
    try {
      const count = async (): Promise<number> =>
        // Clones made ahead for other templates (`…_r<n>`, database and role) come and go in the background: not counted.
        (await admin.query("SELECT (SELECT count(*) FROM pg_database WHERE datname LIKE 'st\\_%' AND datname !~ '_r[0-9]+$') + (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'st\\_%' AND rolname !~ '_r[0-9]+$') AS n")).rows[0].n;
      const before = await count();
      await expect(startTwin(postgresTwin, { init: ['CREATE TABLE ok (id int);\nCREATE TABLE broken (id int,,);'] }, { name: 'bad' })).rejects.toThrow(
        /twins\.bad\.init\[0\]: line 2, column 29: syntax error at or near "," \(SQLSTATE 42601\)/,
      );
      expect(await count()).toBe(before);
    } finally {
      await admin.end();
    }
  });

  it('reads init from .sql files and clones it for each twin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'standin-init-'));
    const file = join(dir, 'schema.sql');
    writeFileSync(file, "CREATE TABLE t (v text);\nINSERT INTO t VALUES ('from file');\n");
    try {
      await using a = await startTwin(postgresTwin, { init: ['schema.sql', { sql: "INSERT INTO t VALUES ('inline')" }] }, { name: 'files', files: filesUnder(dir) });
      expect(await a.twin.inspect({ sql: 'SELECT v FROM t ORDER BY v' })).toMatchObject({ rows: [{ v: 'from file' }, { v: 'inline' }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
