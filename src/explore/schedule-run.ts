// One run of a schedule: the scenario with the schedule's rules, setup variants and env values, in
// an environment whose rules are the file's own (fresh, or just reset), then the checks that apply.
// A rule that never fired means its interaction was not reached in this run: the run says nothing
// about that fault and counts as "not reached", never as a pass.
import type { ExploreVocabulary } from '../core/index.ts';
import type { Environment } from '../environments/environment.ts';
import type { ExpectationReport } from '../scenario/scenario-runner.ts';
import { evaluateAll, runInEnvironment } from '../scenario/scenario-runner.ts';
import type { ScenarioFile } from '../scenario/scenario-file.ts';
import type { CheckedExpectation } from '../scenario/expectations/checked-expectations.ts';
import { classesOf, variationOf, type Candidate } from './candidate.ts';
import { observeInteractions } from './candidate-space.ts';
import type { RunOutcome } from './explore-report.ts';

export interface ScheduleResult {
  schedule: Candidate[];
  outcome: RunOutcome;
  /** Every check evaluated (empty for not-reached and error runs). */
  checks: ExpectationReport[];
  error?: string;
  /** How often each interaction happened in this run, by interactionKey: what a pair may aim at next. */
  reached: Map<string, number>;
  durationMs: number;
}

/** An item a schedule's run is checked against: its place in the file, as written, and bound. */
export interface CheckItem {
  list: 'expect' | 'invariants';
  index: number;
  /** The item as the file writes it, without `when`. */
  item: Record<string, unknown>;
  checked: CheckedExpectation;
}

/**
 * What a run of this schedule must satisfy: the invariants that hold whatever the faults, those
 * whose `when` names a class the schedule injects, and — when it injects no fault at all (env
 * variations only: production conditions) — the file's `expect:` too.
 */
export function checksFor(file: ScenarioFile, schedule: readonly Candidate[]): CheckItem[] {
  const classes = classesOf(schedule);
  const items: CheckItem[] = [];
  if (classes.size === 0) {
    file.expectations.forEach((checked, index) => items.push({ list: 'expect', index, item: file.scenario.expect?.[index] ?? {}, checked }));
  }
  file.invariants.forEach((checked, index) => {
    if (checked.when !== undefined && !checked.when.some((c) => classes.has(c))) return;
    const { when: _when, ...item } = file.scenario.invariants?.[index] ?? {};
    items.push({ list: 'invariants', index, item, checked });
  });
  return items;
}

export async function runSchedule(
  file: ScenarioFile,
  env: Environment,
  schedule: Candidate[],
  vocabularyOfTwin: (twin: string) => ExploreVocabulary | undefined,
): Promise<ScheduleResult> {
  const started = performance.now();
  const { variation, ruleIds } = variationOf(schedule);
  const done = (fields: Omit<ScheduleResult, 'schedule' | 'durationMs'>): ScheduleResult => ({ schedule, ...fields, durationMs: performance.now() - started });
  let sut;
  try {
    sut = (await runInEnvironment(file, env, variation)).sut;
  } catch (error) {
    return done({ outcome: 'error', checks: [], error: error instanceof Error ? error.message : String(error), reached: new Map() });
  }
  const events = env.journal.query({ limit: Number.MAX_SAFE_INTEGER }).events;
  const reached = new Map([...observeInteractions(events, vocabularyOfTwin)].map(([key, o]) => [key, o.count]));
  if (ruleIds.some((id) => (env.faults.get(id)?.fired ?? 0) === 0)) return done({ outcome: 'not-reached', checks: [], reached });
  const items = checksFor(file, schedule);
  const reports = await evaluateAll(items.map((i) => i.checked), { sut, env });
  const checks = reports.map((report, i) => {
    const { list, index } = items[i] as CheckItem;
    return list === 'invariants' ? { ...report, index, invariant: true } : { ...report, index };
  });
  return done({ outcome: checks.every((c) => c.passed) ? 'held' : 'violated', checks, reached });
}
