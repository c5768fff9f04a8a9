// Steps that take seconds the first time say so on stderr: a unit test of announceIfSlow on fake
// timers, and `standin up` with a postgres twin on an empty cache, whose initdb must not be silent.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { announceIfSlow } from '../../src/core/index.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('announceIfSlow', () => {
  it('says nothing for a quick step; announces a slow one after a second and says when it is done', async () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    await announceIfSlow('quick', async () => 1, (line) => lines.push(line));
    expect(lines).toEqual([]);

    let finish!: () => void;
    const slow = announceIfSlow('initdb', () => new Promise<void>((resolve) => (finish = resolve)), (line) => lines.push(line));
    await vi.advanceTimersByTimeAsync(999);
    expect(lines).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(lines).toEqual(['initdb…']);
    finish();
    await slow;
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^initdb: done in \d+\.\d s$/);
  });

  it('announces the end of a slow step that failed, and passes its error on', async () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const failing = announceIfSlow('key', () => new Promise((_, reject) => setTimeout(() => reject(new Error('no entropy')), 2_000)), (line) => lines.push(line));
    const caught = failing.catch((e: Error) => e.message);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await caught).toBe('no entropy');
    expect(lines[0]).toBe('key…');
  });
});

describe('standin up, first PostgreSQL start', () => {
  it('prints a progress line on stderr while the cluster is initialised', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'standin-progress-'));
    // Reachable by the server's OS user (as root it is another user), else a shared fallback is used.
    chmodSync(dir, 0o755);
    try {
      writeFileSync(join(dir, 'db.yaml'), 'name: db\ntwins:\n  db: { kind: postgres }\nrun: { command: "true" }\n');
      const bin = new URL('../../bin/standin.js', import.meta.url).pathname;
      const child = spawn(process.execPath, [bin, 'up', '--verbose', join(dir, 'db.yaml')], {
        env: { ...process.env, STANDIN_CACHE_DIR: join(dir, 'cache') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await vi.waitFor(() => expect(stdout).toContain('is up'), { timeout: 120_000, interval: 200 });
      } finally {
        child.kill('SIGINT');
        await exited;
      }
      // --verbose logs how long initdb took: the progress line must be there exactly when that was
      // more than a second (a margin either side, so that the machine's speed decides nothing).
      const initdbMs = Number(/initialised the cached cluster .*"ms":(\d+)/.exec(stderr)?.[1]);
      expect(initdbMs, stderr).toBeGreaterThan(0);
      const announced = /\[standin\] postgres: first start, initialising the cached cluster .*…\n/.test(stderr);
      if (initdbMs > 1_200) {
        expect(announced, stderr).toBe(true);
        expect(stderr).toMatch(/initialising the cached cluster .*: done in \d+\.\d s/);
      }
      if (initdbMs < 800) expect(announced, stderr).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
