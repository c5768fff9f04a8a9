// Twin kinds are imported when an environment first uses one, not when the server starts; GET /kinds
// still describes them all, and closing a server does not import a kind just to shut it down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwinKind } from '../../src/core/index.ts';
import { silentLogger } from '../../src/core/index.ts';
import { defaultKinds } from '../../src/environments/default-kinds.ts';
import { TwinRegistry } from '../../src/environments/twin-registry.ts';
import { startStandin, type StandinServer } from '../../src/server-process.ts';

/** The default kinds, each load counted. */
function countingRegistry(): { registry: TwinRegistry; loads: Map<string, number> } {
  const loads = new Map<string, number>();
  const kinds = defaultKinds.map((entry) =>
    'load' in entry
      ? { kind: entry.kind, load: () => (loads.set(entry.kind, (loads.get(entry.kind) ?? 0) + 1), entry.load()) }
      : entry,
  );
  return { registry: new TwinRegistry(kinds), loads };
}

let server: StandinServer;
let loads: Map<string, number>;
beforeAll(async () => {
  const counting = countingRegistry();
  loads = counting.loads;
  server = await startStandin({ port: 0, log: silentLogger, registry: counting.registry });
});
afterAll(async () => {
  await server?.close();
});

async function call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('twin kinds loaded on first use', () => {
  it('a started server has loaded none of the heavy kinds; one environment loads its own kinds once', async () => {
    expect([...loads.keys()]).toEqual([]);
    const specs = [1, 2, 3].map(() => ({ twins: { api: { kind: 'http' } } }));
    const created = await Promise.all(specs.map((spec) => call('POST', '/environments', spec)));
    expect(created.map((c) => c.status)).toEqual([201, 201, 201]);
    expect(Object.fromEntries(loads)).toEqual({ http: 1 });
    for (const { body } of created) await call('DELETE', `/environments/${body.id}`, undefined, body.token);
  });

  it('an unknown kind is still refused by name with the known kinds listed', async () => {
    const { status, body } = await call('POST', '/environments', { twins: { x: { kind: 'ftp' } } });
    expect(status).toBe(400);
    expect(body.code).toBe('STANDIN_ERR_TWIN_UNKNOWN_KIND');
    expect(body.message).toContain('postgres');
  });

  it('GET /kinds describes every kind, with schemas, loading them for it', async () => {
    const { status, body } = await call('GET', '/kinds');
    expect(status).toBe(200);
    expect(body.kinds.map((k: { kind: string }) => k.kind)).toEqual(['http', 'tcp', 'postgres', 'kafka', 'oidc', 'stripe']);
    for (const kind of body.kinds) expect(kind.config).toHaveProperty('type', 'object');
    expect(Math.max(...loads.values())).toBe(1);
  });
});

describe('TwinRegistry', () => {
  const echo = { kind: 'echo', description: 'echo', configSchema: {}, points: [], start: async () => { throw new Error('not started here'); } } as unknown as TwinKind;

  it('retries a load that failed instead of remembering the failure', async () => {
    let attempts = 0;
    const registry = new TwinRegistry([{ kind: 'echo', load: async () => (++attempts === 1 ? Promise.reject(new Error('disk hiccup')) : echo) }]);
    await expect(registry.load('echo')).rejects.toThrow('disk hiccup');
    expect(await registry.load('echo')).toBe(echo);
    expect(registry.get('echo')).toBe(echo);
  });

  it('closing a manager shuts down only the kinds that were loaded', async () => {
    let loaded = 0;
    const registry = new TwinRegistry([{ kind: 'echo', load: async () => (loaded++, echo) }]);
    expect(registry.loaded()).toEqual([]);
    const standin = await startStandin({ port: 0, log: silentLogger, registry });
    await standin.close();
    expect(loaded).toBe(0);
  });
});
