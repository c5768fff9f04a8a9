// Caps on environments and twins (src/core/limits.ts): one client opening thousands of twins would
// exhaust the process's file descriptors for every other environment. Past a cap the answer is a
// 429 with the code, concurrent creates cannot race past it, and a refused create leaves nothing.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, silentLogger, type Limits } from '../../src/core/index.ts';
import { defaultRegistry } from '../../src/environments/default-kinds.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { startControlPlane } from '../support/control-plane.ts';

const limits: Limits = { ...DEFAULT_LIMITS, environments: 3, twinsPerEnvironment: 2, twinsPerServer: 4 };
const http = { kind: 'http' };

describe('environment and twin limits', () => {
  it('refuses the environment past --limit-environments, also when created concurrently, and frees its slot on destroy', async () => {
    await using cp = await startControlPlane([], { limits });
    const answers = await Promise.all(Array.from({ length: 8 }, () => cp.call('POST', '/environments', { body: { twins: {} } })));
    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(3);
    for (const refused of answers.filter((a) => a.status !== 201)) {
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('STANDIN_ERR_LIMIT_ENVIRONMENTS');
      expect(refused.body.message).toMatch(/already has 3 environments \(--limit-environments\)/);
    }
    expect((await cp.call('GET', '/environments')).body.environments).toHaveLength(3);
    const [first] = created;
    expect((await cp.call('DELETE', `/environments/${first!.body.id}`, { token: first!.body.token })).status).toBe(204);
    expect((await cp.call('POST', '/environments', { body: { twins: {} } })).status).toBe(201);
  });

  it('refuses more twins than --limit-twins-per-environment, naming the field', async () => {
    await using cp = await startControlPlane([], { limits });
    const { status, body } = await cp.call('POST', '/environments', { body: { twins: { a: http, b: http, c: http } } });
    expect(status).toBe(429);
    expect(body.code).toBe('STANDIN_ERR_LIMIT_TWINS');
    expect(body.message).toMatch(/^twins: .*2 .*--limit-twins-per-environment/);
    expect((await cp.call('GET', '/environments')).body.environments).toHaveLength(0);
  });

  it('refuses twins past --limit-twins-per-server across environments, concurrent creates included, and leaks none', async () => {
    await using cp = await startControlPlane([], { limits });
    const answers = await Promise.all(Array.from({ length: 3 }, () => cp.call('POST', '/environments', { body: { twins: { a: http, b: http } } })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.body.code).toBe('STANDIN_ERR_LIMIT_TWINS');
    expect(refused.body.message).toMatch(/4 twins .*--limit-twins-per-server/);
    const live = (await cp.call('GET', '/environments')).body.environments as Array<{ twins: Record<string, string> }>;
    expect(live.flatMap((e) => Object.keys(e.twins))).toHaveLength(4);
    // Freeing two twins lets two more start: the refused create held nothing back.
    const victim = answers.find((a) => a.status === 201)!;
    expect((await cp.call('DELETE', `/environments/${victim.body.id}`, { token: victim.body.token })).status).toBe(204);
    expect((await cp.call('POST', '/environments', { body: { twins: { a: http, b: http } } })).status).toBe(201);
  });

  it('gives back the slots of a create that fails half-way (a taken port)', async () => {
    await using cp = await startControlPlane([], { limits });
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = (holder.address() as net.AddressInfo).port;
      for (let i = 0; i < 3; i++) {
        const failed = await cp.call('POST', '/environments', { body: { twins: { a: http, b: { kind: 'http', port } } } });
        expect(failed.body.code).toBe('STANDIN_ERR_TWIN_PORT_IN_USE');
      }
      // Exactly the cap is left: two more environments of two twins, and not a third.
      for (let i = 0; i < 2; i++) expect((await cp.call('POST', '/environments', { body: { twins: { a: http, b: http } } })).status).toBe(201);
      expect((await cp.call('POST', '/environments', { body: { twins: { a: http } } })).body.code).toBe('STANDIN_ERR_LIMIT_TWINS');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('counts proxies the Toxiproxy API adds, concurrent ones included', async () => {
    await using cp = await startControlPlane([], { limits });
    const answers = await Promise.all(
      ['p1', 'p2', 'p3', 'p4'].map((name) => cp.call('POST', '/proxies', { body: { name, listen: '127.0.0.1:0', upstream: '127.0.0.1:9' } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 429, 429]);
    expect(answers.find((a) => a.status === 429)!.body.code).toBe('STANDIN_ERR_LIMIT_TWINS');
    expect(Object.keys((await cp.call('GET', '/proxies')).body)).toHaveLength(2);
    const gone = answers.find((a) => a.status === 201)!.body.name as string;
    expect((await cp.call('DELETE', `/proxies/${gone}`)).status).toBe(204);
    expect((await cp.call('POST', '/proxies', { body: { name: 'p5', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' } })).status).toBe(201);
  });
});

describe('an environment spec over a limit is refused before anything starts, on every path', () => {
  it('journalCapacity and the number of initial rules, through the manager as standin run uses it', async () => {
    const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger, limits: { ...DEFAULT_LIMITS, journalEvents: 1000, rulesPerEnvironment: 2 } });
    try {
      await expect(manager.create({ journalCapacity: 1001, twins: {} })).rejects.toMatchObject({ code: 'STANDIN_ERR_LIMIT_JOURNAL' });
      const rule = { twin: 'web', point: 'request', action: { error: { status: 503 } } };
      await expect(manager.create({ twins: { web: { kind: 'http' } }, faults: [rule, rule, rule] })).rejects.toMatchObject({
        code: 'STANDIN_ERR_LIMIT_RULES',
        message: expect.stringContaining('faults:'),
      });
      expect(manager.list()).toEqual([]);
    } finally {
      await manager.close();
    }
  });
});
