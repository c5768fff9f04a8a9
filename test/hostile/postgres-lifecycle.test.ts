// Issue 11 items 15/16 (postgres part). A postgres twin's stop() ends everything it holds at once:
// client sockets (in a session, in a hung statement, half-way through startup), their upstream
// sessions, and the shared server, so a process that stops it exits by itself with clients still
// connected. And file descriptors come back when environments are destroyed right as their client
// disconnects, as the scenario runner does.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin } from '../support/twin-harness.ts';
import { openFds, settledFds } from '../support/fds.ts';

// Before the fix it never exited; the bound leaves room for a machine loaded by other tests.
const EXIT_BOUND_MS = 15_000;

afterAll(async () => {
  await postgresTwin.shutdown?.();
});


function quietClient(url: string): pg.Client {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  return client;
}

describe('postgres twin lifecycle', () => {
  it('a process that stops the twin exits by itself while clients are connected, hung or half-way through startup', async () => {
    const fixture = join(import.meta.dirname, '..', 'postgres', 'fixtures', 'serve-twin.ts');
    const child = spawn('node', ['bin/run-ts.js', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines: string[] = [];
    const nextLine = (): Promise<string> =>
      new Promise((resolve) => {
        const poll = (): void => {
          const line = lines.shift();
          if (line) resolve(line);
          else child.stdout.once('data', poll);
        };
        poll();
      });
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() as string;
      lines.push(...parts.filter(Boolean));
    });
    try {
      const { url } = JSON.parse(await nextLine()) as { url: string };
      const idle = quietClient(url);
      await idle.connect();
      await idle.query('SELECT 1');
      const busy = quietClient(url);
      await busy.connect();
      void busy.query('SELECT pg_sleep(60)').catch(() => undefined);
      const hung = quietClient(url);
      await hung.connect();
      void hung.query("SELECT 'hang_here'").catch(() => undefined);
      const { hostname, port } = new URL(url);
      const silent = net.connect(Number(port), hostname); // connected, never sends its startup packet
      silent.on('error', () => {});
      await new Promise((r) => silent.once('connect', r));

      const began = Date.now();
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), EXIT_BOUND_MS))]);
      expect(code).toBe(0);
      expect(Date.now() - began).toBeLessThan(EXIT_BOUND_MS);
      expect(JSON.parse(lines.shift() ?? '{}')).toEqual({ stopped: true });
      for (const c of [idle, busy, hung]) await c.end().catch(() => undefined);
      silent.destroy();
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('gives back every file descriptor over 100 create → query → disconnect racing destroy cycles', async () => {
    const init = ['CREATE TABLE t (id int)', 'INSERT INTO t VALUES (1)'];
    const cycle = async (seed: number): Promise<void> => {
      const h = await startTwin(postgresTwin, { init }, { seed, name: `fd${seed}` });
      const client = quietClient(h.twin.endpoints.url as string);
      await client.connect();
      await client.query('SELECT id FROM t');
      // The destroy races the client's goodbye, as a scenario runner's teardown does.
      await Promise.all([client.end().catch(() => undefined), h.stop()]);
    };
    // The shared server, admin connections and templates are made by the first cycles.
    for (let i = 0; i < 3; i++) await cycle(i);
    const baseline = openFds();
    for (let i = 0; i < 100; i++) await cycle(100 + i);
    // Sockets close a moment after both ends said goodbye; wait for that, not for a fixed time.
    expect(await settledFds(baseline, 10_000)).toBeLessThanOrEqual(baseline);
  }, 300_000);
});
