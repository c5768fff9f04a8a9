// The control API fuzz at a modest count (api-fuzz-run.ts; `npm run bench -- hostile` runs it at
// 20,000+ requests against a separate process). Property: no request a client can send is answered
// ≥ 500 or left unanswered, the server still serves afterwards, and every environment the fuzz
// created is gone once it destroyed them. fast-check shrinks a failing request to a small reproducer.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';
import { ApiFuzz } from './api-fuzz-run.ts';

const RUNS = 600;

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

describe('control API fuzz', () => {
  it(`answers ${RUNS} generated and mutated requests below 500, and leaves no environment behind`, { timeout: 120_000 }, async () => {
    // kafka and postgres start heavier twins: in CI they come rarely (postgres not at all).
    const fuzz = await ApiFuzz.start({ url: cp.url, kindWeights: { http: 6, tcp: 4, stripe: 2, oidc: 1, kafka: 1 }, timeoutMs: 20_000 });
    try {
      await fc.assert(
        fc.asyncProperty(fuzz.plans, (plan) => fuzz.send(plan)),
        { numRuns: RUNS, seed: Number(process.env.STANDIN_FUZZ_SEED ?? 11), endOnFailure: false, interruptAfterTimeLimit: 90_000 },
      );
    } finally {
      expect(fuzz.tally.failures).toEqual([]);
      expect(await fuzz.cleanup()).toEqual({ environments: 0, proxies: 0 });
    }
    expect((await cp.call('GET', '/health')).status).toBe(200);
    expect(fuzz.tally.created).toBeGreaterThan(0);
  });
});
