// Issue 11, item 13: Node's setTimeout turns a delay of 2³¹ ms or more into 1 ms. A user's delay that
// long must still be a delay (a hang-like delay stays a hang), and the latency toxic must not spin a
// 1 ms timer for ever.
import type net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { longTimeout, MAX_TIMER_MS, sleep } from '../../src/core/index.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { tcpTwin } from '../../twins/tcp/index.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { connect, portOf, startEcho, type EchoServer } from '../tcp/sockets.ts';

const LONG = 2 ** 31 + 1000;

describe('longTimeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the whole delay past 2³¹ ms, never fires for Infinity, and cancels', async () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    longTimeout(() => fired.push('long'), LONG);
    longTimeout(() => fired.push('forever'), Infinity);
    const cancelled = longTimeout(() => fired.push('cancelled'), MAX_TIMER_MS + 10);
    void sleep(LONG).then(() => fired.push('sleep'));
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    cancelled.cancel();
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(LONG - MAX_TIMER_MS - 1);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(['long', 'sleep']);
    await vi.advanceTimersByTimeAsync(10 * MAX_TIMER_MS);
    expect(fired).toEqual(['long', 'sleep']);
    expect(vi.getTimerCount()).toBe(1); // the infinite one, chained
  });
});

describe('a delay action of 2³¹ ms and more', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp?.[Symbol.asyncDispose]();
  });

  it('holds the http answer instead of sending it after 1 ms', async () => {
    const env = await cp.createEnv({
      twins: { api: { kind: 'http', stubs: [{ request: { path: '/slow' }, response: { status: 200, body: 'late' } }] } },
      faults: [{ twin: 'api', point: 'request', action: { delay: { ms: LONG } } }],
    });
    const answer = await fetch(`${env.twins.api.endpoints.url}/slow`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status,
      (error: Error) => error.name,
    );
    expect(answer).toBe('TimeoutError');
    // Destroying the environment cancels the held answer's timer.
    expect((await cp.call('DELETE', `/environments/${env.id}`, { token: env.token })).status).toBe(204);
  });
});

describe('a latency toxic of 2³¹ ms and more', () => {
  let echo: EchoServer;
  let h: TwinHarness;
  let socket: net.Socket | undefined;
  beforeAll(async () => {
    echo = await startEcho();
    h = await startTwin(tcpTwin, { upstream: echo.address });
  });
  afterAll(async () => {
    socket?.destroy();
    await h?.stop();
    await echo?.close();
  });

  it('holds the bytes without spinning a timer', async () => {
    h.addRule({ id: 'slow', point: 'connection', action: { latency: { latency: LONG } } });
    socket = await connect(portOf(h.twin.endpoints.address));
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      socket.write('x');
      await new Promise((resolve) => setTimeout(resolve, 500));
      // One timer per held chunk (and a few of the test's own); a 1 ms spin would be hundreds.
      expect(timers.mock.calls.length).toBeLessThan(20);
    } finally {
      timers.mockRestore();
    }
    expect(Buffer.concat(received).length).toBe(0);
  });
});

describe('an oidc key rotation with a grace of 30 days', () => {
  let h: TwinHarness;
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps the old key for the grace instead of re-checking it every millisecond', async () => {
    h = await startTwin(oidcTwin, {}, { seed: 1 });
    const rotation = (await h.twin.actions?.['rotate-keys']?.({ graceSeconds: 30 * 24 * 3600 })) as { kid: string; previousKid: string };
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The retirement timer overflowed to 1 ms: the provider was rebuilt and rescheduled in a loop.
      expect(timers.mock.calls.length).toBeLessThan(20);
    } finally {
      timers.mockRestore();
    }
    const jwks = (await (await fetch(h.twin.endpoints.jwks as string)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotation.kid, rotation.previousKid]);
  });
});
