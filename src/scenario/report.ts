// The readable report of a run, and its JSON and JUnit XML forms.
import type { ScenarioReport } from './scenario-runner.ts';

export interface RunSummary {
  passed: number;
  failed: number;
  errors: number;
  durationMs: number;
  scenarios: ScenarioReport[];
}

export function summarize(scenarios: ScenarioReport[], durationMs: number): RunSummary {
  return {
    passed: scenarios.filter((s) => s.status === 'passed').length,
    failed: scenarios.filter((s) => s.status === 'failed').length,
    errors: scenarios.filter((s) => s.status === 'error').length,
    durationMs,
    scenarios,
  };
}

const MARK = { passed: '✓', failed: '✗', error: '!' } as const;

export function formatScenario(report: ScenarioReport): string {
  const lines = [`${MARK[report.status]} ${report.name}  (${report.file}, seed ${report.seed}, ${Math.round(report.durationMs)} ms)`];
  if (report.expectFailure !== undefined) {
    lines.push(
      report.status === 'passed'
        ? `    expected to fail — bug caught: ${report.expectFailure}`
        : `    expected to fail (${report.expectFailure})`,
    );
  }
  if (report.error) lines.push(`    ${report.status === 'error' ? 'error' : 'note'}: ${report.error}`);
  for (const step of report.steps) lines.push(`    step @${step.at}ms ${step.ok ? 'ok' : 'FAILED'}: ${step.detail}`);
  for (const e of report.expectations) {
    lines.push(`    ${e.passed ? '✓' : '✗'} ${e.invariant ? 'invariant ' : ''}${e.name}: ${e.expected}${e.passed ? '' : `\n        observed: ${e.observed}`}`);
  }
  const failing = report.status !== 'passed';
  if (failing && report.sut) {
    if (report.sut.timedOut) lines.push(`    the command was killed after its timeout (${Math.round(report.sut.durationMs)} ms)`);
    if (report.sut.stderrTail) lines.push(`    stderr (last lines):\n${indent(report.sut.stderrTail, 8)}`);
  }
  if (failing) lines.push(`    replay: ${report.replay}`);
  return lines.join('\n');
}

export function formatSummary(summary: RunSummary): string {
  return `${summary.passed} passed, ${summary.failed} failed${summary.errors ? `, ${summary.errors} errors` : ''} (${(summary.durationMs / 1000).toFixed(1)} s)`;
}

export function toJUnit(summary: RunSummary): string {
  const cases = summary.scenarios.map((s) => {
    const failures = s.expectations.filter((e) => !e.passed);
    const body: string[] = [];
    if (s.status === 'error') body.push(`<error message="${xml(s.error ?? 'error')}"/>`);
    else if (s.status === 'failed') {
      const message = s.error ?? failures.map((f) => `${f.name}: expected ${f.expected}, observed ${f.observed}`).join('; ');
      body.push(`<failure message="${xml(message)}">${xml(formatScenario(s))}</failure>`);
    }
    body.push(`<system-out>${xml(`seed ${s.seed}\nreplay: ${s.replay}\n${s.sut?.stdoutTail ?? ''}`)}</system-out>`);
    return `    <testcase classname="${xml(s.file)}" name="${xml(s.name)}" time="${(s.durationMs / 1000).toFixed(3)}">${body.join('')}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="standin" tests="${summary.scenarios.length}" failures="${summary.failed}" errors="${summary.errors}" time="${(summary.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="scenarios" tests="${summary.scenarios.length}" failures="${summary.failed}" errors="${summary.errors}" time="${(summary.durationMs / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Text safe in XML attributes and content (control characters XML 1.0 forbids removed). */
export function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function indent(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');
}
