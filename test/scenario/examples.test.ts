// The example scenarios in scenarios/checkout catch real bugs: each naive variant of the service
// fails the expectation that its correct twin passes. Both outcomes are asserted here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/index.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { defaultRegistry } from '../../src/environments/default-kinds.ts';
import { readScenarioFile } from '../../src/scenario/scenario-file.ts';
import { runScenario, scenarioFileAccess, type ScenarioReport } from '../../src/scenario/scenario-runner.ts';
import { withCompiledSut } from '../support/compiled-sut.ts';

const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger });
const out = await mkdtemp(join(tmpdir(), 'standin-examples-'));
afterAll(async () => {
  await manager.close();
  await rm(out, { recursive: true, force: true });
});

const dir = new URL('../../scenarios/checkout/', import.meta.url).pathname;
// As `standin run` runs them: the files a scenario names resolve in its folder. The service is
// bundled once rather than started through tsx at each run (test/support/compiled-sut.ts).
const run = async (file: string): Promise<ScenarioReport> =>
  runScenario(await withCompiledSut(await readScenarioFile(`${dir}${file}`, manager.registry), out), manager, { access: scenarioFileAccess(`${dir}${file}`) });
const failedOf = (report: ScenarioReport) => report.expectations.filter((e) => !e.passed).map((e) => `${e.name}: ${e.observed}`);

describe('example scenarios catch real bugs', { timeout: 120_000 }, () => {
  it('a lost payment response: the correct service charges once, the naive retry charges twice', async () => {
    const correct = await run('partial-failure-lost-response.yaml');
    expect(failedOf(correct)).toEqual([]);
    expect(correct.status).toBe('passed');

    const naive = await run('naive-retry-double-charge.yaml');
    expect(naive.status).toBe('passed'); // passed = the expected failure happened
    expect(failedOf(naive)).toEqual(['stripe: 2 of 2 charges match']);
  });

  it('an unsigned token: the correct service refuses it, the naive one places the order', async () => {
    const correct = await run('security-alg-none-token.yaml');
    expect(failedOf(correct)).toEqual([]);

    const naive = await run('naive-trust-token.yaml');
    expect(naive.status).toBe('passed');
    expect(failedOf(naive)).toEqual(['exitCode: exit code 0', 'stripe: 1 of 1 payment_intents match']);
  });

  it('a Stripe API upgrade: legacy receipt code works pinned to its version, and breaks upgraded', async () => {
    const pinned = await run('backward-compat-stripe-api-version.yaml');
    expect(failedOf(pinned)).toEqual([]);

    const upgraded = await run('naive-upgrade-stripe-api-version.yaml');
    expect(upgraded.status).toBe('passed');
    // The card was charged; the service crashed before settling the order.
    expect(failedOf(upgraded)).toEqual(['exitCode: exit code 1', 'sql: rows [{"status":"pending"}]']);
  });

  it('the happy path passes with every twin kind, the same seed giving the same ids', async () => {
    const first = await run('happy-path.yaml');
    expect(failedOf(first)).toEqual([]);
    const second = await run('happy-path.yaml');
    expect(second.sut?.stdoutTail).toBe(first.sut?.stdoutTail);
  });
});
