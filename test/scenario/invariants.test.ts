// invariants: and explore: in scenario files: checked with file positions like expect:, and
// `standin run` checks the invariants that hold whatever the faults (those without `when`).
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/index.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { TwinRegistry } from '../../src/environments/twin-registry.ts';
import { formatScenario } from '../../src/scenario/report.ts';
import { parseScenario } from '../../src/scenario/scenario-file.ts';
import { runScenario } from '../../src/scenario/scenario-runner.ts';
import { echoTwin } from '../support/echo-twin.ts';

const manager = new EnvironmentManager({ registry: new TwinRegistry([echoTwin]), log: silentLogger });
afterAll(() => manager.close());

const scenario = (text: string) => parseScenario('inline.yaml', text, manager.registry);

describe('invariants in scenario files', () => {
  it('are read with their when: classes', async () => {
    const file = await scenario(`
name: x
twins: { a: { kind: echo } }
invariants:
  - exitCode: 0
  - { name: quiet, stderr: { notContains: Error }, when: hang }
  - { journal: { twin: a, count: { max: 3 } }, when: [error, answer-lost] }
explore:
  vary: { env: { MODE: [fast, slow] } }
  budget: 20
  skip: [a.line]
`);
    expect(file.invariants.map((i) => [i.key, i.name, i.when])).toEqual([
      ['exitCode', 'exitCode', undefined],
      ['stderr', 'quiet', ['hang']],
      ['journal', 'journal', ['error', 'answer-lost']],
    ]);
    expect(file.scenario.explore).toEqual({ vary: { env: { MODE: ['fast', 'slow'] } }, budget: 20, skip: ['a.line'] });
  });

  it('report problems at file:line:column naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['name: x\ntwins: {}\ninvariants:\n  - exitCod: 0\n', /^inline\.yaml:4:5: invariants\[0\]\.exitCod: unknown expectation/],
      ['name: x\ntwins: {}\ninvariants:\n  - { exitCode: 0, when: sometimes }\n', /^inline\.yaml:4:\d+: invariants\[0\]\.when: .*one of error, delay, hang/],
      ['name: x\ntwins: {}\ninvariants:\n  - exitCode: zero\n', /^inline\.yaml:4:\d+: invariants\[0\]\.exitCode: expected integer/],
      ['name: x\ntwins: {}\nexplore:\n  vary: { env: { A: [] } }\n', /^inline\.yaml:4:\d+: explore\.vary\.env\.A/],
      ['name: x\ntwins: {}\nexplore:\n  skip: [db]\n', /^inline\.yaml:4:\d+: explore\.skip\[0\]: no twin db/],
      ['name: x\ntwins: {}\nexplore:\n  budget: 0\n', /^inline\.yaml:4:\d+: explore\.budget/],
    ];
    for (const [text, pattern] of cases) await expect(scenario(text), text).rejects.toThrow(pattern);
  });

  it('standin run checks the invariants without when, and only those', async () => {
    const report = await runScenario(
      await scenario(`
name: x
twins: {}
run: { command: 'echo hello; exit 3' }
expect:
  - stdout: hello
invariants:
  - exitCode: 0
  - { exitCode: 4, when: error }
`),
      manager,
    );
    expect(report.status).toBe('failed');
    expect(report.expectations.map((e) => [e.type, e.passed, e.invariant ?? false])).toEqual([
      ['stdout', true, false],
      ['exitCode', false, true],
    ]);
    expect(formatScenario(report)).toContain('✗ invariant exitCode: exit code 0');
  });
});
