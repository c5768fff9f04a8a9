// The tcp twin as a proxy: endpoints, byte integrity, half-close, inspect, journal, actions, reset.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { tcpTwin } from '../../twins/tcp/index.ts';
import { collectUntilClose, connect, connectError, portOf, roundTrip, sleep, startEcho, type EchoServer } from './sockets.ts';

let echo: EchoServer;
let h: TwinHarness;
let port: number;

beforeEach(async () => {
  echo = await startEcho();
  h = await startTwin(tcpTwin, { upstream: echo.address }, { seed: 7, name: 'cache' });
  port = portOf(h.twin.endpoints.address);
});

afterEach(async () => {
  await h.stop();
  await echo.close();
});

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('tcp twin', () => {
  it('exposes its address, url and env var', () => {
    expect(h.twin.endpoints.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(h.twin.endpoints.url).toBe(`tcp://${h.twin.endpoints.address}`);
    expect(h.twin.env).toEqual({ TCP_CACHE_ADDR: h.twin.endpoints.address });
  });

  it('carries 4 MiB both ways intact, and a client FIN comes back as the upstream FIN', async () => {
    const socket = await connect(port);
    const payload = randomBytes(4 << 20);
    const ending = collectUntilClose(socket);
    socket.end(payload);
    const result = await ending;
    expect(result.error).toBeUndefined();
    expect(result.bytes).toBe(payload.length);
    expect(sha(Buffer.concat(result.chunks))).toBe(sha(payload));
  });

  it('an upstream FIN reaches the client while the client can still send (half-close)', async () => {
    let heard = '';
    const upstream = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.end('bye first');
      socket.on('data', (chunk: Buffer) => {
        heard += chunk.toString();
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const upstreamEnded = new Promise<void>((resolve) => upstream.on('connection', (s) => s.on('end', resolve)));
    try {
      await h.twin.actions!['set-upstream']!({ upstream: `127.0.0.1:${(upstream.address() as net.AddressInfo).port}` });
      const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      let got = '';
      socket.on('data', (chunk: Buffer) => {
        got += chunk.toString();
      });
      await once(socket, 'end');
      expect(got).toBe('bye first');
      socket.end('still talking');
      await upstreamEnded;
      expect(heard).toBe('still talking');
    } finally {
      upstream.close();
    }
  });

  it('inspect shows open connections with byte counts; the journal has open and close', async () => {
    const socket = await connect(port);
    await roundTrip(socket, Buffer.alloc(100, 1));
    const state = (await h.twin.inspect()) as { connections: Array<{ bytesIn: number; bytesOut: number }>; totals: { open: number } };
    expect(state.totals.open).toBe(1);
    expect(state.connections[0]).toMatchObject({ bytesIn: 100, bytesOut: 100 });
    const closed = once(socket, 'close');
    socket.end();
    await closed;
    await sleep(50);
    const events = h.journal.query({ type: 'connection' }).events;
    expect(events.map((e) => e.data?.event)).toEqual(['open', 'close']);
    expect(events[1]!.data).toMatchObject({ bytesIn: 100, bytesOut: 100 });
  });

  it('reset closes open connections and keeps serving', async () => {
    const socket = await connect(port);
    const ending = collectUntilClose(socket);
    await h.twin.reset();
    expect((await ending).ms).toBeLessThan(10_000);
    const again = await connect(port);
    expect(await roundTrip(again, Buffer.from('ok'))).toBeGreaterThanOrEqual(0);
    again.destroy();
  });

  it('disable refuses connections and closes open ones; enable brings the port back', async () => {
    const open = await connect(port);
    const ending = collectUntilClose(open);
    await h.twin.actions!.disable!({});
    expect((await ending).ms).toBeLessThan(10_000);
    expect((await connectError(port))?.code).toBe('ECONNREFUSED');
    expect(await h.twin.inspect()).toMatchObject({ enabled: false });
    await h.twin.actions!.enable!({});
    const socket = await connect(port);
    await roundTrip(socket, Buffer.from('back'));
    socket.destroy();
  });

  it('set-upstream sends new connections to the new upstream', async () => {
    const other = await startEcho();
    try {
      await h.twin.actions!['set-upstream']!({ upstream: other.address });
      const socket = await connect(port);
      await roundTrip(socket, Buffer.from('x'));
      expect(other.accepted()).toBe(1);
      socket.destroy();
      expect(await h.twin.inspect()).toMatchObject({ upstream: other.address });
    } finally {
      await other.close();
    }
  });

  it('closes the client when the upstream refuses, and journals why', async () => {
    const gone = await startEcho();
    await gone.close();
    await h.twin.actions!['set-upstream']!({ upstream: gone.address });
    const socket = await connect(port);
    const result = await collectUntilClose(socket);
    expect(result.ms).toBeLessThan(10_000);
    expect(h.journal.query({ type: 'upstream' }).events[0]?.summary).toContain('ECONNREFUSED');
  });

  it('a pinned port that is taken is a clear error', async () => {
    await expect(startTwin(tcpTwin, { upstream: echo.address, port }, { name: 'dup' })).rejects.toMatchObject({
      code: 'STANDIN_ERR_TWIN_PORT_IN_USE',
    });
  });
});
