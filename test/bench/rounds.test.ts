// The http-class benches' helpers: rounds rotate, ratios pair within a round, and a server in its
// own process is charged the CPU it spends (read from /proc) and goes away when stopped.
import { describe, expect, it } from 'vitest';
import { processCpuMicros } from '../../bench/support/proc-cpu.ts';
import { inGroups, inRounds, median, paired, rotated, signTest } from '../../bench/support/rounds.ts';
import { startServerProcess } from '../../bench/support/server-process.ts';

describe('bench rounds', () => {
  it('starts each round with the next system', () => {
    expect([0, 1, 2, 3].map((r) => rotated(['a', 'b', 'c'], r).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
  });

  it('runs every system once per round and keeps their samples in round order', async () => {
    const order: string[] = [];
    let n = 0;
    const { samples, load } = await inRounds(['a', 'b'], 3, async (s) => {
      order.push(s);
      return { rate: ++n, cpuPerOp: 0, clientCpuPerOp: 0 };
    });
    expect(order.join('')).toBe('abbaab');
    expect(samples.a.map((s) => s.rate)).toEqual([1, 4, 5]);
    expect(samples.b.map((s) => s.rate)).toEqual([2, 3, 6]);
    expect(load).toHaveLength(3);
  });

  it('runs the two sides of a pair back to back, pairs and sides taking turns to go first', async () => {
    const order: string[] = [];
    const { samples } = await inGroups(
      [
        ['A', 'a'],
        ['B', 'b'],
      ],
      4,
      async (s) => {
        order.push(s);
        return { rate: order.length, cpuPerOp: 0, clientCpuPerOp: 0 };
      },
    );
    expect(order.join(' ')).toBe('A a B b b B a A A a B b b B a A');
    expect(samples.A.map((s) => s.rate)).toEqual([1, 8, 9, 16]);
  });

  it('pairs ratios within a round, so a slow round does not move the median', () => {
    const twin = [100, 10, 100, 100, 100].map((rate) => ({ rate, cpuPerOp: 1, clientCpuPerOp: 1 }));
    const base = [125, 12.5, 125, 200, 110].map((rate) => ({ rate, cpuPerOp: 1, clientCpuPerOp: 1 }));
    const p = paired(twin, base, 'rate');
    expect(p.median).toBe(0.8);
    expect(p.min).toBe(0.5);
    expect(p.max).toBeCloseTo(100 / 110);
    expect(median([3, 1, 2, 4])).toBe(2.5);
  });

  it('tells a twin that loses too many rounds for a coin from one that ties with its baseline', () => {
    // 12 wins, 12 losses: a coin. 6 wins, 18 losses: P(≥ 18 of 24 heads) = 0.0113.
    expect(signTest([...Array(12).fill(1.02), ...Array(12).fill(0.98)]).p).toBeGreaterThan(0.5);
    const slow = signTest([...Array(6).fill(1.01), ...Array(18).fill(0.99)]);
    expect(slow).toMatchObject({ wins: 6, losses: 18 });
    expect(slow.p).toBeCloseTo(0.011328, 5);
    // Ties count for neither side.
    expect(signTest([1, 1, 1, 0.9])).toMatchObject({ wins: 0, losses: 1, p: 0.5 });
  });
});

describe('bench server process', () => {
  it('reads the CPU a process has spent from /proc', () => {
    const before = processCpuMicros(process.pid);
    const usage = process.cpuUsage();
    let x = 0;
    for (let i = 0; i < 1e8; i++) x = (x + i) % 1_000_003;
    const spent = process.cpuUsage(usage);
    const charged = processCpuMicros(process.pid) - before;
    expect(x).toBeGreaterThanOrEqual(0);
    // /proc counts in clock ticks (10 ms), process.cpuUsage in µs: equal within a few ticks.
    expect(Math.abs(charged - (spent.user + spent.system))).toBeLessThan(50_000);
  });

  it('serves from its own pid, is charged for the requests, and exits when stopped', async () => {
    const server = await startServerProcess<{ url: string }>(new URL('../../bench/targets/http-server.ts', import.meta.url), ['fastify']);
    expect(server.pid).not.toBe(process.pid);
    const before = server.cpuMicros();
    for (let i = 0; i < 200; i++) expect((await fetch(server.info.url)).status).toBe(200);
    expect(server.cpuMicros()).toBeGreaterThan(before);
    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow();
  }, 120_000);
});
