// The Toxiproxy API validates a whole request before it changes anything: a bad toxic update keeps
// the toxic as it was, a bad proxy update keeps the proxy, and /populate is all or nothing.
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
let taken: net.Server;
let takenPort: number;
beforeAll(async () => {
  cp = await startControlPlane();
  // A port something else holds, so a proxy asked to listen there fails at run time, not in validation.
  taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
  await new Promise((resolve) => taken?.close(resolve));
});
afterEach(async () => {
  for (const name of Object.keys((await cp.call('GET', '/proxies')).body)) await cp.call('DELETE', `/proxies/${name}`);
});

const proxy = (name: string, extra: Record<string, unknown> = {}) => ({ name, listen: '127.0.0.1:0', upstream: '127.0.0.1:9', ...extra });

describe('Toxiproxy API: validate before changing', () => {
  it('a toxic update with bad attributes is a 400 and leaves the toxic as it was', async () => {
    expect((await cp.call('POST', '/proxies', { body: proxy('db') })).status).toBe(201);
    const added = await cp.call('POST', '/proxies/db/toxics', { body: { name: 'slow', type: 'latency', attributes: { latency: 100 } } });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    const bad = await cp.call('POST', '/proxies/db/toxics/slow', { body: { attributes: { latency: 'lots' } } });
    expect(bad.status).toBe(400);
    const kept = await cp.call('GET', '/proxies/db/toxics/slow');
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ name: 'slow', type: 'latency', attributes: { latency: 100 } });
  });

  it('a proxy update with a bad upstream or listen keeps the proxy, its state and its toxics', async () => {
    const created = (await cp.call('POST', '/proxies', { body: proxy('api') })).body;
    await cp.call('POST', '/proxies/api/toxics', { body: { name: 'cut', type: 'reset_peer', attributes: {} } });
    const badUpstream = await cp.call('POST', '/proxies/api', { body: { upstream: 'not an address', enabled: false } });
    expect(badUpstream.status).toBe(400);
    for (const listen of ['0.0.0.0:0', `127.0.0.1:${takenPort}`]) {
      const badListen = await cp.call('POST', '/proxies/api', { body: { listen } });
      expect(badListen.status, listen).toBeGreaterThanOrEqual(400);
      expect(badListen.status, listen).toBeLessThan(500);
    }
    const kept = (await cp.call('GET', '/proxies/api')).body;
    expect(kept).toMatchObject({ listen: created.listen, upstream: '127.0.0.1:9', enabled: true, toxics: [{ name: 'cut' }] });
  });

  it('/populate with a bad third entry creates none of them', async () => {
    const bad = await cp.call('POST', '/populate', { body: [proxy('one'), proxy('two'), proxy('three', { upstream: 'nowhere' })] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/body\[2\]\.upstream: /);
    expect((await cp.call('GET', '/proxies')).body).toEqual({});
  });

  it('/populate that fails at run time (a taken port) undoes what it did, replaced proxies included', async () => {
    const before = (await cp.call('POST', '/proxies', { body: proxy('keep') })).body;
    await cp.call('POST', '/proxies/keep/toxics', { body: { name: 'slow', type: 'latency', attributes: { latency: 5 } } });
    const answer = await cp.call('POST', '/populate', {
      body: [proxy('fresh'), proxy('keep', { upstream: '127.0.0.1:10' }), proxy('late', { listen: `127.0.0.1:${takenPort}` })],
    });
    expect(answer.status).toBe(409);
    const after = (await cp.call('GET', '/proxies')).body;
    expect(Object.keys(after)).toEqual(['keep']);
    expect(after.keep).toMatchObject({ listen: before.listen, upstream: '127.0.0.1:9', toxics: [{ name: 'slow', attributes: { latency: 5 } }] });
  });
});
