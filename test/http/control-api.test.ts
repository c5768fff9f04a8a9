// The http twin driven through the control API: an environment with stubs, a runtime stub added by
// the add-stub action, a fault rule over REST, inspect with filters and the journal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

describe('http twin through the control API', () => {
  it('serves config and runtime stubs, applies REST fault rules, and inspects requests', async () => {
    const env = await cp.createEnv({
      seed: 3,
      twins: {
        rates: {
          kind: 'http',
          stubs: [{ id: 'rate', request: { method: 'GET', path: '/rates/:currency' }, response: { body: { currency: '{{request.params.currency}}', rate: 0.92 } } }],
        },
      },
    });
    const url = env.twins.rates.endpoints.url as string;
    expect(env.env.HTTP_RATES_URL).toBe(url);
    expect(await (await fetch(`${url}/rates/USD`)).json()).toEqual({ currency: 'USD', rate: 0.92 });

    const base = `/environments/${env.id}`;
    const added = await cp.call('POST', `${base}/twins/rates/actions/add-stub`, {
      token: env.token,
      body: { id: 'frozen', request: { method: 'GET', path: '/rates/CHF' }, response: { status: 451, body: 'frozen' } },
    });
    expect(added).toEqual({ status: 200, body: { result: { id: 'frozen' } } });
    expect((await fetch(`${url}/rates/CHF`)).status).toBe(451);

    const bad = await cp.call('POST', `${base}/twins/rates/actions/add-stub`, {
      token: env.token,
      body: { request: { method: 'GET' }, response: {} },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('STANDIN_ERR_TWIN_ACTION_FAILED');
    expect(bad.body.message).toContain('request: needs path or pathPattern');

    const rule = await cp.call('POST', `${base}/faults`, {
      token: env.token,
      body: { twin: 'rates', point: 'request', match: { path: '/rates/:currency', query: { fresh: 'yes' } }, action: { error: { status: 503 } }, trigger: { times: 1 } },
    });
    expect(rule.status).toBe(201);
    expect((await fetch(`${url}/rates/EUR?fresh=yes`)).status).toBe(503);
    expect((await fetch(`${url}/rates/EUR?fresh=yes`)).status).toBe(200);

    const badRule = await cp.call('POST', `${base}/faults`, {
      token: env.token,
      body: { twin: 'rates', point: 'request', action: { corrupt: { how: 'scramble' } } },
    });
    expect(badRule.status).toBe(400);
    expect(badRule.body.message).toBe('body.action.corrupt.how: expected one of "truncate", "malformed-json", "wrong-content-type", "empty"');

    const inspected = await cp.call('GET', `${base}/twins/rates?path=/rates/:currency&status=503`, { token: env.token });
    expect(inspected.status).toBe(200);
    expect(inspected.body.state.requests).toHaveLength(1);
    expect(inspected.body.state.requests[0]).toMatchObject({ method: 'GET', path: '/rates/EUR', status: 503, fault: { rule: rule.body.id } });
    expect(inspected.body.state.stubs.map((s: { id: string }) => s.id)).toEqual(['frozen', 'rate']);

    const journal = await cp.call('GET', `${base}/journal?twin=rates&type=request`, { token: env.token });
    expect(journal.body.events.map((e: { summary: string }) => e.summary)).toEqual([
      'GET /rates/USD → 200',
      'GET /rates/CHF → 451',
      'GET /rates/EUR → 503',
      'GET /rates/EUR → 200',
    ]);

    // Environment reset: runtime stubs gone, request log empty.
    expect((await cp.call('POST', `${base}/reset`, { token: env.token })).status).toBeLessThan(300);
    expect((await fetch(`${url}/rates/CHF`)).status).toBe(200);
    const after = await cp.call('GET', `${base}/twins/rates`, { token: env.token });
    expect(after.body.state.requests.map((r: { path: string }) => r.path)).toEqual(['/rates/CHF']);
    await cp.call('DELETE', base, { token: env.token });
  });
});
