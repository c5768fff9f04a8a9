// The SDK against a real control plane: an http twin reached with fetch, faults, the journal
// (query and live stream), twin actions, reset, destroy, `await using`, and API errors as data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/index.ts';
import { startStandin, type StandinServer } from '../../src/server-process.ts';
import { Standin, StandinApiError, StandinClient, type EnvironmentHandle, type JournalEvent } from '../../src/sdk/index.ts';

let server: StandinServer;
let client: StandinClient;
beforeAll(async () => {
  server = await startStandin({ port: 0, log: silentLogger });
  client = new StandinClient({ url: server.url });
});
afterAll(async () => {
  await server?.close();
});

const forecastStub = {
  request: { method: 'GET', path: '/forecast/:city' },
  response: { status: 200, body: { city: '{{request.params.city}}', temp: 21 } },
};

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

describe('StandinClient', () => {
  it('creates an environment whose http twin answers fetch; faults fire and show in the journal', async () => {
    const env = await client.environments.create({ seed: 7, twins: { weather: { kind: 'http', stubs: [forecastStub] } } });
    try {
      expect(env.seed).toBe(7);
      expect(env.token).toMatch(/\S{20,}/);
      const url = env.twins.weather!.endpoints.url!;
      expect(env.env.HTTP_WEATHER_URL).toBe(url);
      expect(JSON.parse((await get(`${url}/forecast/oslo`)).text)).toEqual({ city: 'oslo', temp: 21 });

      const rule = await env.faults.add({ twin: 'weather', point: 'request', action: { error: { status: 503 } }, trigger: { times: 2 } });
      expect(rule).toMatchObject({ id: 'r1', twin: 'weather', point: 'request', fired: 0 });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(`${url}/forecast/oslo`)).status);
      expect(statuses).toEqual([503, 503, 200]);
      expect(await env.faults.list('weather')).toMatchObject([{ id: 'r1', fired: 2, matched: 3 }]);
      expect(await env.faults.get('r1')).toMatchObject({ id: 'r1', fired: 2 });

      const faults = await env.journal.query({ twin: 'weather', type: 'fault' });
      expect(faults.events.map((e) => e.fault?.rule)).toEqual(['r1', 'r1']);
      const requests = await env.journal.query({ twin: 'weather', type: 'request' });
      expect(requests.events.map((e) => e.summary)).toEqual([
        'GET /forecast/oslo → 200',
        'GET /forecast/oslo → 503',
        'GET /forecast/oslo → 503',
        'GET /forecast/oslo → 200',
      ]);
      expect(requests.lastSeq).toBeGreaterThanOrEqual(requests.events.at(-1)!.seq);

      await env.faults.remove('r1');
      expect(await env.faults.list()).toEqual([]);
      await env.faults.add({ twin: 'weather', point: 'request', action: { delay: { ms: 1 } } });
      await env.faults.clear();
      expect(await env.faults.list()).toEqual([]);
    } finally {
      await env.destroy();
    }
  });

  it('runs twin actions, inspects twin state, resets and destroys', async () => {
    const env = await client.environments.create({ twins: { api: { kind: 'http' } } });
    const url = env.twins.api!.endpoints.url!;
    const added = await env.twin('api').action<{ id: string }>('add-stub', {
      request: { method: 'GET', path: '/ping' },
      response: { status: 200, body: 'pong' },
    });
    expect(added.id).toMatch(/\S/);
    expect(await get(`${url}/ping`)).toEqual({ status: 200, text: 'pong' });

    const state = await env.twin('api').inspect<{ stubs: Array<{ id: string; hits: number }>; requests: Array<{ path: string }> }>({ path: '/ping' });
    expect(state.stubs).toMatchObject([{ id: added.id, hits: 1 }]);
    expect(state.requests.map((r) => r.path)).toEqual(['/ping']);

    // Reset: runtime stubs gone, journal emptied.
    await env.reset();
    expect((await env.journal.query()).events).toEqual([]);
    expect((await get(`${url}/ping`)).status).toBe(404);

    await expect(env.twin('api').action('no-such-verb')).rejects.toMatchObject({ code: 'STANDIN_ERR_TWIN_UNKNOWN_ACTION', statusCode: 404 });

    await env.destroy();
    await expect(fetch(`${url}/ping`)).rejects.toThrow();
    await env.destroy(); // a second destroy is a no-op
    const gone = await client.environments.attach(env.id, env.token).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(StandinApiError);
    expect(gone).toMatchObject({ code: 'STANDIN_ERR_ENV_NOT_FOUND', statusCode: 404 });
  });

  it('streams the journal: replays what happened before, then live events, and stops on break', async () => {
    const env = await client.environments.create({ twins: { api: { kind: 'http', stubs: [forecastStub] } } });
    try {
      const url = env.twins.api!.endpoints.url!;
      await env.faults.add({ twin: 'api', point: 'request', match: { path: '/forecast/rome' }, action: { error: { status: 500 } } });
      await get(`${url}/forecast/rome`); // before the stream connects: replayed

      const seen: JournalEvent[] = [];
      const reading = (async () => {
        for await (const event of env.journal.stream({ twin: 'api', type: 'fault' })) {
          seen.push(event);
          if (seen.length === 2) break;
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await get(`${url}/forecast/oslo`); // not matched by the rule: no fault event
      await get(`${url}/forecast/rome`); // live
      await reading;
      expect(seen.map((e) => [e.type, e.fault?.rule])).toEqual([
        ['fault', 'r1'],
        ['fault', 'r1'],
      ]);
      expect(seen[1]!.seq).toBeGreaterThan(seen[0]!.seq);

      // `since` skips what was already seen; an abort signal ends the stream.
      const abort = new AbortController();
      const later: JournalEvent[] = [];
      const following = (async () => {
        for await (const event of env.journal.stream({ twin: 'api', since: seen[1]!.seq }, { signal: abort.signal })) later.push(event);
      })();
      await get(`${url}/forecast/paris`);
      await waitFor(() => later.some((e) => e.summary === 'GET /forecast/paris → 200'));
      abort.abort();
      await following;
      expect(later.every((e) => e.seq > seen[1]!.seq)).toBe(true);
    } finally {
      await env.destroy();
    }
  });

  it('turns a 400 into a StandinApiError that names the field', async () => {
    const badConfig = await client.environments
      .create({ twins: { db: { kind: 'http', port: 'eighty' } } })
      .catch((error: unknown) => error);
    expect(badConfig).toBeInstanceOf(StandinApiError);
    expect(badConfig).toMatchObject({ code: 'STANDIN_ERR_TWIN_CONFIG_INVALID', statusCode: 400 });
    expect((badConfig as StandinApiError).message).toMatch(/^twins\.db\.port: /);

    const badBody = await client.environments.create({ ttlSeconds: 0, twins: {} }).catch((error: unknown) => error);
    expect(badBody).toMatchObject({ code: 'STANDIN_ERR_API_VALIDATION', statusCode: 400 });
    expect((badBody as StandinApiError).message).toMatch(/body\.ttlSeconds/);

    const env = await client.environments.create({ twins: { api: { kind: 'http' } } });
    try {
      const badRule = await env.faults.add({ twin: 'api', point: 'query', action: { hang: {} } }).catch((error: unknown) => error);
      expect(badRule).toMatchObject({ code: 'STANDIN_ERR_FAULT_UNKNOWN_POINT', statusCode: 400 });
      expect((badRule as StandinApiError).message).toMatch(/^body\.point: .*request/);
    } finally {
      await env.destroy();
    }
  });

  it('lists kinds and environments', async () => {
    const kinds = await client.kinds();
    const http = kinds.find((k) => k.kind === 'http');
    expect(http?.points.map((p) => p.name)).toEqual(expect.arrayContaining(['request', 'connection']));
    expect(Object.keys(http?.actions ?? {})).toContain('add-stub');

    const env = await client.environments.create({ name: 'listed', twins: { api: { kind: 'http' } } });
    try {
      expect(await client.environments.list()).toContainEqual(expect.objectContaining({ id: env.id, name: 'listed', twins: { api: 'http' } }));
    } finally {
      await env.destroy();
    }
  });
});

describe('Standin.environment() builder', () => {
  it('starts a seeded environment with its twins and faults; `await using` destroys it', async () => {
    let handle: EnvironmentHandle | undefined;
    let url = '';
    {
      await using env = await Standin.environment()
        .withSeed(7)
        .withTwin('api', { kind: 'http', stubs: [forecastStub] })
        .withFault({ id: 'no-rome', twin: 'api', point: 'request', match: { path: '/forecast/rome' }, action: { error: { status: 502 } } })
        .start(client);
      handle = env;
      url = env.twins.api!.endpoints.url!;
      expect(env.seed).toBe(7);
      expect((await get(`${url}/forecast/rome`)).status).toBe(502);
      expect((await get(`${url}/forecast/oslo`)).status).toBe(200);
      expect(await env.faults.list()).toMatchObject([{ id: 'no-rome', fired: 1 }]);
      // Reset restores the builder's rules, not an empty set.
      await env.faults.clear();
      await env.reset();
      expect((await env.faults.list()).map((r) => r.id)).toEqual(['no-rome']);
    }
    await expect(fetch(`${url}/forecast/oslo`)).rejects.toThrow();
    await expect(client.environments.attach(handle!.id, handle!.token)).rejects.toMatchObject({ code: 'STANDIN_ERR_ENV_NOT_FOUND' });
  });

  it('uses STANDIN_URL when no client is given, and its spec is the one the API takes', async () => {
    const builder = Standin.environment().withName('from-env').withTtl(60).withTwin('api', { kind: 'http' });
    expect(builder.toSpec()).toEqual({ name: 'from-env', ttlSeconds: 60, twins: { api: { kind: 'http' } } });
    const previous = process.env.STANDIN_URL;
    process.env.STANDIN_URL = server.url;
    try {
      await using env = await builder.start();
      expect(env.name).toBe('from-env');
      expect(env.expiresAt).toBeDefined();
    } finally {
      if (previous === undefined) delete process.env.STANDIN_URL;
      else process.env.STANDIN_URL = previous;
    }
  });
});

describe('README', () => {
  it('the "SDK and MCP" example runs as written', async () => {
    const previous = process.env.STANDIN_URL;
    process.env.STANDIN_URL = server.url;
    let id = '';
    try {
      // ---- copied from README.md, "SDK and MCP" ----
      await using env = await Standin.environment()
        .withSeed(7)
        .withTwin('weather', {
          kind: 'http',
          stubs: [{ request: { method: 'GET', path: '/forecast/:city' }, response: { body: { city: '{{request.params.city}}', temp: 21 } } }],
        })
        .withFault({ twin: 'weather', point: 'request', action: { error: { status: 503 } }, trigger: { times: 1 } })
        .start();

      const url = env.twins.weather.endpoints.url;
      const statuses = [(await fetch(`${url}/forecast/oslo`)).status, (await fetch(`${url}/forecast/oslo`)).status]; // [503, 200]
      const { events } = await env.journal.query({ twin: 'weather', type: 'fault' }); // one event, fault.rule 'r1'
      for await (const event of env.journal.stream({ twin: 'weather', type: 'request' })) {
        if (event.summary === 'GET /forecast/oslo → 200') break; // replays from the start, then live
      }
      await env.twin('weather').action('add-stub', { request: { path: '/ping' }, response: { body: 'pong' } });
      const state = await env.twin('weather').inspect<{ requests: unknown[] }>({ path: '/ping' });
      await env.reset(); // twins, rules and journal back to the start
      // ---- end of the copy ----
      id = env.id;
      expect(statuses).toEqual([503, 200]);
      expect(events.map((e) => e.fault?.rule)).toEqual(['r1']);
      expect(state.requests).toEqual([]);
      expect(await env.faults.list()).toMatchObject([{ id: 'r1', fired: 0 }]);
    } finally {
      if (previous === undefined) delete process.env.STANDIN_URL;
      else process.env.STANDIN_URL = previous;
    }
    expect(server.manager.find(id)).toBeUndefined();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
