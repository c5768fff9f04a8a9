// librdkafka through kcat (Debian package `kcat`): metadata, produce, consume, and a consumer group
// with committed offsets. Skipped when kcat is not installed (CI installs it).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';


const hasKcat = spawnSync('kcat', ['-V']).status === 0;

let h: TwinHarness;
let bootstrap: string;

async function kcat(args: string[], input?: string): Promise<string> {
  const child = execFile('kcat', ['-b', bootstrap, ...args], { timeout: 20_000 });
  if (input !== undefined) child.stdin?.end(input);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${code}`);
  return out;
}

describe.skipIf(!hasKcat)('kcat (librdkafka)', () => {
  beforeAll(async () => {
    h = await startTwin(kafkaTwin, { brokers: 2, topics: [{ name: 'events', partitions: 3 }] }, { seed: 5 });
    bootstrap = h.twin.endpoints.bootstrap!;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('lists brokers and topics with -L (JSON)', async () => {
    const meta = JSON.parse(await kcat(['-L', '-J'])) as { brokers: Array<{ id: number }>; topics: Array<{ topic: string; partitions: Array<{ leader: number }> }> };
    expect(meta.brokers.map((b) => b.id).sort()).toEqual([0, 1]);
    const events = meta.topics.find((t) => t.topic === 'events')!;
    expect(events.partitions).toHaveLength(3);
    expect(new Set(events.partitions.map((p) => p.leader))).toEqual(new Set([0, 1]));
  });

  it('produces keyed messages (gzip) and consumes them back with -e', async () => {
    await kcat(['-P', '-t', 'events', '-K', ':', '-z', 'gzip'], 'k1:one\nk2:two\nk3:three\nk1:four\n');
    const out = await kcat(['-C', '-t', 'events', '-e', '-q', '-f', '%k=%s\\n']);
    const lines = out.trim().split('\n').sort();
    expect(lines).toEqual(['k1=four', 'k1=one', 'k2=two', 'k3=three']);
  });

  it.each(['snappy', 'lz4', 'zstd'])('produces %s-compressed batches that the twin decodes and kcat reads back', async (codec) => {
    const topic = `codec-${codec}`;
    await kcat(['-P', '-t', topic, '-z', codec, '-K', ':'], Array.from({ length: 50 }, (_, i) => `k${i}:${codec}-${i}-${'z'.repeat(200)}`).join('\n') + '\n');
    const s = (await h.twin.inspect({ topic })) as { topics: Array<{ partitions: Array<{ records: Array<{ value: string }> }> }> };
    const values = s.topics[0]!.partitions.flatMap((p) => p.records.map((r) => r.value));
    expect(values).toHaveLength(50);
    expect(values).toContain(`${codec}-7-${'z'.repeat(200)}`);
    const out = await kcat(['-C', '-t', topic, '-e', '-q', '-f', '%s\n']);
    expect(out.trim().split('\n')).toHaveLength(50);
  });

  it('consumes in a group (-G) and commits offsets the twin shows', async () => {
    const out = await kcat(['-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%s\\n', 'events']);
    expect(out.trim().split('\n').sort()).toEqual(['four', 'one', 'three', 'two']);
    const state = (await h.twin.inspect({ group: 'kcat-group' })) as { groups: Array<{ offsets: Array<{ topic: string; offset: number }> }> };
    const committed = state.groups[0]!.offsets.filter((o) => o.topic === 'events');
    expect(committed.reduce((n, o) => n + o.offset, 0)).toBe(4);
    const versions = new Set(h.journal.query({ type: 'request' }).events.filter((e) => e.data?.clientId === 'rdkafka').map((e) => `${e.data?.api} v${e.data?.version}`));
    // librdkafka negotiates flexible versions (compact strings, tagged fields) where we offer them.
    expect(versions).toContain('ApiVersions v3');
  });

  it('two kcat group members split the partitions; when one is killed the other takes them all', async () => {
    const member = (): { child: ChildProcess; assigned: string[] } => {
      const child = spawn('kcat', ['-b', bootstrap, '-G', 'kcat-pair', '-X', 'session.timeout.ms=2000', '-X', 'heartbeat.interval.ms=200', 'events'], { stdio: ['ignore', 'ignore', 'pipe'] });
      const assigned: string[] = [];
      let buffered = '';
      child.stderr?.on('data', (d: Buffer) => {
        buffered += d.toString();
        for (const m of buffered.matchAll(/assigned: ([^\n]*)\n/g)) assigned.push(m[1]!.trim());
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
      return { child, assigned };
    };
    const until = async (check: () => boolean): Promise<void> => {
      const end = Date.now() + 20_000;
      while (!check()) {
        if (Date.now() > end) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const count = (a: string | undefined): number => (a ? a.split(',').filter((x) => x.trim()).length : 0);
    const a = member();
    try {
      await until(() => count(a.assigned.at(-1)) === 3);
      const b = member();
      await until(() => b.assigned.length > 0 && count(a.assigned.at(-1)) + count(b.assigned.at(-1)) === 3 && count(b.assigned.at(-1)) > 0);
      expect(count(a.assigned.at(-1))).toBeGreaterThan(0);
      b.child.kill('SIGKILL');
      await until(() => count(a.assigned.at(-1)) === 3 && a.assigned.length >= 3);
      expect(h.journal.query({ type: 'state' }).events.some((e) => e.summary.includes('kcat-pair') && e.summary.includes('session timed out'))).toBe(true);
    } finally {
      a.child.kill('SIGKILL');
    }
  }, 45_000);

  it('a static member (group.instance.id) restarted within its session keeps its partitions without a rebalance', async () => {
    const member = (extra: string[]): { child: ChildProcess; assigned: string[] } => {
      const child = spawn('kcat', ['-b', bootstrap, '-G', 'kcat-static', '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=200', ...extra, 'events'], { stdio: ['ignore', 'ignore', 'pipe'] });
      const assigned: string[] = [];
      let buffered = '';
      child.stderr?.on('data', (d: Buffer) => {
        buffered += d.toString();
        for (const m of buffered.matchAll(/assigned: ([^\n]*)\n/g)) assigned.push(m[1]!.trim());
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
      return { child, assigned };
    };
    const until = async (check: () => boolean): Promise<void> => {
      const end = Date.now() + 20_000;
      while (!check()) {
        if (Date.now() > end) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const generation = async (): Promise<number> => ((await h.twin.inspect({ group: 'kcat-static' })) as { groups: Array<{ generation: number }> }).groups[0]!.generation;
    // The plain member joins first so it leads; a restarted leader would rebalance.
    const leader = member([]);
    await until(() => (leader.assigned.at(-1)?.split(',').length ?? 0) === 3);
    let first = member(['-X', 'group.instance.id=static-1']);
    try {
      await until(() => first.assigned.length > 0 && leader.assigned.length > 0 && (leader.assigned.at(-1)?.split(',').length ?? 0) < 3);
      const before = await generation();
      const mine = first.assigned.at(-1);
      first.child.kill('SIGKILL');
      first = member(['-X', 'group.instance.id=static-1']);
      await until(() => first.assigned.length > 0);
      expect(first.assigned.at(-1)).toBe(mine);
      expect(await generation()).toBe(before);
      expect(h.journal.query({ type: 'state' }).events.some((e) => e.summary.includes('static member static-1 rejoined'))).toBe(true);
    } finally {
      first.child.kill('SIGKILL');
      leader.child.kill('SIGKILL');
    }
  }, 45_000);
});
