// The tests' control plane takes only the limits a test lowers; every other limit keeps its default.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/index.ts';
import { startControlPlane } from './control-plane.ts';

describe('startControlPlane', () => {
  it('merges partial limits over the defaults: the one given is in force, the others are the defaults', async () => {
    await using cp = await startControlPlane([], { limits: { environments: 1 } });
    expect(cp.server.manager.limits).toEqual({ ...DEFAULT_LIMITS, environments: 1 });
    expect((await cp.call('POST', '/environments', { body: { twins: {} } })).status).toBe(201);
    const refused = await cp.call('POST', '/environments', { body: { twins: {} } });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('STANDIN_ERR_LIMIT_ENVIRONMENTS');
  });

  it('runs with the default limits when given none', async () => {
    await using cp = await startControlPlane();
    expect(cp.server.manager.limits).toEqual(DEFAULT_LIMITS);
  });
});
