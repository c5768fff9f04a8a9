// kafka-python (Debian `python3-kafka`) as a process: produce, consume in a group, commit. Skipped
// when the module is not installed (CI installs it).
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

// Debian's module lives with Debian's interpreter, not a pyenv or venv one.
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import kafka']).status === 0);
const script = new URL('./clients/kafka_python_client.py', import.meta.url).pathname;

let h: TwinHarness;

describe.skipIf(!python)('kafka-python', () => {
  beforeAll(async () => {
    h = await startTwin(kafkaTwin, { topics: [{ name: 'py', partitions: 3 }] }, { seed: 8 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('produces, consumes in a group and commits', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(python!, [script, h.twin.endpoints.bootstrap!, 'py', 'py-group', '12'], { timeout: 25_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))),
    );
    const { seen } = JSON.parse(out.trim().split('\n').at(-1)!) as { seen: Array<{ value: string }> };
    expect(seen.map((s) => s.value).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `py-${i}`).sort());
    const state = (await h.twin.inspect({ group: 'py-group' })) as { groups: Array<{ offsets: Array<{ offset: number }> }> };
    expect(state.groups[0]!.offsets.reduce((n, o) => n + o.offset, 0)).toBe(12);
    const clients = new Set(h.journal.query({ type: 'request' }).events.map((e) => e.data?.clientId));
    expect([...clients].some((c) => String(c).startsWith('kafka-python'))).toBe(true);
  }, 30_000);

  it('a second member takes half the partitions; when it dies the first takes them all back', async () => {
    const member = () => {
      const child = spawn(python!, [script, h.twin.endpoints.bootstrap!, 'py', 'py-pair', 'member'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const assignments: number[][] = [];
      createInterface({ input: child.stdout! }).on('line', (line) => assignments.push((JSON.parse(line) as { assigned: number[] }).assigned));
      return { child, assignments };
    };
    const until = async (check: () => boolean): Promise<void> => {
      const end = Date.now() + 25_000;
      while (!check()) {
        if (Date.now() > end) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const a = member();
    try {
      await until(() => a.assignments.at(-1)?.length === 3);
      const b = member();
      await until(() => (b.assignments.at(-1)?.length ?? 0) > 0 && (a.assignments.at(-1)?.length ?? 0) + (b.assignments.at(-1)?.length ?? 0) === 3);
      expect([...a.assignments.at(-1)!, ...b.assignments.at(-1)!].sort()).toEqual([0, 1, 2]);
      b.child.kill('SIGKILL');
      await until(() => a.assignments.at(-1)?.length === 3);
      expect(h.journal.query({ type: 'state' }).events.some((e) => e.summary.includes('py-pair') && e.summary.includes('session timed out'))).toBe(true);
    } finally {
      a.child.kill('SIGKILL');
    }
  }, 60_000);
});
