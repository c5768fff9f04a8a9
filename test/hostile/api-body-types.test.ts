// Issue 11 item 5: request bodies are not type-coerced. A string where a number belongs, or null, is
// a 400 naming the field, not a silent `"7"` → 7 or `null` → 0. Query strings are text by nature and
// keep their coercion (`?limit=5` is the number 5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

describe('request bodies are taken as typed', () => {
  it.each([
    [{ seed: '7', twins: {} }, 'body.seed'],
    [{ seed: null, twins: {} }, 'body.seed'],
    [{ seed: true, twins: {} }, 'body.seed'],
    [{ ttlSeconds: '60', twins: {} }, 'body.ttlSeconds'],
    [{ journalCapacity: '1000', twins: {} }, 'body.journalCapacity'],
    [{ name: 12, twins: {} }, 'body.name'],
    [{ twins: [] }, 'body.twins'],
    [{ twins: { web: { kind: ['http'] } } }, 'body.twins.web.kind'],
  ])('POST /environments %j is a 400 naming %s', async (body, field) => {
    const { status, body: answer } = await cp.call('POST', '/environments', { body });
    expect(status).toBe(400);
    expect(answer.code).toBe('STANDIN_ERR_API_VALIDATION');
    expect(answer.message).toContain(`${field}:`);
    expect((await cp.call('GET', '/environments')).body.environments).toEqual([]);
  });

  it('refuses a string count in a fault rule and a string seed in /scenarios/run', async () => {
    const env = await cp.createEnv({ twins: { web: { kind: 'http' } } });
    try {
      const rule = { twin: 'web', point: 'request', action: { error: { status: 503 } }, trigger: { times: '2' } };
      const added = await cp.call('POST', `/environments/${env.id}/faults`, { body: rule, token: env.token });
      expect(added.status).toBe(400);
      expect(added.body.message).toContain('body.trigger.times:');
      expect((await cp.call('GET', `/environments/${env.id}/faults`, { token: env.token })).body.rules).toEqual([]);
    } finally {
      await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
    }
    const run = await cp.call('POST', '/scenarios/run', { body: { scenario: 'name: x\n', seed: '7' } });
    expect(run.status).toBe(400);
    expect(run.body.message).toContain('body.seed:');
  });

  it('still reads numbers from query strings', async () => {
    const env = await cp.createEnv({ twins: { web: { kind: 'http' } } });
    try {
      await fetch(`${env.twins.web.endpoints.url}/a`);
      await fetch(`${env.twins.web.endpoints.url}/b`);
      const page = await cp.call('GET', `/environments/${env.id}/journal?limit=1&since=0&twin=web`, { token: env.token });
      expect(page.status).toBe(200);
      expect(page.body.events).toHaveLength(1);
      const bad = await cp.call('GET', `/environments/${env.id}/journal?limit=many`, { token: env.token });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('querystring.limit:');
    } finally {
      await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
    }
  });
});
