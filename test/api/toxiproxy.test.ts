// The Toxiproxy-compatible API, driven by the real toxiproxy-node-client.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
let echo: net.Server;
let echoPort: number;

beforeAll(async () => {
  cp = await startControlPlane();
  echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
  echo?.close();
});

function roundTrip(port: number, text = 'ping', timeoutMs = 5000): Promise<{ ms: number; reply: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    socket.on('data', (d) => {
      reply += d;
      if (reply.length >= text.length) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ ms: performance.now() - started, reply });
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

const portOf = (listen: string) => Number(listen.split(':').pop());

describe('Toxiproxy-compatible API', () => {
  it('creates a proxy, adds, updates and removes toxics, disables and resets — through the Toxiproxy client', async () => {
    const toxiproxy = new Toxiproxy(cp.url);
    expect(await toxiproxy.getVersion()).toContain('2.12');

    const proxy = await toxiproxy.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echoPort}` });
    const port = portOf(proxy.listen);
    expect(port).toBeGreaterThan(0);
    expect((await roundTrip(port)).reply).toBe('ping');

    const toxic = await proxy.addToxic<{ latency: number; jitter: number }>({
      name: 'slow',
      type: 'latency' as never,
      stream: 'downstream' as never,
      toxicity: 1,
      attributes: { latency: 150, jitter: 0 },
    });
    expect(toxic.name).toBe('slow');
    expect((await roundTrip(port)).ms).toBeGreaterThanOrEqual(140);

    const all = await toxiproxy.getAll();
    expect(Object.keys(all)).toContain('echo');
    const fetched = await (await toxiproxy.get('echo')).getToxic('slow');
    expect(fetched.attributes).toEqual({ latency: 150, jitter: 0 });

    await fetched.update({ ...fetched.toJson(), attributes: { latency: 0, jitter: 0 } } as never);
    expect((await roundTrip(port)).ms).toBeLessThan(140);
    await fetched.remove();

    const disabled = await proxy.update({ listen: proxy.listen, upstream: proxy.upstream, enabled: false });
    expect(disabled.enabled).toBe(false);
    await expect(roundTrip(port)).rejects.toThrow(/ECONNREFUSED/);

    await (await toxiproxy.get('echo')).addToxic({ name: 'cut', type: 'limit_data' as never, stream: 'downstream' as never, toxicity: 1, attributes: { bytes: 2 } } as never);
    await toxiproxy.reset();
    const afterReset = await toxiproxy.get('echo');
    expect(afterReset.enabled).toBe(true);
    expect((await roundTrip(port)).reply).toBe('ping');
    const raw: unknown = await fetch(`${cp.url}/proxies/echo/toxics`).then((r) => r.json());
    expect(raw).toEqual([]);

    await afterReset.remove();
    await expect(toxiproxy.get('echo')).rejects.toThrow(/404/);
  });

  it('populate creates or replaces proxies; errors keep Toxiproxy’s shape', async () => {
    const toxiproxy = new Toxiproxy(cp.url);
    const proxies = await toxiproxy.populate([
      { name: 'a', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echoPort}` },
      { name: 'b', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echoPort}` },
    ]);
    expect(Object.keys(proxies).sort()).toEqual(['a', 'b']);
    expect((await roundTrip(portOf(proxies.b!.listen))).reply).toBe('ping');

    const dup = await fetch(`${cp.url}/proxies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'a', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echoPort}` }),
    });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ status: 409, error: 'proxy a already exists' });

    const badToxic = await fetch(`${cp.url}/proxies/a/toxics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'lightning', attributes: {} }),
    });
    expect(badToxic.status).toBe(400);
    expect(((await badToxic.json()) as { error: string }).error).toMatch(/lightning.*latency/);

    // The proxies' environment is a Standin environment: its journal holds the connections.
    const list = await fetch(`${cp.url}/proxies`);
    const env = list.headers.get('standin-environment');
    const token = list.headers.get('standin-token');
    const journal = await cp.call('GET', `/environments/${env}/journal?twin=b&point=connection`, { token: token! });
    expect(journal.body.events.length).toBeGreaterThan(0);
  });
});
