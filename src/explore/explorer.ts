// `standin explore`: search the fault space of a scenario that passes. One run without injected
// faults reads which interactions the system under test had with its twins; each twin's kind says
// which faults could break each (explore-vocabulary.ts); the explorer injects them one at a time at
// each occurrence, then two at a time, within a budget of runs, in environments kept warm; a run
// that breaks an invariant is shrunk to a minimal schedule, confirmed in a fresh environment with
// the same seed, and handed back as a scenario file that replays it. The approach follows
// Filibuster (SoCC 2021): faults at each call a passing test makes, with dynamic reduction — a pair
// is tried only where the second fault's interaction still happened under the first.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { StandinError, type ExploreVocabulary } from '../core/index.ts';
import type { EnvironmentManager, TwinAccess } from '../environments/environment-manager.ts';
import type { ScenarioFile } from '../scenario/scenario-file.ts';
import { compatible, interactionKey, scheduleKey, scheduleLabel, type Candidate } from './candidate.ts';
import { candidateSpace, observeInteractions, vocabularyOf } from './candidate-space.ts';
import type { ExploreFinding, ExploreReport, ExploreRun } from './explore-report.ts';
import { foundScenario } from './found-scenario.ts';
import { runSchedule, type ScheduleResult } from './schedule-run.ts';
import { shrink } from './shrink.ts';
import { WarmEnvironments } from './warm-environments.ts';

export const DEFAULT_BUDGET = 200;
export const DEFAULT_CONCURRENCY = 2;
export const DEFAULT_MAX_FAILURES = 1;

export interface ExploreOptions {
  /** Runs with injected faults (default: the file's explore.budget, else 200); baseline, shrinking and confirming are extra. */
  budget?: number;
  /** Environments running side by side (default 2). */
  concurrency?: number;
  seed?: number;
  /** Stop exploring once this many schedules have broken an invariant (default 1: fix it, explore again). */
  maxFailures?: number;
  /** Folder to write each finding's scenario file to; without it the files are only in the report. */
  outDir?: string;
  access?: Partial<TwinAccess>;
  /** Each run as it ends (in the order runs end, which timing decides: for progress only). */
  onRun?: (run: ExploreRun, progress: ExploreProgress) => void;
}

export interface ExploreProgress {
  runs: number;
  budget: number;
  /** Runs whose faults all fired. */
  tried: number;
  failures: number;
}

/**
 * The budget a server grants a client's exploration: the one asked for (else the file's, else the
 * default), refused past the server's --limit-explore-runs naming the field that asked.
 */
export function serverBudget(asked: number | undefined, file: ScenarioFile, limit: number, field = 'budget'): number {
  const fileBudget = file.scenario.explore?.budget;
  const runs = asked ?? fileBudget;
  if (runs !== undefined && runs > limit) {
    throw new StandinError('STANDIN_ERR_LIMIT_EXPLORE_RUNS', { field: asked === undefined ? 'scenario.explore.budget' : field, value: runs, limit });
  }
  return Math.min(runs ?? DEFAULT_BUDGET, limit);
}

export async function explore(file: ScenarioFile, manager: EnvironmentManager, options: ExploreOptions = {}): Promise<ExploreReport> {
  const started = performance.now();
  const { scenario, source } = file;
  const budget = options.budget ?? scenario.explore?.budget ?? DEFAULT_BUDGET;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const maxFailures = options.maxFailures ?? DEFAULT_MAX_FAILURES;
  const base = { file: source.file, name: scenario.name, budget, concurrency };
  const unusable = (seed: number, error: string): ExploreReport => ({
    ...base,
    seed,
    status: 'unusable',
    error,
    candidates: 0,
    tried: 0,
    notReached: 0,
    runs: [],
    findings: [],
    durationMs: performance.now() - started,
  });

  let pool: WarmEnvironments;
  try {
    pool = await WarmEnvironments.start(file, manager, { seed: options.seed, access: options.access });
  } catch (error) {
    return unusable(options.seed ?? scenario.seed ?? 0, messageOf(error));
  }
  try {
    const vocabularies = new Map<string, ExploreVocabulary>();
    const baselineResult = await pool.use(async (env) => {
      for (const name of env.twinNames()) vocabularies.set(name, vocabularyOf(env.twin(name).kind));
      const result = await runSchedule(file, env, [], (twin) => vocabularies.get(twin));
      return { result, observed: observeInteractions(env.journal.query({ limit: Number.MAX_SAFE_INTEGER }).events, (twin) => vocabularies.get(twin)) };
    });
    const vocabularyOfTwin = (twin: string) => vocabularies.get(twin);
    const baseline = {
      durationMs: baselineResult.result.durationMs,
      checks: baselineResult.result.checks,
      interactions: [...baselineResult.observed.values()].map(({ twin, interaction, count }) => ({ twin, point: interaction.point, label: interaction.label, count })),
    };
    if (baselineResult.result.outcome !== 'held') {
      const why = baselineResult.result.error ?? baselineResult.result.checks.filter((c) => !c.passed).map((c) => `${c.name}: expected ${c.expected}, observed ${c.observed}`).join('; ');
      return { ...unusable(pool.seed, `nothing to explore: the scenario fails without faults (${why})`), baseline };
    }

    const singles = candidateSpace(file, baselineResult.observed.values(), vocabularyOfTwin);
    try {
      await pool.grow(concurrency);
    } catch (error) {
      return { ...unusable(pool.seed, `could not start ${concurrency} environments: ${messageOf(error)}`), baseline };
    }

    const runs: ExploreRun[] = [];
    const known = new Map<string, ScheduleResult>();
    const progress: ExploreProgress = { runs: 0, budget, tried: 0, failures: 0 };
    const record = (result: ScheduleResult, phase: ExploreRun['phase']): void => {
      progress.runs++;
      if (result.outcome === 'held' || result.outcome === 'violated') progress.tried++;
      if (result.outcome === 'violated') progress.failures++;
      options.onRun?.(runView(result, phase), progress);
    };
    // A run that cannot even start (a twin that fails to reset) is that run's error, not the exploration's end.
    const runOne = (schedule: Candidate[]): Promise<ScheduleResult> =>
      pool.use((env) => runSchedule(file, env, schedule, vocabularyOfTwin)).catch((error: unknown) => errorResult(schedule, error));
    const runBatch = async (schedules: Candidate[][], phase: ExploreRun['phase']): Promise<ScheduleResult[]> => {
      const results = await inOrder(schedules, pool.size, runOne, {
        stop: () => progress.failures >= maxFailures,
        each: (result) => record(result, phase),
      });
      const kept = cutAtFailure(results, maxFailures - runs.filter((r) => r.outcome === 'violated').length);
      for (const result of kept) {
        known.set(scheduleKey(result.schedule), result);
        runs.push(runView(result, phase));
      }
      return kept;
    };

    const singleResults = await runBatch(
      singles.slice(0, budget).map((c) => [c]),
      'single',
    );
    const left = budget - singleResults.length;
    if (left > 0 && runs.filter((r) => r.outcome === 'violated').length < maxFailures) await runBatch(pairsOf(singleResults, left), 'pair');

    const findings: ExploreFinding[] = [];
    const failing = [...known.values()].filter((r) => r.outcome === 'violated');
    // In the order they were found (singles first, then pairs, each in candidate order).
    failing.sort((a, b) => orderOf(runs, a) - orderOf(runs, b));
    const found = new Set<string>();
    for (const result of failing) {
      const shrunk = await shrink(result, known, runOne);
      // Two failing schedules can shrink to one: it is one finding.
      if (found.has(scheduleKey(shrunk.schedule))) continue;
      found.add(scheduleKey(shrunk.schedule));
      const i = findings.length;
      const confirmed = await pool
        .fresh((env) => runSchedule(file, env, shrunk.schedule, vocabularyOfTwin))
        .catch((error: unknown) => errorResult(shrunk.schedule, error));
      const reproduced = confirmed.outcome === 'violated';
      const violations = (reproduced ? confirmed : shrunk.result).checks.filter((c) => !c.passed);
      const path = options.outDir === undefined ? undefined : join(options.outDir, `${basename(source.file, extname(source.file))}.found-${i + 1}.yaml`);
      const text = foundScenario(file, shrunk.schedule, {
        seed: pool.seed,
        ...(path === undefined ? {} : { path }),
        foundBy: `standin explore ${source.file} --seed ${pool.seed} --budget ${budget}`,
        violations,
      });
      if (path !== undefined && reproduced) {
        await mkdir(options.outDir as string, { recursive: true });
        await writeFile(path, text);
      }
      findings.push({
        schedule: scheduleLabel(shrunk.schedule),
        ...(scheduleKey(shrunk.schedule) === scheduleKey(result.schedule) ? {} : { shrunkFrom: scheduleLabel(result.schedule) }),
        shrinkRuns: shrunk.runs,
        reproduced,
        violations: violations.map(({ name, expected, observed, invariant }) => ({ name, expected, observed, ...(invariant ? { invariant } : {}) })),
        scenario: text,
        ...(path !== undefined && reproduced ? { path, replay: `npx standin run ${path} --seed ${pool.seed}` } : {}),
      });
    }
    return {
      ...base,
      seed: pool.seed,
      status: findings.some((f) => f.reproduced) ? 'violated' : 'clean',
      baseline,
      candidates: singles.length,
      tried: runs.filter((r) => r.outcome === 'held' || r.outcome === 'violated').length,
      notReached: runs.filter((r) => r.outcome === 'not-reached').length,
      runs,
      findings,
      durationMs: performance.now() - started,
    };
  } finally {
    await pool.close();
  }
}

/**
 * Pairs of singles that held, in order of their later member then their earlier one (so pairs
 * among the first candidates come first), kept only when each fault's interaction still happened
 * often enough in the other's run: a fault there would not have been reached.
 */
export function pairsOf(singles: readonly ScheduleResult[], limit: number): Candidate[][] {
  const held = singles.filter((r) => r.outcome === 'held');
  const reachedUnder = (c: Candidate, other: ScheduleResult) =>
    c.type !== 'fault' || (other.reached.get(interactionKey(c.twin, c.interaction)) ?? 0) >= c.occurrence;
  const pairs: Candidate[][] = [];
  for (let j = 1; j < held.length && pairs.length < limit; j++) {
    const b = held[j] as ScheduleResult;
    for (let i = 0; i < j && pairs.length < limit; i++) {
      const a = held[i] as ScheduleResult;
      const [ca, cb] = [a.schedule[0] as Candidate, b.schedule[0] as Candidate];
      if (compatible(ca, cb) && reachedUnder(cb, a) && reachedUnder(ca, b)) pairs.push([ca, cb]);
    }
  }
  return pairs;
}

/**
 * Runs schedules in order, `workers` at a time, each worker taking the next when it is free; stops
 * taking new ones once `stop` holds. Answers results by schedule index (those never run left out).
 */
async function inOrder(
  schedules: readonly Candidate[][],
  workers: number,
  run: (schedule: Candidate[]) => Promise<ScheduleResult>,
  hooks: { stop: () => boolean; each: (result: ScheduleResult) => void },
): Promise<ScheduleResult[]> {
  const results: ScheduleResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < schedules.length && !hooks.stop()) {
      const index = next++;
      const result = await run(schedules[index] as Candidate[]);
      results[index] = result;
      hooks.each(result);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return results.filter((r) => r !== undefined);
}

/**
 * The results a one-at-a-time exploration would have: up to and including the `allowed`th
 * violation in schedule order. Runs past it ran only because others ran beside them; keeping them
 * would make the findings depend on timing.
 */
function cutAtFailure(results: readonly ScheduleResult[], allowed: number): ScheduleResult[] {
  const kept: ScheduleResult[] = [];
  let failures = 0;
  for (const result of results) {
    if (failures >= allowed) break;
    kept.push(result);
    if (result.outcome === 'violated') failures++;
  }
  return kept;
}

function orderOf(runs: readonly ExploreRun[], result: ScheduleResult): number {
  const label = scheduleLabel(result.schedule);
  return runs.findIndex((r) => r.schedule === label && r.outcome === 'violated');
}

function runView(result: ScheduleResult, phase: ExploreRun['phase']): ExploreRun {
  return {
    phase,
    schedule: scheduleLabel(result.schedule),
    outcome: result.outcome,
    violations: result.checks.filter((c) => !c.passed).map(({ name, expected, observed, invariant }) => ({ name, expected, observed, ...(invariant ? { invariant } : {}) })),
    ...(result.error === undefined ? {} : { error: result.error }),
    durationMs: result.durationMs,
  };
}

function errorResult(schedule: Candidate[], error: unknown): ScheduleResult {
  return { schedule, outcome: 'error', checks: [], error: messageOf(error), reached: new Map(), durationMs: 0 };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
