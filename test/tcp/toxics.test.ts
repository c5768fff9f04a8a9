// Each toxic's effect on a real connection through the tcp twin to a real echo server. Timings are
// lower bounds, or upper bounds of seconds: the machine is shared and noisy.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { tcpTwin } from '../../twins/tcp/index.ts';
import { collectUntilClose, connect, connectError, connectEventually, portOf, roundTrip, sleep, startEcho, type EchoServer } from './sockets.ts';

let echo: EchoServer;
let h: TwinHarness;
let port: number;

beforeEach(async () => {
  echo = await startEcho();
  h = await startTwin(tcpTwin, { upstream: echo.address }, { seed: 11 });
  port = portOf(h.twin.endpoints.address);
});

afterEach(async () => {
  await h.stop();
  await echo.close();
});

const toxic = (action: Record<string, unknown>, direction?: 'upstream' | 'downstream') =>
  h.addRule({ point: 'connection', action, ...(direction ? { match: { direction } } : {}) });

describe('toxics on a real connection', () => {
  it('latency adds at least the delay, per direction, and stacks', async () => {
    toxic({ latency: { latency: 120 } });
    let socket = await connect(port);
    expect(await roundTrip(socket, Buffer.from('ping'))).toBeGreaterThanOrEqual(119);
    socket.destroy();
    toxic({ latency: { latency: 80, jitter: 10 } }, 'upstream');
    socket = await connect(port);
    expect(await roundTrip(socket, Buffer.from('ping'))).toBeGreaterThanOrEqual(120 + 70 - 1);
    socket.destroy();
  });

  it('limit_data closes the connection after exactly `bytes` bytes', async () => {
    toxic({ limit_data: { bytes: 10 } });
    const socket = await connect(port);
    const ending = collectUntilClose(socket);
    socket.write(Buffer.alloc(100, 7));
    const result = await ending;
    expect(result.bytes).toBe(10);
    expect(result.ms).toBeLessThan(10_000);
  });

  it('reset_peer resets the connection: the client sees ECONNRESET', async () => {
    toxic({ reset_peer: { timeout: 50 } });
    const socket = await connect(port);
    const ending = collectUntilClose(socket);
    socket.write('hello');
    const result = await ending;
    expect(result.error?.code).toBe('ECONNRESET');
    expect(result.bytes).toBe(0);
    expect(result.ms).toBeGreaterThanOrEqual(49);
  });

  it('bandwidth bounds the rate: 100 KB at 100 KB/s take about a second', async () => {
    toxic({ bandwidth: { rate: 100 } });
    const socket = await connect(port);
    const ms = await roundTrip(socket, Buffer.alloc(100_000, 3), 20_000);
    expect(ms).toBeGreaterThanOrEqual(850);
    expect(ms).toBeLessThan(15_000);
    socket.destroy();
  });

  it('slicer splits one write into many small reads', async () => {
    const socket = await connect(port);
    const reads: number[] = [];
    socket.on('data', (chunk: Buffer) => reads.push(chunk.length));
    await roundTrip(socket, Buffer.alloc(200, 1));
    const unsliced = reads.length;
    reads.length = 0;
    socket.destroy();
    toxic({ slicer: { average_size: 10, size_variation: 5, delay: 3000 } });
    const sliced = await connect(port);
    sliced.on('data', (chunk: Buffer) => reads.push(chunk.length));
    await roundTrip(sliced, Buffer.alloc(200, 1));
    expect(unsliced).toBeLessThanOrEqual(2);
    expect(reads.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...reads)).toBeLessThan(200);
    sliced.destroy();
  });

  it('timeout stops all data; with a timeout it then closes the connection', async () => {
    const rule = toxic({ timeout: { timeout: 0 } });
    const socket = await connect(port);
    await expect(roundTrip(socket, Buffer.from('lost'), 500)).rejects.toThrow(/no echo/);
    expect(socket.destroyed).toBe(false);
    socket.destroy();
    h.faults.remove(rule.id);
    toxic({ timeout: { timeout: 300 } });
    const closing = await connect(port);
    const ending = collectUntilClose(closing);
    closing.write('lost too');
    const result = await ending;
    expect(result.bytes).toBe(0);
    expect(result.ms).toBeGreaterThanOrEqual(250);
    expect(result.ms).toBeLessThan(10_000);
  });

  it('slow_close delays the close by `delay` ms', async () => {
    toxic({ slow_close: { delay: 300 } });
    const socket = await connect(port);
    const ending = collectUntilClose(socket);
    socket.end('bye');
    const result = await ending;
    expect(result.bytes).toBe(3);
    expect(result.ms).toBeGreaterThanOrEqual(299);
  });

  it('down refuses connections and closes open ones while the rule holds', async () => {
    const open = await connect(port);
    const ending = collectUntilClose(open);
    const rule = toxic({ down: {} });
    expect((await ending).ms).toBeLessThan(10_000);
    expect((await connectError(port))?.code).toBe('ECONNREFUSED');
    h.faults.remove(rule.id);
    const socket = await connectEventually(port);
    await roundTrip(socket, Buffer.from('up again'));
    socket.destroy();
  });

  it('a down rule with `until` lifts by itself', async () => {
    h.addRule({ point: 'connection', action: { down: {} }, trigger: { until: 300 } });
    expect((await connectError(port))?.code).toBe('ECONNREFUSED');
    await sleep(300);
    const socket = await connectEventually(port);
    await roundTrip(socket, Buffer.from('lifted'));
    socket.destroy();
  });
});
