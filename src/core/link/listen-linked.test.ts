// The link layer as other twins use it: an http.Server fed with `emit('connection', socket)` and a
// protocol handler reading and writing the Duplex directly, with and without toxics.
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultEngine } from '../fault-engine.ts';
import { Journal } from '../journal.ts';
import { createTwinContext } from '../twin-context.ts';
import { silentLogger, type TwinContext, type TwinKind } from '../twin.ts';
import { connectionPoint, listenLinked, type LinkServer } from './index.ts';

const kind = { kind: 'probe', points: [connectionPoint] } as unknown as TwinKind;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function context(): { ctx: TwinContext; faults: FaultEngine; journal: Journal } {
  const journal = new Journal();
  const faults = new FaultEngine({ seed: 5, journal, twins: { kindOf: () => kind, names: () => ['probe'] } });
  const ctx = createTwinContext({ envId: 'e', name: 'probe', seed: 5, host: '127.0.0.1', journal, faults, log: silentLogger });
  return { ctx, faults, journal };
}

async function httpTwin(ctx: TwinContext): Promise<LinkServer> {
  const server = http.createServer((req, res) => {
    res.setHeader('x-remote', String(req.socket.remoteAddress));
    res.end(`hello ${req.url}`);
  });
  const link = await listenLinked(ctx, {}, (socket) => server.emit('connection', socket));
  cleanups.push(() => link.close());
  return link;
}

describe('listenLinked', () => {
  it('serves an http.Server over linked sockets, keep-alive included', async () => {
    const { ctx } = context();
    const link = await httpTwin(ctx);
    const agent = new http.Agent({ keepAlive: true });
    cleanups.push(async () => agent.destroy());
    for (const path of ['/a', '/b', '/c']) {
      const response = await fetchText(link.port, path, agent);
      expect(response).toEqual({ status: 200, body: `hello ${path}`, remote: '127.0.0.1' });
    }
    expect(link.totals().accepted).toBe(1);
  });

  it('applies toxics to http traffic and lets it flow again once removed', async () => {
    const { ctx, faults } = context();
    const link = await httpTwin(ctx);
    faults.add({ id: 'slow', twin: 'probe', point: 'connection', action: { latency: { latency: 150 } } });
    const started = performance.now();
    expect((await fetchText(link.port, '/slow')).body).toBe('hello /slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(149);
    faults.remove('slow');
    faults.add({ id: 'cut', twin: 'probe', point: 'connection', action: { limit_data: { bytes: 20 } } });
    await expect(fetchText(link.port, '/cut')).rejects.toThrow();
  });

  it('gives a protocol handler a Duplex: it reads, writes, half-closes, and sees the client end', async () => {
    const { ctx, journal } = context();
    let received = '';
    const link = await listenLinked(ctx, {}, (socket) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString();
        socket.write(chunk.toString().toUpperCase());
      });
      socket.on('end', () => socket.end('!'));
    });
    cleanups.push(() => link.close());
    const client = net.connect({ port: link.port, host: '127.0.0.1' });
    let reply = '';
    client.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
    });
    client.end('abc');
    await once(client, 'close');
    expect(received).toBe('abc');
    expect(reply).toBe('ABC!');
    for (let i = 0; i < 200 && journal.query({ type: 'connection' }).events.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(journal.query({ type: 'connection' }).events.map((e) => e.data?.event)).toEqual(['open', 'close']);
  });

  it('ends the twin side after the client FIN, as a default net.Server socket does', async () => {
    const { ctx } = context();
    const link = await listenLinked(ctx, {}, (socket) => {
      socket.on('data', (chunk: Buffer) => socket.write(chunk)); // never calls end()
    });
    cleanups.push(() => link.close());
    const client = net.connect({ port: link.port, host: '127.0.0.1' });
    let reply = '';
    client.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
    });
    client.end('echo me');
    await once(client, 'close');
    expect(reply).toBe('echo me');
  });

  it('resetAndDestroy on the Duplex resets the client', async () => {
    const { ctx } = context();
    const link = await listenLinked(ctx, {}, (socket) => {
      socket.once('data', () => (socket as unknown as { resetAndDestroy(): void }).resetAndDestroy());
    });
    cleanups.push(() => link.close());
    const client = net.connect({ port: link.port, host: '127.0.0.1' });
    await once(client, 'connect');
    client.write('x');
    const [error] = (await once(client, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNRESET');
  });
});

function fetchText(port: number, path: string, agent?: http.Agent): Promise<{ status: number; body: string; remote: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: agent ?? false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, remote: String(response.headers['x-remote']) }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}
