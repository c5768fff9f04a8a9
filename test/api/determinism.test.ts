// Same seed, same traffic ⇒ same fault decisions, across two environments over real sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

/** Creates an environment with an http twin and a 30% 503 rule, sends 200 requests, answers the statuses. */
async function statuses(seed: number): Promise<string> {
  const env = await cp.createEnv({
    seed,
    twins: { api: { kind: 'http', stubs: [{ request: { method: 'GET', path: '/items/:id' }, response: { status: 200, body: 'ok' } }] } },
    faults: [{ twin: 'api', point: 'request', action: { error: { status: 503 } }, trigger: { probability: 0.3 } }],
  });
  const out: string[] = [];
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${env.twins.api.endpoints.url}/items/${i}`);
    await response.arrayBuffer();
    out.push(response.status === 503 ? 'x' : '.');
  }
  await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
  return out.join('');
}

describe('determinism', () => {
  it('two environments with the same seed fault the same requests; another seed differs', async () => {
    const a = await statuses(42);
    const b = await statuses(42);
    const c = await statuses(43);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const faulted = a.split('x').length - 1;
    expect(faulted).toBeGreaterThan(35);
    expect(faulted).toBeLessThan(85);
  });
});
