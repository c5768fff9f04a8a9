// Issue 11 item 16 (link layer): an environment destroyed right after its client disconnects — what
// the scenario runner does after every run — must give back every file descriptor. The destroy
// resets each open link; when the twin's side had just ended (its FIN still queued in libuv), Node
// used to refuse the reset and never close the socket: one descriptor lost per connection caught so.
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';
import { settledFds } from '../support/fds.ts';

const CYCLES = 300;

let plane: ControlPlane;
/** The upstream of the tcp twin: it greets, then holds the connection until the test ends it. */
const upstreamSockets = new Set<net.Socket>();
const upstream = net.createServer((socket) => {
  socket.on('error', () => {});
  upstreamSockets.add(socket);
  socket.on('close', () => upstreamSockets.delete(socket));
  socket.write('hello\n');
});

beforeAll(async () => {
  plane = await startControlPlane();
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
});
afterAll(async () => {
  apiAgent.destroy();
  await plane?.server.close();
  upstream.close();
});

/**
 * Control API calls on one kept-alive connection: a request on it reaches the server in the same
 * instant as the clients' FINs (a new connection would first take a round trip), and the fd count
 * sees the same single connection before and after.
 */
const apiAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function api(method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const request = http.request(`${plane.url}${path}`, { method, headers, agent: apiAgent }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    request.on('error', reject);
    request.end(payload);
  });
}

/**
 * Creates an environment with a tcp and an http twin, uses both with real clients, then, in one
 * tick, closes the tcp twin's upstream, drops the http client's keep-alive connection and asks the
 * control API to destroy the environment: the twins end their side of each link just before the
 * destroy resets it, the race a scenario runner sets up when its SUT exits.
 */
async function cycle(): Promise<void> {
  const { port } = upstream.address() as net.AddressInfo;
  const { status: created, body: env } = await api('POST', '/environments', {
    body: {
      twins: {
        proxy: { kind: 'tcp', upstream: `127.0.0.1:${port}` },
        api: { kind: 'http', stubs: [{ request: { method: 'GET', path: '/ping' }, response: { status: 200, body: 'pong' } }] },
      },
    },
  });
  expect(created).toBe(201);
  const [host, twinPort] = String(env.twins.proxy.endpoints.address).split(':');
  const client = net.connect({ host, port: Number(twinPort) });
  client.on('error', () => {});
  await once(client, 'data');

  const agent = new http.Agent({ keepAlive: true });
  const status = await new Promise<number | undefined>((resolve, reject) => {
    http.get(`${env.twins.api.endpoints.url}/ping`, { agent }, (res) => res.resume().on('end', () => resolve(res.statusCode))).on('error', reject);
  });
  expect(status).toBe(200);

  // Both FINs leave now (a destroy closes at once; an end() would wait a turn), the DELETE right after.
  for (const socket of upstreamSockets) socket.destroy();
  agent.destroy();
  const { status: deleted } = await api('DELETE', `/environments/${env.id}`, { token: env.token });
  expect(deleted).toBeLessThan(300);
  client.destroy();
}

describe('environments destroyed as their clients disconnect', { timeout: 180_000 }, () => {
  it(`${CYCLES} cycles with a tcp and an http twin end at the baseline fd count`, async () => {
    // One warm-up cycle: modules, agents and lazily opened descriptors.
    await cycle();
    const baseline = await settledFds(0, 200);
    for (let i = 0; i < CYCLES; i++) await cycle();
    expect(await settledFds(baseline)).toBeLessThanOrEqual(baseline);
  });
});
