// What the API fuzz found answered 500 outside the API's edge, each now a client mistake with a 4xx:
// the Toxiproxy API's Fastify errors, an action verb named like an Object.prototype member, and a
// stripe twin config its own API would refuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

async function raw(method: string, path: string, body: string | undefined, contentType?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${cp.url}${path}`, { method, body, headers: contentType ? { 'content-type': contentType } : {} });
  return { status: response.status, body: await response.json() };
}

describe('the Toxiproxy API answers malformed requests with 4xx', () => {
  it.each([
    ['POST', '/proxies', '{"a":', 'application/json'],
    ['POST', '/proxies', '', 'application/json'],
    ['POST', '/populate', 'name=x', 'text/plain'],
    ['POST', '/proxies', 'x', undefined],
  ])('%s %s %j (%s)', async (method, path, body, type) => {
    const answer = await raw(method, path, body, type);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.code).toMatch(/^STANDIN_ERR_API_/);
  });
});

describe('twin actions are own properties of the kind', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('verb %s is an unknown action (404)', async (verb) => {
    const env = await cp.createEnv({ twins: { web: { kind: 'http' } } });
    try {
      const answer = await cp.call('POST', `/environments/${env.id}/twins/web/actions/${verb}`, { body: {}, token: env.token });
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('STANDIN_ERR_TWIN_UNKNOWN_ACTION');
    } finally {
      await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
    }
  });
});

describe('a stripe twin config that Stripe would refuse is a 400 naming the field', () => {
  it.each([
    [{ fixtures: { products: [{ id: 'prod_1' }] } }, 'twins.pay.fixtures.products[0]'],
    [{ fixtures: { prices: [{ unit_amount: 100 }] } }, 'twins.pay.fixtures.prices[0]'],
    [{ webhooks: [{ url: 'not a url' }] }, 'twins.pay.webhooks[0]'],
  ])('%j', async (config, field) => {
    const answer = await cp.call('POST', '/environments', { body: { twins: { pay: { kind: 'stripe', ...config } } } });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('STANDIN_ERR_TWIN_CONFIG_INVALID');
    expect(answer.body.message).toContain(field);
    expect((await cp.call('GET', '/environments')).body.environments).toEqual([]);
  });
});
