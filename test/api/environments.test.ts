import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoTwin } from '../support/echo-twin.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane([echoTwin]);
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

function echo(address: string, line: string): Promise<string> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host, () => socket.write(`${line}\n`));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().trim());
    });
    socket.once('error', reject);
  });
}

function portOf(address: string): number {
  return Number(address.split(':')[1]);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('environments', () => {
  it('creates an environment of twins on free loopback ports and answers with endpoints, env and token', async () => {
    const env = await cp.createEnv({ seed: 7, twins: { a: { kind: 'echo', greeting: 'hi ' }, b: { kind: 'echo' } } });
    expect(env.id).toMatch(/^env_/);
    expect(env.token.length).toBeGreaterThan(20);
    expect(env.seed).toBe(7);
    expect(env.twins.a.kind).toBe('echo');
    expect(env.twins.a.endpoints.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(env.env.ECHO_ADDR).toBe(env.twins.a.endpoints.address);
    expect(env.env.STANDIN_B_ADDRESS).toBe(env.twins.b.endpoints.address);
    expect(await echo(env.twins.a.endpoints.address, 'x')).toBe('hi x');

    const got = await cp.call('GET', `/environments/${env.id}`, { token: env.token });
    expect(got.status).toBe(200);
    expect(got.body.twins.b.endpoints).toEqual(env.twins.b.endpoints);
    expect(got.body.token).toBeUndefined();

    const list = await cp.call('GET', '/environments');
    expect(list.body.environments.find((e: { id: string }) => e.id === env.id).twins).toEqual({ a: 'echo', b: 'echo' });

    expect((await cp.call('DELETE', `/environments/${env.id}`, { token: env.token })).status).toBe(204);
    expect(await isListening(portOf(env.twins.a.endpoints.address))).toBe(false);
    expect((await cp.call('GET', `/environments/${env.id}`, { token: env.token })).status).toBe(404);
  });

  it("one environment's token cannot read or change another", async () => {
    const a = await cp.createEnv({ twins: { t: { kind: 'echo' } } });
    const b = await cp.createEnv({ twins: { t: { kind: 'echo' } } });
    for (const [method, path] of [
      ['GET', `/environments/${b.id}`],
      ['GET', `/environments/${b.id}/journal`],
      ['GET', `/environments/${b.id}/faults`],
      ['GET', `/environments/${b.id}/twins/t`],
      ['DELETE', `/environments/${b.id}`],
    ] as const) {
      const res = await cp.call(method, path, { token: a.token });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.code).toBe('STANDIN_ERR_API_UNAUTHORIZED');
    }
    expect((await cp.call('GET', `/environments/${b.id}`)).status).toBe(401);
    expect((await cp.call('GET', `/environments/${b.id}`, { token: b.token })).status).toBe(200);
  });

  it('a pinned port that is taken is a clear error, and nothing started is left listening', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const firstPort = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));

    const res = await cp.call('POST', '/environments', {
      body: { twins: { first: { kind: 'echo', port: firstPort }, second: { kind: 'echo', port: taken } } },
    });
    blocker.close();
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('STANDIN_ERR_TWIN_PORT_IN_USE');
    expect(res.body.message).toContain(String(taken));
    expect(await isListening(firstPort)).toBe(false);
  });

  it('a twin that fails to start stops the ones already started', async () => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const firstPort = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const res = await cp.call('POST', '/environments', {
      body: { twins: { first: { kind: 'echo', port: firstPort }, second: { kind: 'echo', failStart: true } } },
    });
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('STANDIN_ERR_ENV_START_FAILED');
    expect(res.body.message).toContain('second');
    expect(await isListening(firstPort)).toBe(false);
  });

  it('environment names are unique among live environments', async () => {
    await cp.createEnv({ name: 'unique-one', twins: {} });
    const res = await cp.call('POST', '/environments', { body: { name: 'unique-one', twins: {} } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('STANDIN_ERR_ENV_NAME_TAKEN');
  });

  it('reaps an environment when its TTL has passed', async () => {
    const env = await cp.createEnv({ ttlSeconds: 1, twins: { t: { kind: 'echo' } } });
    expect(env.expiresAt).toBeDefined();
    const port = portOf(env.twins.t.endpoints.address);
    const deadline = Date.now() + 10_000;
    while ((await cp.call('GET', `/environments/${env.id}`, { token: env.token })).status !== 404) {
      if (Date.now() > deadline) throw new Error('not reaped');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await isListening(port)).toBe(false);
  });

  it('reset restores twin state and the initial fault rules', async () => {
    const env = await cp.createEnv({
      twins: { t: { kind: 'echo' } },
      faults: [{ id: 'initial', twin: 't', point: 'line', match: { text: 'never' }, action: { hang: {} } }],
    });
    await echo(env.twins.t.endpoints.address, 'one');
    await cp.call('POST', `/environments/${env.id}/faults`, { token: env.token, body: { twin: 't', point: 'line', action: { hang: {} } } });
    expect((await cp.call('GET', `/environments/${env.id}/twins/t`, { token: env.token })).body.state).toEqual({ lines: 1 });
    const reset = await cp.call('POST', `/environments/${env.id}/reset`, { token: env.token });
    expect(reset.status).toBe(200);
    expect((await cp.call('GET', `/environments/${env.id}/twins/t`, { token: env.token })).body.state).toEqual({ lines: 0 });
    const rules = await cp.call('GET', `/environments/${env.id}/faults`, { token: env.token });
    expect(rules.body.rules.map((r: { id: string }) => r.id)).toEqual(['initial']);
  });
});

describe('bad input', () => {
  it('a malformed body gets a 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ twins: { db: { kind: 'echo', port: 'abc' } } }, 'twins.db.port'],
      [{ twins: { db: { kind: 'echo', colour: 'red' } } }, 'twins.db.colour'],
      [{ twins: { db: { kind: 'nosuch' } } }, 'twins.db.kind'],
      [{ twins: { db: {} } }, 'body.twins.db.kind'],
      [{ twinz: {} }, 'body.twins: is required'],
      [{ twins: {}, twinz: {} }, 'body.twinz: unknown field'],
      [{ twins: {}, ttlSeconds: -1 }, 'body.ttlSeconds'],
      [{ twins: { 'bad name!': { kind: 'echo' } } }, 'twins.bad name!'],
      [{ twins: { t: { kind: 'echo' } }, faults: [{ twin: 't', point: 'nope', action: { hang: {} } }] }, 'faults[0].point'],
    ];
    for (const [body, field] of cases) {
      const res = await cp.call('POST', '/environments', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message, JSON.stringify(body)).toContain(field);
      expect(res.body.code).toMatch(/^STANDIN_ERR_/);
    }
    const notJson = await cp.call('POST', '/environments', { body: '{"twins": ' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.code).toBe('STANDIN_ERR_API_VALIDATION');
  });

  it('unknown routes and environments get coded 404s', async () => {
    expect((await cp.call('GET', '/nope')).body.code).toBe('STANDIN_ERR_API_NOT_FOUND');
    expect((await cp.call('GET', '/environments/env_missing', { token: 'x' })).body.code).toBe('STANDIN_ERR_ENV_NOT_FOUND');
  });
});

describe('server', () => {
  it('answers /health, serves OpenAPI at /docs and lists kinds', async () => {
    expect((await cp.call('GET', '/health')).body).toMatchObject({ status: 'ok' });
    const spec = await cp.call('GET', '/docs/json');
    expect(spec.status).toBe(200);
    expect(Object.keys(spec.body.paths)).toContain('/environments/{id}/faults');
    const kinds = await cp.call('GET', '/kinds');
    expect(kinds.body.kinds.map((k: { kind: string }) => k.kind)).toContain('echo');
  });

  it('a loopback server refuses requests for other host names (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(cp.url);
        const req = request({ host: url.hostname, port: url.port, path: '/health', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('evil.example:4510')).toBe(403);
    expect(await status(`localhost:${new URL(cp.url).port}`)).toBe(200);
    expect(await status('127.0.0.1')).toBe(200);
    expect(await status('[::1]:4510')).toBe(200);
  });

  it('with an admin token, creating and listing need it', async () => {
    await using guarded = await startControlPlane([echoTwin], { adminToken: 'sekret-admin-token' });
    expect((await guarded.call('POST', '/environments', { body: { twins: {} } })).status).toBe(401);
    expect((await guarded.call('GET', '/environments')).status).toBe(401);
    const env = await guarded.createEnv({ twins: {} });
    expect((await guarded.call('GET', `/environments/${env.id}`, { token: 'sekret-admin-token' })).status).toBe(200);
  });
});
