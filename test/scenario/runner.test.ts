import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { silentLogger } from '../../src/core/index.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { TwinRegistry } from '../../src/environments/twin-registry.ts';
import { toJUnit } from '../../src/scenario/report.ts';
import { parseScenario } from '../../src/scenario/scenario-file.ts';
import { runScenarioFiles } from '../../src/scenario/run-scenarios.ts';
import { runScenario } from '../../src/scenario/scenario-runner.ts';
import { echoTwin } from '../support/echo-twin.ts';

const manager = new EnvironmentManager({ registry: new TwinRegistry([echoTwin]), log: silentLogger });
afterAll(() => manager.close());

// The SUT: sends its arguments to the echo twin named by ECHO_ADDR and prints the answers.
const client = `node ${new URL('./fixtures/echo-client.mjs', import.meta.url).pathname}`;

function scenario(text: string) {
  return parseScenario('inline.yaml', text, manager.registry);
}

describe('scenario files', () => {
  it('report schema problems with file, line, column and field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['name: x\ntwins:\n  a: abc\n', /^inline\.yaml:3:6: twins\.a: expected object/],
      ['name: x\ntwins: {}\nexpect:\n  - exitCode: 0\n  - exitCod: 1\n', /^inline\.yaml:5:5: expect\[1\]\.exitCod: unknown expectation/],
      ['name: x\ntwins: {}\nexpect:\n  - journal: { count: -1 }\n', /^inline\.yaml:4:\d+: expect\[0\]\.journal\.count/],
      ['twins: {}\n', /^inline\.yaml:1:1: name: is required/],
      ['name: x\ntwins: {}\nrun: { command: 5 }\n', /^inline\.yaml:3:\d+: run\.command/],
      ['name: x\ntwins: {}\nsteps:\n  - at: 2 seconds\n    removeFault: r1\n', /^inline\.yaml:4:\d+: steps\[0\]\.at/],
      ['name: [x\n', /^inline\.yaml:\d+:\d+: \(syntax\)/],
    ];
    for (const [text, pattern] of cases) await expect(scenario(text), text).rejects.toThrow(pattern);
  });

  it('a bad twin config or fault rule found at start is reported at its position', async () => {
    const report = await runScenario(
      await scenario('name: x\ntwins:\n  a: { kind: echo }\nfaults:\n  - twin: a\n    point: nope\n    action: { hang: {} }\n'),
      manager,
    );
    expect(report.status).toBe('error');
    expect(report.error).toMatch(/^inline\.yaml:6:12: faults\[0\]\.point: .*nope.*connection, line/);
    const badPort = await runScenario(await scenario('name: x\ntwins:\n  a:\n    kind: echo\n    port: abc\n'), manager);
    expect(badPort.error).toMatch(/^inline\.yaml:5:11: twins\.a\.port: expected integer/);
  });
});

describe('scenario runner', () => {
  it('runs the command with the twins’ env, applies faults and evaluates every expectation type it can', async () => {
    const report = await runScenario(
      await scenario(`
name: echo works
seed: 11
twins:
  a: { kind: echo, greeting: "re: " }
faults:
  - { id: slow, twin: a, point: line, match: { text: two }, action: { delay: { ms: 20 } } }
run: { command: '${client} one two', timeoutMs: 20000 }
expect:
  - exitCode: 0
  - stdout: "re: one"
  - stdout: { matches: "re: two$", notContains: three }
  - stderr: { notContains: Error }
  - journal: { twin: a, count: 2 }
  - journal: { twin: a, match: { text: two }, count: 1 }
  - journal: { rule: slow, count: 1 }
  - journal: { twin: a, order: [{ text: one }, { text: two }] }
`),
      manager,
    );
    expect(report.expectations.filter((e) => !e.passed)).toEqual([]);
    expect(report.status).toBe('passed');
    expect(report.seed).toBe(11);
    expect(report.replay).toBe('npx standin run inline.yaml --seed 11');
  });

  it('failing expectations say what was observed', async () => {
    const report = await runScenario(
      await scenario(`
name: wrong
twins: { a: { kind: echo } }
run: { command: '${client} one' }
expect:
  - exitCode: 3
  - stdout: nothing-like-this
  - journal: { twin: a, count: { min: 5 } }
  - journal: { twin: a, order: [{ text: two }, { text: one }] }
  - journal: { twin: a, minGapMs: 10000 }
`),
      manager,
    );
    expect(report.status).toBe('failed');
    expect(report.expectations.map((e) => e.passed)).toEqual([false, false, false, false, true]);
    expect(report.expectations[0]!.observed).toBe('exit code 0');
    expect(report.expectations[2]!.observed).toBe('1 events');
  });

  it('kills a hung command at its timeout and reports it', async () => {
    const started = Date.now();
    const report = await runScenario(
      await scenario(`name: hung\ntwins: {}\nrun: { command: 'sleep 30', timeoutMs: 300 }\nexpect:\n  - exitCode: 0\n`),
      manager,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(report.status).toBe('failed');
    expect(report.sut?.timedOut).toBe(true);
    expect(report.expectations[0]!.observed).toMatch(/killed after the \d+ ms timeout/);
  });

  it('timed steps add and remove faults while the command runs', async () => {
    const report = await runScenario(
      await scenario(`
name: steps
twins: { a: { kind: echo } }
steps:
  - { at: 0ms, addFault: { id: late, twin: a, point: line, action: { delay: { ms: 1 } } } }
  - { at: 1ms, removeFault: nope }
run: { command: 'sleep 0.5 && ${client} x' }
expect:
  - journal: { rule: late, count: 1 }
`),
      manager,
    );
    expect(report.steps.map((s) => [s.ok, s.detail])).toEqual([
      [true, 'added fault late'],
      [false, 'no fault nope to remove'],
    ]);
    expect(report.status).toBe('passed');
  });

  it('expectFailure passes when an expectation catches the bug, and fails when none does', async () => {
    const caught = await runScenario(
      await scenario(`name: naive\nexpectFailure: the naive client never retries\ntwins: {}\nrun: { command: 'exit 1' }\nexpect:\n  - exitCode: 0\n`),
      manager,
    );
    expect(caught.status).toBe('passed');
    const missed = await runScenario(
      await scenario(`name: naive\nexpectFailure: a bug\ntwins: {}\nrun: { command: 'true' }\nexpect:\n  - exitCode: 0\n`),
      manager,
    );
    expect(missed.status).toBe('failed');
    expect(missed.error).toMatch(/not caught/);
  });

  it('the same seed gives the same report, timings aside', async () => {
    const text = `
name: seeded
twins: { a: { kind: echo } }
faults:
  - { twin: a, point: line, action: { delay: { ms: 1 } }, trigger: { probability: 0.5 } }
run: { command: '${client} 1 2 3 4 5 6 7 8 9 10 11 12' }
expect:
  - journal: { type: fault, count: 6 }
`;
    const strip = (r: Awaited<ReturnType<typeof runScenario>>) =>
      JSON.stringify({ ...r, durationMs: 0, sut: { ...r.sut, durationMs: 0 } });
    const a = await runScenario(await scenario(text), manager, { seed: 5 });
    const b = await runScenario(await scenario(text), manager, { seed: 5 });
    expect(strip(a)).toEqual(strip(b));
    expect(a.expectations[0]!.observed).toMatch(/^\d+ events$/);
  });

  it('runs files in parallel and writes JUnit that parses back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'standin-scenarios-'));
    for (let i = 0; i < 4; i++) {
      await writeFile(
        join(dir, `s${i}.yaml`),
        `name: s${i}\ntwins: { a: { kind: echo } }\nrun: { command: '${client} hello' }\nexpect:\n  - exitCode: ${i === 3 ? 9 : 0}\n`,
      );
    }
    const files = ['s0', 's1', 's2', 's3', 'missing'].map((n) => join(dir, `${n}.yaml`));
    const summary = await runScenarioFiles(files, manager, { concurrency: 4 });
    expect([summary.passed, summary.failed, summary.errors]).toEqual([3, 1, 1]);
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(toJUnit(summary));
    expect(junit.testsuites).toMatchObject({ name: 'standin', tests: '5', failures: '1', errors: '1' });
    const cases = junit.testsuites.testsuite.testcase as Array<Record<string, any>>;
    expect(cases.map((c) => c.name)).toEqual(['s0', 's1', 's2', 's3', files[4]]);
    expect(cases[3]!.failure.message).toBe('exitCode: expected exit code 9, observed exit code 0');
    expect(cases[4]!.error.message).toContain('no scenario file at');
    expect(cases[0]!['system-out']).toMatch(/^seed \d+\nreplay: npx standin run /);
  });
});

describe('scenario setup', () => {
  it('runs twin actions before the command and exports their results as env vars', async () => {
    const report = await runScenario(
      await scenario(`
name: setup
twins: { a: { kind: echo } }
setup:
  - { twin: a, verb: shout, params: { text: hello }, env: { LOUD: text } }
run: { command: 'echo "got $LOUD"' }
expect:
  - stdout: got HELLO
`),
      manager,
    );
    expect(report.status).toBe('passed');
    const bad = await runScenario(await scenario(`name: s\ntwins: { a: { kind: echo } }\nsetup:\n  - { twin: a, verb: shout, params: { text: 1 } }\nrun: { command: 'true' }\n`), manager);
    expect(bad.status).toBe('error');
    expect(bad.error).toContain('setup[0].params.text');
  });
});
