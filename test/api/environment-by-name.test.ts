// REST takes an environment's name wherever it takes its id, as MCP's tools do; the token is still
// that environment's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

describe('/environments/:id by name', () => {
  it('reads, resets, adds faults to and destroys an environment by its name', async () => {
    const env = await cp.createEnv({ name: 'checkout', twins: { api: { kind: 'http' } } });
    const other = await cp.createEnv({ name: 'billing', twins: { api: { kind: 'http' } } });

    const view = await cp.call('GET', '/environments/checkout', { token: env.token });
    expect(view.status).toBe(200);
    expect(view.body.id).toBe(env.id);
    expect((await cp.call('GET', '/environments/checkout', { token: other.token })).status).toBe(401);
    const rule = await cp.call('POST', '/environments/checkout/faults', { token: env.token, body: { twin: 'api', point: 'request', action: { error: { status: 503 } } } });
    expect(rule.status).toBe(201);
    expect((await cp.call('POST', '/environments/checkout/reset', { token: env.token })).status).toBe(200);

    expect((await cp.call('DELETE', '/environments/checkout', { token: env.token })).status).toBe(204);
    expect((await cp.call('GET', `/environments/${env.id}`, { token: env.token })).status).toBe(404);
    const missing = await cp.call('GET', '/environments/checkout', { token: env.token });
    expect(missing.body.code).toBe('STANDIN_ERR_ENV_NOT_FOUND');
    expect((await cp.call('DELETE', `/environments/${other.id}`, { token: other.token })).status).toBe(204);
  });
});
