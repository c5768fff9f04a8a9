// The proof of `standin explore` on the checkout example (issue 17, item 3): the scenario files in
// scenarios/checkout/explore declare invariants and no faults. Within a budget of 200 runs explore
// finds the bug of each naive variant of the service — by the fault, forged token or API version
// that exposes it — and finds nothing wrong with the correct service. A finding is handed back as
// a scenario file that fails on its own when run. The service runs bundled once by esbuild rather
// than through tsx at each of the ~250 runs (test/support/compiled-sut.ts): the same code, started
// in a fifth of the time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/index.ts';
import { defaultRegistry } from '../../../src/environments/default-kinds.ts';
import { EnvironmentManager } from '../../../src/environments/environment-manager.ts';
import type { ExploreReport } from '../../../src/explore/explore-report.ts';
import { explore } from '../../../src/explore/explorer.ts';
import { readScenarioFile } from '../../../src/scenario/scenario-file.ts';
import { runScenario, scenarioFileAccess } from '../../../src/scenario/scenario-runner.ts';
import { withCompiledSut } from '../../support/compiled-sut.ts';

const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger });
const out = await mkdtemp(join(tmpdir(), 'standin-explore-proof-'));
afterAll(async () => {
  await manager.close();
  await rm(out, { recursive: true, force: true });
});

const BUDGET = 200;
const dir = new URL('../../../scenarios/checkout/explore/', import.meta.url).pathname;

async function exploreFile(name: string): Promise<ExploreReport> {
  const path = `${dir}${name}`;
  const file = await withCompiledSut(await readScenarioFile(path, manager.registry), out);
  // As `standin explore` reads it, with the default seed and the concurrency the machine can spare.
  const report = await explore(file, manager, { budget: BUDGET, concurrency: 2, outDir: out, access: scenarioFileAccess(path, file.scenario) });
  expect(report.error).toBeUndefined();
  expect(report.runs.length).toBeLessThanOrEqual(BUDGET);
  return report;
}

/** The one finding of a report that broke something: its schedule and what it broke. */
function findingOf(report: ExploreReport): { schedule: string; broke: string[]; path?: string } {
  expect(report.status).toBe('violated');
  expect(report.findings).toHaveLength(1);
  const [finding] = report.findings;
  expect(finding?.reproduced).toBe(true);
  return { schedule: finding?.schedule ?? '', broke: finding?.violations.map((v) => v.name) ?? [], ...(finding?.path ? { path: finding.path } : {}) };
}

describe('explore on the checkout example', { timeout: 3_600_000 }, () => {
  it('finds the retry without an idempotency key: the answer lost after the charge ran charges twice, and the finding replays', async () => {
    const finding = findingOf(await exploreFile('naive-retry-without-idempotency.yaml'));
    expect(finding.schedule).toBe('payments POST /v1/payment_intents #1 → answer lost after the call ran');
    expect(finding.broke).toEqual(['the customer is charged at most once']);

    // The written file is the bug on its own: no explore, no flags.
    expect(finding.path).toBeDefined();
    const path = finding.path as string;
    const found = await readScenarioFile(path, manager.registry);
    const replay = await runScenario(found, manager, { access: scenarioFileAccess(path, found.scenario) });
    expect(replay.status).toBe('failed');
    expect(replay.expectations.filter((e) => !e.passed).map((e) => `${e.name}: ${e.observed}`)).toEqual([
      'the customer is charged at most once: 2 of 2 charges match',
    ]);
  });

  it('finds the service that trusts token claims: a forged token places an order', async () => {
    const finding = findingOf(await exploreFile('naive-trust-token.yaml'));
    expect(finding.schedule).toMatch(/^setup\[0\] idp mint-token → /);
    expect(finding.broke).toEqual(['a forged token is refused', 'a forged token places no order', 'a forged token moves no money']);
  });

  it('finds the receipt code written for an old Stripe API version: upgraded, it charges and never settles', async () => {
    const finding = findingOf(await exploreFile('naive-legacy-charges.yaml'));
    expect(finding.schedule).toBe('env STRIPE_API_VERSION=2026-10-28.endive');
    expect(finding.broke).toEqual(['exitCode', 'sql']);
  });

  it('finds nothing wrong with the correct service in the whole budget', async () => {
    const report = await exploreFile('checkout.yaml');
    const violated = report.runs.filter((r) => r.outcome === 'violated').map((r) => `${r.schedule}: ${r.violations.map((v) => v.name).join(', ')}`);
    expect(violated).toEqual([]);
    expect(report.status).toBe('clean');
    expect(report.findings).toEqual([]);
    // The budget was spent on faults that fired: every single candidate, then pairs.
    expect(report.runs).toHaveLength(BUDGET);
    expect(report.runs.filter((r) => r.outcome === 'error')).toEqual([]);
    expect(report.runs.filter((r) => r.phase === 'pair').length).toBeGreaterThan(0);
    expect(report.tried).toBeGreaterThan(report.candidates);
  });
});
