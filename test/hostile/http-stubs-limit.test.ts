// Stubs per http twin are bounded (limits.stubsPerTwin): every request is matched against them in
// turn, so an agent adding stubs in a loop must hit a clear 4xx, not slow every request down for ever.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/index.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane([], { limits: { ...DEFAULT_LIMITS, stubsPerTwin: 3 } });
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

const stub = (path: string) => ({ request: { path }, response: { body: path } });

describe('stubs per http twin', () => {
  it('a config with more stubs than the limit is a 400 naming the field', async () => {
    const answer = await cp.call('POST', '/environments', { body: { twins: { web: { kind: 'http', stubs: [stub('/a'), stub('/b'), stub('/c'), stub('/d')] } } } });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('twins.web.stubs');
    expect(answer.body.message).toContain('--limit-stubs-per-twin');
  });

  it('add-stub past the limit is refused; removing one makes room', async () => {
    const env = await cp.createEnv({ twins: { web: { kind: 'http', stubs: [stub('/a'), stub('/b')] } } });
    const add = (body: unknown) => cp.call('POST', `/environments/${env.id}/twins/web/actions/add-stub`, { body, token: env.token });
    try {
      expect((await add({ id: 'c', ...stub('/c') })).status).toBe(200);
      const refused = await add(stub('/d'));
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain('--limit-stubs-per-twin');
      expect((await cp.call('POST', `/environments/${env.id}/twins/web/actions/remove-stub`, { body: { id: 'c' }, token: env.token })).status).toBe(200);
      expect((await add(stub('/d'))).status).toBe(200);
      expect(await fetch(`${env.twins.web.endpoints.url}/d`).then((r) => r.text())).toBe('/d');
    } finally {
      await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
    }
  });
});
