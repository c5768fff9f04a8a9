// The report of an exploration, declared once (the API answers it with this schema): every run
// (schedule → outcome), the findings with their minimal schedules and replay files; as a readable
// table (failures first), JSON and JUnit XML.
import { Type, type Static } from '@sinclair/typebox';
import { xml } from '../scenario/report.ts';

const ViolationSchema = Type.Object({
  name: Type.String(),
  expected: Type.String(),
  observed: Type.String(),
  invariant: Type.Optional(Type.Boolean({ description: 'an item of invariants:, not of expect:' })),
});
export type Violation = Static<typeof ViolationSchema>;

const OutcomeSchema = Type.Union([Type.Literal('violated'), Type.Literal('held'), Type.Literal('not-reached'), Type.Literal('error')], {
  description: "not-reached: a fault's interaction did not happen in the run, which says nothing about that fault",
});
export type RunOutcome = Static<typeof OutcomeSchema>;

export const ExploreRunSchema = Type.Object({
  phase: Type.Union([Type.Literal('single'), Type.Literal('pair')]),
  schedule: Type.String({ description: 'what was injected: `payments POST /v1/payment_intents #1 → answer lost`, two joined by ` + `' }),
  outcome: OutcomeSchema,
  violations: Type.Array(ViolationSchema),
  error: Type.Optional(Type.String()),
  durationMs: Type.Number(),
});
export type ExploreRun = Static<typeof ExploreRunSchema>;

export const ExploreFindingSchema = Type.Object({
  schedule: Type.String({ description: 'the minimal schedule that breaks an invariant' }),
  shrunkFrom: Type.Optional(Type.String({ description: 'the schedule the exploration found, when shrinking made it smaller or earlier' })),
  shrinkRuns: Type.Integer(),
  reproduced: Type.Boolean({ description: 'it broke again in a fresh environment with the same seed' }),
  violations: Type.Array(ViolationSchema),
  scenario: Type.String({ description: 'the scenario file that replays it' }),
  path: Type.Optional(Type.String({ description: 'where it was written (only reproduced findings are)' })),
  replay: Type.Optional(Type.String()),
});
export type ExploreFinding = Static<typeof ExploreFindingSchema>;

export const ExploreReportSchema = Type.Object({
  file: Type.String(),
  name: Type.String(),
  seed: Type.Integer(),
  budget: Type.Integer(),
  concurrency: Type.Integer(),
  status: Type.Union([Type.Literal('violated'), Type.Literal('clean'), Type.Literal('unusable')], {
    description: 'violated: a finding reproduced; clean: none; unusable: the scenario cannot be explored (error says why)',
  }),
  error: Type.Optional(Type.String()),
  baseline: Type.Optional(
    Type.Object({
      durationMs: Type.Number(),
      checks: Type.Array(Type.Object({ name: Type.String(), passed: Type.Boolean(), expected: Type.String(), observed: Type.String() })),
      interactions: Type.Array(Type.Object({ twin: Type.String(), point: Type.String(), label: Type.String(), count: Type.Integer() })),
    }),
  ),
  candidates: Type.Integer({ description: 'single candidates the baseline gave (a budget may try fewer)' }),
  tried: Type.Integer({ description: 'runs whose faults all fired' }),
  notReached: Type.Integer(),
  runs: Type.Array(ExploreRunSchema),
  findings: Type.Array(ExploreFindingSchema),
  durationMs: Type.Number(),
});
export type ExploreReport = Static<typeof ExploreReportSchema>;

const OUTCOME_ORDER: Record<RunOutcome, number> = { violated: 0, error: 1, held: 2, 'not-reached': 3 };
const OUTCOME_WORD: Record<RunOutcome, string> = { violated: 'VIOLATED', error: 'error', held: 'held', 'not-reached': 'not reached' };

/** The runs as a table, fault → outcome, failures first (then errors, passes, unreached). */
export function formatExploreTable(report: ExploreReport, limit = Number.POSITIVE_INFINITY): string {
  const rows = [...report.runs.entries()].sort(([i, a], [j, b]) => OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome] || i - j);
  const width = Math.max(...rows.map(([, r]) => OUTCOME_WORD[r.outcome].length), 'outcome'.length);
  const lines = [`  ${'outcome'.padEnd(width)}  fault`];
  for (const [, run] of rows.slice(0, limit)) {
    const why = run.outcome === 'violated' ? `  (${run.violations.map((v) => v.name).join(', ')})` : run.outcome === 'error' ? `  (${run.error})` : '';
    lines.push(`  ${OUTCOME_WORD[run.outcome].padEnd(width)}  ${run.schedule}${why}`);
  }
  if (rows.length > limit) lines.push(`  … ${rows.length - limit} more runs (--json has them all)`);
  return lines.join('\n');
}

export function formatExploreReport(report: ExploreReport, tableLimit?: number): string {
  // The scenario's name stands alone, as `standin run` prints it: names are written freely (the
  // checkout ones start "explore finds it — …"), so a verb before one could stutter.
  const lines = [`${report.name}  (explored ${report.file}, seed ${report.seed})`];
  if (report.baseline) {
    lines.push(`  baseline: ${Math.round(report.baseline.durationMs)} ms, ${report.baseline.interactions.length} interactions:`);
    for (const i of report.baseline.interactions) lines.push(`    ${i.twin} ${i.label} ×${i.count}`);
  }
  if (report.status === 'unusable') {
    lines.push(`  ! ${report.error}`);
    return lines.join('\n');
  }
  lines.push(
    `  ${report.runs.length} runs of a budget of ${report.budget} (${report.candidates} single candidates): ${report.tried} tried, ${report.notReached} not reached, ${report.runs.filter((r) => r.outcome === 'violated').length} violated`,
    '',
    formatExploreTable(report, tableLimit),
    '',
  );
  for (const finding of report.findings) {
    lines.push(`${finding.reproduced ? '✗' : '?'} ${finding.schedule}${finding.reproduced ? '' : '  — did not reproduce in a fresh environment (flaky?)'}`);
    if (finding.shrunkFrom) lines.push(`    shrunk from: ${finding.shrunkFrom}`);
    for (const v of finding.violations) lines.push(`    ${v.invariant ? 'invariant ' : ''}${v.name}: expected ${v.expected}\n        observed: ${v.observed}`);
    if (finding.path) lines.push(`    scenario: ${finding.path}`, `    replay: ${finding.replay}`);
  }
  lines.push(
    report.status === 'violated'
      ? `${report.findings.filter((f) => f.reproduced).length} invariant violation(s) found (${(report.durationMs / 1000).toFixed(1)} s)`
      : `no invariant broke in ${report.runs.length} runs (${(report.durationMs / 1000).toFixed(1)} s)`,
  );
  return lines.join('\n');
}

/** One test case per run: a violation is a failure, an error an error, a run that reached nothing skipped. */
export function exploreJUnit(report: ExploreReport): string {
  const failures = report.runs.filter((r) => r.outcome === 'violated').length;
  const errors = report.runs.filter((r) => r.outcome === 'error').length + (report.status === 'unusable' ? 1 : 0);
  const skipped = report.runs.filter((r) => r.outcome === 'not-reached').length;
  const cases = report.runs.map((run) => {
    const body =
      run.outcome === 'violated'
        ? `<failure message="${xml(run.violations.map((v) => `${v.name}: expected ${v.expected}, observed ${v.observed}`).join('; '))}"/>`
        : run.outcome === 'error'
          ? `<error message="${xml(run.error ?? 'error')}"/>`
          : run.outcome === 'not-reached'
            ? '<skipped message="the fault&apos;s interaction did not happen in this run"/>'
            : '';
    return `    <testcase classname="${xml(report.file)}" name="${xml(run.schedule)}" time="${(run.durationMs / 1000).toFixed(3)}">${body}</testcase>`;
  });
  if (report.status === 'unusable') cases.unshift(`    <testcase classname="${xml(report.file)}" name="baseline"><error message="${xml(report.error ?? '')}"/></testcase>`);
  const time = (report.durationMs / 1000).toFixed(3);
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="standin explore" ${counts}>`,
    `  <testsuite name="${xml(report.name)}" ${counts}>`,
    `    <properties><property name="seed" value="${report.seed}"/></properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
