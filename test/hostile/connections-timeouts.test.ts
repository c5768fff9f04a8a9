// Issue 11 item 14: the http, stripe and oidc twins take connections through the link layer, which
// bypassed Node's header and request deadlines: a client sending its request a byte at a time held
// its connection for ever. They now answer 408 and close past `limits.headersTimeoutMs` /
// `requestTimeoutMs`, close a keep-alive connection idle past `idleTimeoutMs`, and leave a normal
// keep-alive client alone.
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { TwinKind } from '../../src/core/index.ts';
import { httpTwin } from '../../twins/http/index.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { stripeTwin } from '../../twins/stripe/index.ts';
import { startTwin } from '../support/twin-harness.ts';

// The idle limit is 2 s: a server advertises whole seconds (Keep-Alive: timeout=2), and Node's
// agent keeps a socket only for an advertised timeout of a second or more.
const limits = { headersTimeoutMs: 400, requestTimeoutMs: 800, idleTimeoutMs: 2000 };
/** Generous: the deadlines are under a second; anything closed within this bound was closed by them. */
const CLOSED_WITHIN_MS = 5_000;

/** Each kind, its config, where its base URL is among its endpoints, and a path that reads a POST body before answering. */
const kinds: Array<[string, TwinKind<any>, Record<string, unknown>, string, string]> = [
  ['http', httpTwin, { stubs: [{ request: { method: 'GET', path: '/ping' }, response: { status: 200, body: 'pong' } }] }, 'url', '/ping'],
  ['stripe', stripeTwin, {}, 'url', '/v1/customers'],
  ['oidc', oidcTwin, {}, 'issuer', '/token'],
];

/** Everything the twin sent until it closed the connection, and how long that took; null if it did not within the bound. */
async function untilClosed(socket: net.Socket, started: number): Promise<{ text: string; ms: number } | null> {
  let text = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    once(socket, 'close').then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLOSED_WITHIN_MS))),
  ]);
  clearTimeout(timer);
  socket.destroy();
  return closed ? { text, ms: Date.now() - started } : null;
}

function connect(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.on('error', () => {});
  return once(socket, 'connect').then(() => socket);
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function dribble(socket: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++] as string);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

describe.each(kinds)('%s twin connection deadlines', (_name, kind, config, urlField, bodyPath) => {
  const baseUrl = (twin: { twin: { endpoints: Record<string, unknown> } }): string => String(twin.twin.endpoints[urlField]);

  it('headers sent a byte at a time past headersTimeoutMs: 408, then closed', async () => {
    await using twin = await startTwin(kind, config, { limits });
    const socket = await connect(baseUrl(twin));
    const started = Date.now();
    // Each byte well inside any idle timeout, the whole far beyond the headers' deadline.
    dribble(socket, `GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`, 50);
    const closed = await untilClosed(socket, started);
    expect(closed, 'the connection was still open').not.toBeNull();
    expect(closed?.text).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a body sent a byte at a time past requestTimeoutMs: 408, then closed', async () => {
    await using twin = await startTwin(kind, config, { limits });
    const socket = await connect(baseUrl(twin));
    const started = Date.now();
    socket.write(`POST ${bodyPath} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n`);
    dribble(socket, 'b'.repeat(1000), 50);
    const closed = await untilClosed(socket, started);
    expect(closed, 'the connection was still open').not.toBeNull();
    expect(closed?.text).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a connection that sends nothing is closed', async () => {
    await using twin = await startTwin(kind, config, { limits });
    const socket = await connect(baseUrl(twin));
    expect(await untilClosed(socket, Date.now()), 'the connection was still open').not.toBeNull();
  });

  it('a keep-alive connection idle past idleTimeoutMs is closed', async () => {
    await using twin = await startTwin(kind, config, { limits });
    const socket = await connect(baseUrl(twin));
    socket.write('GET /ping HTTP/1.1\r\nHost: x\r\n\r\n');
    const closed = await untilClosed(socket, Date.now());
    expect(closed, 'the connection was still open').not.toBeNull();
    // It was answered, and closed afterwards for idling, not refused.
    expect(closed?.text).toMatch(/^HTTP\/1\.1 (?!408)\d{3} /);
  });

  it('a keep-alive client making requests for longer than every deadline is unaffected', async () => {
    await using twin = await startTwin(kind, config, { limits });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<net.Socket>();
    const started = Date.now();
    try {
      // Well past requestTimeoutMs in all, each pause well inside idleTimeoutMs.
      while (Date.now() - started < 3 * limits.requestTimeoutMs) {
        const status = await new Promise<number | undefined>((resolve, reject) => {
          const req = http.get(`${baseUrl(twin)}/ping`, { agent }, (res) => res.resume().on('end', () => resolve(res.statusCode)));
          req.on('socket', (socket) => sockets.add(socket));
          req.on('error', reject);
        });
        expect(status).not.toBe(408);
        await new Promise((r) => setTimeout(r, limits.idleTimeoutMs / 4));
      }
    } finally {
      agent.destroy();
    }
    expect(sockets.size).toBe(1);
  });
});
