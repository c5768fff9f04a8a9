// standin explore against a real http twin and a real system under test (node with fetch) that
// retries a charge: the naive one makes a new idempotency key per attempt. Explore must find that
// with no fault written, shrink it, write a scenario file that `standin run` fails as written, and
// find nothing against the correct service; two explorations with one seed must agree.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/index.ts';
import { defaultRegistry } from '../../src/environments/default-kinds.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { explore, type ExploreOptions } from '../../src/explore/explorer.ts';
import { exploreJUnit, formatExploreReport } from '../../src/explore/explore-report.ts';
import { readScenarioFile } from '../../src/scenario/scenario-file.ts';
import { scenarioFileAccess } from '../../src/scenario/scenario-runner.ts';

const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger });
afterAll(() => manager.close());

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const bin = new URL('../../bin/standin.js', import.meta.url).pathname;

async function exploreFile(name: string, options: ExploreOptions = {}) {
  const path = fixture(name);
  const file = await readScenarioFile(path, manager.registry);
  return explore(file, manager, { access: scenarioFileAccess(path, file.scenario), ...options });
}

function standin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('standin explore', () => {
  it('finds the naive retry with no fault written, and the file it writes fails under standin run', { timeout: 180_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'standin-explore-'));
    const report = await exploreFile('pay-naive.yaml', { budget: 20, outDir: out });
    expect(report.status).toBe('violated');
    expect(report.baseline?.interactions).toEqual([{ twin: 'pay', point: 'request', label: 'POST /charges', count: 1 }]);
    const [finding] = report.findings;
    expect(report.findings).toHaveLength(1);
    expect(finding?.reproduced).toBe(true);
    expect(finding?.schedule).toMatch(/^pay POST \/charges #1 → /);
    expect(finding?.violations.map((v) => [v.name, v.invariant])).toEqual([["every charge attempt carries the order's one idempotency key", true]]);
    // The first failure stops the exploration (--max-failures 1) and is the last run kept.
    expect(report.runs.at(-1)?.outcome).toBe('violated');
    expect(report.runs.slice(0, -1).every((r) => r.outcome === 'held')).toBe(true);
    expect(formatExploreReport(report)).toMatch(/VIOLATED {2}pay POST \/charges #1 → /);
    expect(exploreJUnit(report)).toMatch(/<failure message="every charge attempt/);

    expect(await readdir(out)).toEqual(['pay-naive.found-1.yaml']);
    const written = await readFile(join(out, 'pay-naive.found-1.yaml'), 'utf8');
    expect(written).toMatch(/^# Found by standin explore .*pay-naive\.yaml --seed 7 --budget 20:\n/);
    expect(written).toContain(`# Replay: npx standin run ${join(out, 'pay-naive.found-1.yaml')} --seed 7`);
    const replay = await standin(['run', join(out, 'pay-naive.found-1.yaml'), '--seed', '7']);
    expect(replay.stdout).toContain("✗ every charge attempt carries the order's one idempotency key");
    expect(replay.code).toBe(1);
  });

  it('finds no violation against the correct service, every candidate tried', { timeout: 180_000 }, async () => {
    const report = await exploreFile('pay.yaml', { budget: 20 });
    expect(report.status).toBe('clean');
    expect(report.findings).toEqual([]);
    expect(report.runs.map((r) => r.outcome)).toEqual(report.runs.map(() => 'held'));
    // Every fault the http vocabulary offers at the one interaction, cheap ones first, the hang last.
    expect(report.runs.length).toBe(report.candidates);
    expect(report.runs.at(-1)?.schedule).toBe('pay POST /charges #1 → no answer');
  });

  it('is deterministic: one seed and budget, the same candidates in the same order and the same findings', { timeout: 240_000 }, async () => {
    const options = { budget: 8, maxFailures: 3, concurrency: 2, seed: 99 };
    const [a, b] = [await exploreFile('pay-naive.yaml', options), await exploreFile('pay-naive.yaml', options)];
    const shape = (r: typeof a) => ({
      seed: r.seed,
      runs: r.runs.map((run) => [run.schedule, run.outcome]),
      findings: r.findings.map((f) => [f.schedule, f.reproduced, f.violations.map((v) => v.name)]),
    });
    expect(shape(a)).toEqual(shape(b));
    expect(a.seed).toBe(99);
    expect(a.findings).toHaveLength(3);
  });

  it('refuses a scenario that fails without faults, and bad flags, with exit code 2', { timeout: 120_000 }, async () => {
    const broken = await standin(['explore', fixture('pay-broken.yaml'), '--budget', '3']);
    expect(broken.stdout).toContain('nothing to explore: the scenario fails without faults');
    expect(broken.code).toBe(2);
    const badFlag = await standin(['explore', fixture('pay.yaml'), '--budget', 'many']);
    expect(badFlag.stderr).toContain('--budget: many is not a positive integer');
    expect(badFlag.code).toBe(2);
    const missing = await standin(['explore', fixture('nope.yaml')]);
    expect(missing.code).toBe(2);
  });
});
