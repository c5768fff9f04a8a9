// How connection rules meet connections: toxicity per connection by seed, direction, stacking,
// rules arriving on open connections, and removal under traffic never stalling it (Toxiproxy #558).
import type net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTwinContext, FaultEngine, Journal, silentLogger } from '../../src/core/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { tcpTwin } from '../../twins/tcp/index.ts';
import { connect, portOf, roundTrip, sleep, startEcho, type EchoServer } from './sockets.ts';

let echo: EchoServer;
const harnesses: TwinHarness[] = [];

beforeEach(async () => {
  echo = await startEcho();
});

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
  await echo.close();
});

async function twin(seed: number): Promise<{ h: TwinHarness; port: number }> {
  const h = await startTwin(tcpTwin, { upstream: echo.address }, { seed });
  harnesses.push(h);
  return { h, port: portOf(h.twin.endpoints.address) };
}

type Inspect = { connections: Array<{ toxics: { upstream: string[]; downstream: string[] } }> };
const toxicsOf = async (h: TwinHarness): Promise<Inspect['connections'][number]['toxics']> =>
  ((await h.twin.inspect()) as Inspect).connections[0]!.toxics;

/** Opens `n` connections one after another; returns which ones got the toxic (by journal). */
async function faultedConnections(seed: number, n: number): Promise<number[]> {
  const { h, port } = await twin(seed);
  h.addRule({ id: 'flaky', point: 'connection', action: { latency: { latency: 60 } }, trigger: { probability: 0.3 } });
  const slow: number[] = [];
  for (let i = 1; i <= n; i++) {
    const socket = await connect(port);
    const ms = await roundTrip(socket, Buffer.from('x'));
    socket.destroy();
    const faulted = h.journal.query({ rule: 'flaky' }).events.some((e) => e.summary.includes(`#${i} `));
    if (faulted) {
      expect(ms).toBeGreaterThanOrEqual(59); // the decision is the effect
      slow.push(i);
    }
  }
  return slow;
}

describe('connection rules', () => {
  it('toxicity decides per connection, the same way for the same seed', async () => {
    const a = await faultedConnections(7, 40);
    const b = await faultedConnections(7, 40);
    const c = await faultedConnections(8, 40);
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(3);
    expect(a.length).toBeLessThan(25);
    expect(c).not.toEqual(a);
  });

  it('a rule without direction acts downstream only, as Toxiproxy', async () => {
    const { h, port } = await twin(1);
    h.addRule({ id: 'down-lat', point: 'connection', action: { latency: { latency: 1 } } });
    h.addRule({ id: 'up-lat', point: 'connection', match: { direction: 'upstream' }, action: { latency: { latency: 1 } } });
    const socket = await connect(port);
    expect(await toxicsOf(h)).toEqual({ upstream: ['up-lat'], downstream: ['down-lat'] });
    // The journal reads open → each decision with its rule id.
    const events = h.journal.query().events.map((e) => `${e.type}:${e.fault?.rule ?? e.data?.event}`);
    expect(events).toEqual(['connection:open', 'fault:up-lat', 'fault:down-lat']);
    socket.destroy();
  });

  it('firing rules stack in the order they were added', async () => {
    const { h, port } = await twin(1);
    h.addRule({ id: 'first', point: 'connection', action: { latency: { latency: 30 } } });
    h.addRule({ id: 'second', point: 'connection', action: { slicer: { average_size: 2 } } });
    const socket = await connect(port);
    h.addRule({ id: 'third', point: 'connection', action: { latency: { latency: 30 } } });
    expect((await toxicsOf(h)).downstream).toEqual(['first', 'second', 'third']);
    expect(await roundTrip(socket, Buffer.from('abcdef'))).toBeGreaterThanOrEqual(59);
    socket.destroy();
  });

  it('a rule added while a connection is open acts on it; removed, it stops', async () => {
    const { h, port } = await twin(1);
    const socket = await connect(port);
    await roundTrip(socket, Buffer.from('warm'));
    h.addRule({ id: 'late', point: 'connection', action: { latency: { latency: 150 } } });
    expect(await roundTrip(socket, Buffer.from('slow'))).toBeGreaterThanOrEqual(149);
    h.faults.remove('late');
    expect((await toxicsOf(h)).downstream).toEqual([]);
    socket.destroy();
  });

  it('removing rules under a loop of round trips does not stall traffic', { timeout: 120_000 }, async () => {
    const { h, port } = await twin(3);
    const sockets: net.Socket[] = await Promise.all([1, 2, 3, 4].map(() => connect(port)));
    let stop = false;
    const counts = sockets.map(() => 0);
    const loops = sockets.map(async (socket, i) => {
      while (!stop) {
        await roundTrip(socket, Buffer.alloc(512, i), 10_000);
        counts[i]!++;
      }
    });
    for (let round = 0; round < 5; round++) {
      // Held bytes in every kind of holding toxic, both ways, then the rules go mid-flight.
      h.addRule({ id: `lat-${round}`, point: 'connection', action: { latency: { latency: 200, jitter: 100 } } });
      h.addRule({ id: `bw-${round}`, point: 'connection', match: { direction: 'upstream' }, action: { bandwidth: { rate: 0 } } });
      h.addRule({ id: `sl-${round}`, point: 'connection', action: { slicer: { average_size: 16, delay: 1000 } } });
      await sleep(150);
      const before = counts.reduce((a, b) => a + b, 0);
      h.faults.remove(`bw-${round}`);
      h.faults.remove(`lat-${round}`);
      h.faults.remove(`sl-${round}`);
      // Awaited, not given a window: a stalled round trip fails its own 10 s timeout.
      while (counts.reduce((a, b) => a + b, 0) < before + 40) await Promise.race([sleep(10), ...loops]);
    }
    while (!counts.every((n) => n > 40)) await Promise.race([sleep(10), ...loops]);
    stop = true;
    await Promise.all(loops);
    for (const socket of sockets) socket.destroy();
  });

  it('rules set before the twin starts apply from the first connection', async () => {
    const journal = new Journal();
    const faults = new FaultEngine({ seed: 2, journal, twins: { kindOf: () => tcpTwin, names: () => ['early'] } });
    faults.add({ id: 'pre', twin: 'early', point: 'connection', action: { latency: { latency: 80 } } });
    const ctx = createTwinContext({ envId: 't', name: 'early', seed: 2, host: '127.0.0.1', journal, faults, log: silentLogger });
    const running = await tcpTwin.start({ upstream: echo.address }, ctx);
    try {
      const socket = await connect(portOf(running.endpoints.address));
      expect(await roundTrip(socket, Buffer.from('x'))).toBeGreaterThanOrEqual(79);
      socket.destroy();
    } finally {
      await running.stop();
    }
  });
});
