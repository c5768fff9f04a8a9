// The fast path and the switch: a connection no toxic acts on is the bare socket; adding a rule
// splices the toxics into open connections, removing it takes them out, and no byte in flight is
// lost or reordered either way. Long seeded streams both ways over real sockets, checked by digest.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultEngine } from '../fault-engine.ts';
import { Journal } from '../journal.ts';
import { createTwinContext } from '../twin-context.ts';
import { silentLogger, type TwinContext, type TwinKind } from '../twin.ts';
import { connectionPoint, listenLinked } from './index.ts';

const kind = { kind: 'probe', points: [connectionPoint] } as unknown as TwinKind;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function context(): { ctx: TwinContext; faults: FaultEngine } {
  const journal = new Journal();
  const faults = new FaultEngine({ seed: 11, journal, twins: { kindOf: () => kind, names: () => ['probe'] } });
  const ctx = createTwinContext({ envId: 'e', name: 'probe', seed: 11, host: '127.0.0.1', journal, faults, log: silentLogger });
  return { ctx, faults };
}

const CHUNK = 64 * 1024;

/** A seeded byte stream, chunk by chunk: every chunk differs, so a lost or swapped one changes the digest. */
function* stream(seed: number, bytes: number): Generator<Buffer> {
  let x = seed >>> 0 || 1;
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, bytes - sent));
    for (let i = 0; i < chunk.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      chunk.writeUInt32LE(x >>> 0, i);
    }
    yield chunk;
  }
}

function digestOf(seed: number, bytes: number): string {
  const hash = createHash('sha256');
  for (const chunk of stream(seed, bytes)) hash.update(chunk);
  return hash.digest('hex');
}

/** Writes the stream with backpressure, then ends. */
async function pump(socket: net.Socket, seed: number, bytes: number): Promise<void> {
  for (const chunk of stream(seed, bytes)) {
    if (!socket.write(chunk)) await once(socket, 'drain');
  }
  socket.end();
}

/** Reads to the end: digest and byte count; `onBytes` sees the progress. */
function drain(socket: net.Socket, onBytes: (n: number) => void): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
    onBytes(chunk.length);
  });
  return new Promise((resolve, reject) => {
    socket.once('end', () => resolve({ digest: hash.digest('hex'), bytes }));
    socket.once('error', reject);
  });
}

describe('link fast path and live switch', () => {
  it('adds and removes toxics on open connections under load without losing or reordering a byte, both ways', { timeout: 180_000 }, async () => {
    const { ctx, faults } = context();
    const BYTES = 12 * 1024 * 1024;
    const CONNECTIONS = 3;
    let moved = 0;
    const twinSides: Array<Promise<{ digest: string; bytes: number }>> = [];
    const link = await listenLinked(ctx, {}, (socket, info) => {
      socket.allowHalfOpen = true; // each side ends its own stream when it is sent
      twinSides.push(drain(socket, (n) => (moved += n)));
      void pump(socket, 1000 + info.id, BYTES);
    });
    cleanups.push(() => link.close());

    const clients = Array.from({ length: CONNECTIONS }, () => net.connect({ port: link.port, host: '127.0.0.1', allowHalfOpen: true }));
    await Promise.all(clients.map((c) => once(c, 'connect')));
    const clientSides = clients.map((c) => drain(c, (n) => (moved += n)));
    clients.forEach((c, i) => void pump(c, 1 + i, BYTES));
    // Wait until the twin saw every connection (the handler runs on accept).
    while (twinSides.length < CONNECTIONS) await new Promise((resolve) => setImmediate(resolve));
    let finished = false;
    const all = Promise.all([...clientSides, ...twinSides]).finally(() => {
      finished = true;
    });

    // Toggle rules as the bytes move: on for a while, off for a while, until both ways are done.
    // Each rule slices, delays with jitter and throttles, in one direction or both.
    const rules = [
      { id: 'slice-down', point: 'connection', action: { slicer: { average_size: 700, size_variation: 500, delay: 5 } } },
      { id: 'slow-up', point: 'connection', match: { direction: 'upstream' }, action: { latency: { latency: 1, jitter: 2 } } },
      { id: 'slice-up', point: 'connection', match: { direction: 'upstream' }, action: { slicer: { average_size: 3000, size_variation: 2000 } } },
      { id: 'narrow-down', point: 'connection', action: { bandwidth: { rate: 200_000 } } },
    ];
    let switches = 0;
    let sawToxics = false;
    const progress = async (bytes: number): Promise<void> => {
      const target = moved + bytes;
      while (!finished && moved < target) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    for (let round = 0; !finished; round++) {
      const on = rules.filter((_, i) => (round >> i) % 2 === 0 || i === round % rules.length);
      for (const rule of on) faults.add({ ...rule, twin: 'probe' });
      if (!finished && link.connections().some((c) => c.toxics.upstream.length + c.toxics.downstream.length > 0)) sawToxics = true;
      await progress(2 * 1024 * 1024);
      for (const rule of on) faults.remove(rule.id);
      switches++;
      await progress(1024 * 1024);
    }
    const results = await all;
    for (let i = 0; i < CONNECTIONS; i++) {
      expect(results[i], `client ${i} received the twin's stream`).toEqual({ digest: digestOf(1000 + i + 1, BYTES), bytes: BYTES });
    }
    const received = results.slice(CONNECTIONS).map((r) => r.digest).sort();
    const sent = clients.map((_, i) => digestOf(1 + i, BYTES)).sort();
    expect(received, "the twin received each client's stream").toEqual(sent);
    expect(sawToxics).toBe(true);
    expect(switches).toBeGreaterThanOrEqual(3);
    for (const c of clients) c.destroy();
  });

  it('a twin that writes and destroys its socket while a toxic holds the bytes: they arrive, then the FIN; a reset stays a reset', { timeout: 30_000 }, async () => {
    const { ctx, faults } = context();
    faults.add({ id: 'slow', twin: 'probe', point: 'connection', action: { latency: { latency: 100 } } });
    const link = await listenLinked(ctx, {}, (socket) => {
      socket.once('data', (chunk: Buffer) => {
        if (chunk.toString() === 'reset') return void socket.resetAndDestroy();
        socket.write('bye');
        socket.destroy();
      });
    });
    cleanups.push(() => link.close());

    const polite = net.connect({ port: link.port, host: '127.0.0.1' });
    await once(polite, 'connect');
    polite.write('hi');
    const received = drain(polite, () => {});
    expect(await received).toEqual({ digest: createHash('sha256').update('bye').digest('hex'), bytes: 3 });

    const rude = net.connect({ port: link.port, host: '127.0.0.1' });
    await once(rude, 'connect');
    rude.write('reset');
    const [error] = (await once(rude, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNRESET');
    for (let i = 0; i < 500 && link.totals().open > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(link.totals().open).toBe(0);
  });

  it('a rule added to an open keep-alive HTTP connection acts on it, each way, and the connection is bare again once it goes', { timeout: 60_000 }, async () => {
    const { ctx, faults } = context();
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(`hello ${req.url}`));
    });
    const sockets: net.Socket[] = [];
    const link = await listenLinked(ctx, {}, (socket) => {
      sockets.push(socket);
      server.emit('connection', socket);
    });
    cleanups.push(() => link.close());
    // Bare: the socket writes and reads with net.Socket's own methods, no layer in between.
    const bare = (socket: net.Socket | undefined): boolean => socket !== undefined && !Object.hasOwn(socket, '_write') && !Object.hasOwn(socket, 'push');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());

    expect(await get(link.port, '/before', agent)).toBe('hello /before');
    expect(link.connections().map((c) => c.toxics)).toEqual([{ upstream: [], downstream: [] }]);
    expect(bare(sockets[0])).toBe(true);

    // Upstream: http.Server's parser reads the socket's handle itself; the toxic must still see the request.
    faults.add({ id: 'cut-up', twin: 'probe', point: 'connection', match: { direction: 'upstream' }, action: { limit_data: { bytes: 10 } } });
    expect(link.connections().map((c) => c.toxics)).toEqual([{ upstream: ['cut-up'], downstream: [] }]);
    expect(bare(sockets[0])).toBe(false);
    await expect(get(link.port, '/cut-on-the-way-in', agent)).rejects.toThrow();
    faults.remove('cut-up');

    // A new keep-alive connection, bare; a downstream rule added while it is open cuts the answer.
    expect(await get(link.port, '/again', agent)).toBe('hello /again');
    const accepted = link.totals().accepted;
    faults.add({ id: 'cut-down', twin: 'probe', point: 'connection', action: { limit_data: { bytes: 20 } } });
    await expect(get(link.port, '/cut-on-the-way-out', agent)).rejects.toThrow();
    expect(link.totals().accepted).toBe(accepted); // the same connection was cut, not a new one
    faults.remove('cut-down');

    // A rule that acts and leaves without closing: the connection carries on, bare again.
    expect(await get(link.port, '/third', agent)).toBe('hello /third');
    const third = link.totals().accepted;
    faults.add({ id: 'slices', twin: 'probe', point: 'connection', match: { direction: 'upstream' }, action: { slicer: { average_size: 3 } } });
    faults.add({ id: 'slices-down', twin: 'probe', point: 'connection', action: { slicer: { average_size: 5 } } });
    expect(await get(link.port, '/sliced', agent)).toBe('hello /sliced');
    faults.remove('slices');
    faults.remove('slices-down');
    expect(link.connections().map((c) => c.toxics)).toEqual([{ upstream: [], downstream: [] }]);
    expect(bare(sockets.at(-1))).toBe(true);
    expect(await get(link.port, '/after', agent)).toBe('hello /after');
    expect(link.totals().accepted).toBe(third);
  });
});

function get(port: number, path: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve(body));
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('aborted')));
    });
    request.on('error', reject);
  });
}
