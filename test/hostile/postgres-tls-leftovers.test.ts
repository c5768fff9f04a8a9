// Issue 11 item 20 (postgres part): the TLS certificate file survives a SIGKILLed Standin. It lives
// in one fixed folder under the cache dir, and each start removes the files of dead processes: runs
// killed one after another leave at most the last one's file, and nothing in the temp dir.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const fixture = join(import.meta.dirname, '..', 'postgres', 'fixtures', 'hold-tls-identity.ts');
const work = mkdtempSync(join(tmpdir(), 'standin-tls-leftovers-'));
const cacheDir = join(work, 'cache');
const childTmp = join(work, 'tmp');

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the fixture with its own TMPDIR; `kill`: SIGKILLs it once it has written its certificate. */
async function run(kill: boolean): Promise<string> {
  const child = spawn('node', ['bin/run-ts.js', fixture, cacheDir, kill ? 'wait' : 'exit'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TMPDIR: childTmp },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
  if (kill) child.kill('SIGKILL');
  await exited;
  return (JSON.parse(line) as { certFile: string }).certFile;
}

/** Every file under `dir`, recursively. */
function leftovers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name));
}

/** What Standin left in the child's temp dir (tsx keeps its own cache there). */
const tempLeftovers = (): string[] => readdirSync(childTmp).filter((name) => name.startsWith('standin'));

describe('postgres TLS certificate file', () => {
  it('does not accumulate across SIGKILLed runs, and a clean exit leaves nothing', async () => {
    mkdirSync(childTmp, { recursive: true });
    for (let i = 0; i < 3; i++) {
      const certFile = await run(true);
      expect(leftovers(cacheDir)).toEqual([certFile]); // the killed run's own file only
      expect(tempLeftovers()).toEqual([]);
    }
    await run(false);
    expect(leftovers(cacheDir)).toEqual([]);
    expect(tempLeftovers()).toEqual([]);
  }, 60_000);
});
