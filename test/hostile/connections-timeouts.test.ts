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
/**
 * Nothing here waits on a window of its own: a connection the deadlines fail to close is held until
 * the test times out, far past every deadline however loaded the machine.
 */
const HELD = { timeout: 60_000 };

/** Each kind, its config, where its base URL is among its endpoints, and a path that reads a POST body before answering. */
const kinds: Array<[string, TwinKind<any>, Record<string, unknown>, string, string]> = [
  ['http', httpTwin, { stubs: [{ request: { method: 'GET', path: '/ping' }, response: { status: 200, body: 'pong' } }] }, 'url', '/ping'],
  ['stripe', stripeTwin, {}, 'url', '/v1/customers'],
  ['oidc', oidcTwin, {}, 'issuer', '/token'],
];

interface Closed {
  /** Everything the twin sent until the connection closed. */
  text: string;
  /** The client saw the connection reset. */
  reset: boolean;
}

/** Waits for the connection to close: what the twin sent, and whether it ended in a reset. */
async function untilClosed(socket: net.Socket): Promise<Closed> {
  const closed: Closed = { text: '', reset: false };
  socket.setEncoding('latin1').on('data', (chunk: string) => (closed.text += chunk));
  socket.on('error', (error: NodeJS.ErrnoException) => (closed.reset ||= error.code === 'ECONNRESET' || error.code === 'EPIPE'));
  await once(socket, 'close');
  return closed;
}

/**
 * 408, then closed. The twin closes as Node does, at once: if bytes the client is still sending
 * arrived unread, the kernel answers with a reset instead of a FIN and drops what it had not yet
 * sent, which on a loaded machine can be the 408 itself. That reset is the documented other
 * outcome; any other answer is not.
 */
function expectTimedOut(closed: Closed): void {
  if (closed.reset && closed.text === '') return;
  expect(closed.text).toMatch(/^HTTP\/1\.1 408 /);
}

function connect(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.on('error', () => {});
  return once(socket, 'connect').then(() => socket);
}

/** Writes `text` one byte every `everyMs` until the twin answers or the socket closes. */
function dribble(socket: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  let answered = false;
  const timer = setInterval(() => {
    if (answered || socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++] as string);
  }, everyMs);
  // A client stops sending once answered; more bytes would only turn the twin's close into a reset.
  socket.once('data', () => (answered = true));
  socket.once('close', () => clearInterval(timer));
}

describe.each(kinds)('%s twin connection deadlines', (_name, kind, config, urlField, bodyPath) => {
  const baseUrl = (twin: { twin: { endpoints: Record<string, unknown> } }): string => String(twin.twin.endpoints[urlField]);

  it('headers sent a byte at a time past headersTimeoutMs: 408, then closed', HELD, async () => {
    await using twin = await startTwin(kind, config, { limits });
    const socket = await connect(baseUrl(twin));
    // Each byte well inside any idle timeout, the whole far beyond the headers' deadline.
    dribble(socket, `GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`, 50);
    expectTimedOut(await untilClosed(socket));
  });

  it('a body sent a byte at a time past requestTimeoutMs: 408, then closed', HELD, async () => {
    await using twin = await startTwin(kind, config, { limits });
    const socket = await connect(baseUrl(twin));
    socket.write(`POST ${bodyPath} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n`);
    dribble(socket, 'b'.repeat(1000), 50);
    expectTimedOut(await untilClosed(socket));
  });

  it('a connection that sends nothing is closed', HELD, async () => {
    await using twin = await startTwin(kind, config, { limits });
    const socket = await connect(baseUrl(twin));
    await untilClosed(socket);
  });

  it('a keep-alive connection idle past idleTimeoutMs is closed', HELD, async () => {
    await using twin = await startTwin(kind, config, { limits });
    const socket = await connect(baseUrl(twin));
    socket.write('GET /ping HTTP/1.1\r\nHost: x\r\n\r\n');
    // It was answered, and closed afterwards for idling, not refused.
    expect((await untilClosed(socket)).text).toMatch(/^HTTP\/1\.1 (?!408)\d{3} /);
  });

  it('a keep-alive client making requests for longer than the request deadlines is unaffected', HELD, async () => {
    // The idle limit far off: a pause stretched by a loaded machine must not be what closes the socket.
    await using twin = await startTwin(kind, config, { limits: { ...limits, idleTimeoutMs: 60_000 } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<net.Socket>();
    const started = Date.now();
    try {
      // Well past requestTimeoutMs in all, each pause longer than the headers' deadline.
      while (Date.now() - started < 3 * limits.requestTimeoutMs) {
        const status = await new Promise<number | undefined>((resolve, reject) => {
          const req = http.get(`${baseUrl(twin)}/ping`, { agent }, (res) => res.resume().on('end', () => resolve(res.statusCode)));
          req.on('socket', (socket) => sockets.add(socket));
          req.on('error', reject);
        });
        expect(status).not.toBe(408);
        await new Promise((r) => setTimeout(r, limits.headersTimeoutMs * 1.5));
      }
    } finally {
      agent.destroy();
    }
    expect(sockets.size).toBe(1);
  });
});
