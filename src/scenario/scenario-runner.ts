// Runs one scenario: starts its environment, applies its faults, runs the command with its timed
// steps, evaluates its expectations (and its invariants that hold whatever the faults), and always
// tears the environment down. Its parts run alone too: `standin explore` runs the same file many
// times in environments it keeps warm.
import { dirname, resolve } from 'node:path';
import { filesUnder, type FaultRuleInput, type Verdict } from '../core/index.ts';
import { anyAddress } from '../environments/bind-policy.ts';
import type { Environment } from '../environments/environment.ts';
import type { EnvironmentManager, TwinAccess } from '../environments/environment-manager.ts';
import type { CheckedExpectation } from './expectations/checked-expectations.ts';
import type { ExpectationContext } from './expectations/index.ts';
import { environmentSpecOf, scenarioRoot, withFilePosition, type ScenarioFile } from './scenario-file.ts';
import { durationMs, type Scenario, type Setup, type Step } from './scenario-schema.ts';
import { runSut, type SutResult } from './sut-process.ts';

export interface ExpectationReport extends Verdict {
  index: number;
  /** An item of `invariants:` (index into that list), not of `expect:`. */
  invariant?: boolean;
  /** The key it is written with: the runner's own (exitCode, journal…) or a twin kind's (sql, topic…). */
  type: string;
  name: string;
}

export interface StepReport {
  index: number;
  at: number;
  ok: boolean;
  detail: string;
}

export interface ScenarioReport {
  file: string;
  name: string;
  seed: number;
  /** passed: every expectation held (or, with expectFailure, one did not as designed). */
  status: 'passed' | 'failed' | 'error';
  /** The bug an expectFailure scenario demonstrates, when it was caught. */
  expectFailure?: string;
  error?: string;
  durationMs: number;
  sut?: Omit<SutResult, 'stdout' | 'stderr'> & { stdoutTail: string; stderrTail: string };
  steps: StepReport[];
  expectations: ExpectationReport[];
  replay: string;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** What the operator's own scenario file may reach: files in its folder (or its `root:`), any address and port. */
export function scenarioFileAccess(file: string, scenario: Pick<Scenario, 'root'> = {}): TwinAccess {
  return { files: filesUnder(resolve(dirname(file), scenario.root ?? '.')), bind: anyAddress };
}

export async function runScenario(
  file: ScenarioFile,
  manager: EnvironmentManager,
  /** `access`: what its twin configs may reach; default the manager's (--files-root or none, its bind
   * policy): a scenario sent through the API does not get the folder its `file` name claims.
   * `standin run`/`up` pass scenarioFileAccess. */
  options: { seed?: number; access?: Partial<TwinAccess> } = {},
): Promise<ScenarioReport> {
  const { scenario, source } = file;
  const started = performance.now();
  const base: Pick<ScenarioReport, 'file' | 'name' | 'steps' | 'expectations'> = { file: source.file, name: scenario.name, steps: [], expectations: [] };
  let env: Environment | undefined;
  try {
    env = await startEnvironment(file, manager, options);
    const seed = env.seed;
    const { sut, steps } = await runInEnvironment(file, env);
    // Invariants without `when` hold in every run, this one included.
    const always = file.invariants.filter((i) => i.when === undefined);
    const reports = [
      ...(await evaluateAll(file.expectations, { sut, env })),
      ...(await evaluateAll(always, { sut, env })).map((r) => ({ ...r, invariant: true })),
    ];
    const allHeld = reports.every((r) => r.passed);
    const status = scenario.expectFailure !== undefined ? (allHeld ? 'failed' : 'passed') : allHeld ? 'passed' : 'failed';
    return {
      ...base,
      seed,
      status,
      ...(scenario.expectFailure !== undefined ? { expectFailure: scenario.expectFailure } : {}),
      ...(scenario.expectFailure !== undefined && allHeld
        ? { error: `expected to fail (${scenario.expectFailure}) but every expectation held: the bug was not caught` }
        : {}),
      durationMs: performance.now() - started,
      sut: scenario.run && summarizeSut(sut),
      steps,
      expectations: reports,
      replay: replayCommand(source.file, seed),
    };
  } catch (error) {
    const seed = env?.seed ?? options.seed ?? scenario.seed ?? 0;
    return {
      ...base,
      seed,
      status: 'error',
      error: messageOf(error),
      durationMs: performance.now() - started,
      replay: replayCommand(source.file, seed),
    };
  } finally {
    if (env) await manager.destroy(env.id).catch(() => {});
  }
}

/** Creates the file's environment; a problem it names is reported at its position in the file. */
export async function startEnvironment(
  file: ScenarioFile,
  manager: EnvironmentManager,
  options: { seed?: number; access?: Partial<TwinAccess> } = {},
): Promise<Environment> {
  try {
    return await manager.create(environmentSpecOf(file.scenario, options.seed), options.access);
  } catch (error) {
    throw withFilePosition(file.source, error);
  }
}

/**
 * How one run differs from the file as written: what `standin explore` tries. Rules are added after
 * the file's own, in order (so the last is evaluated first); `setupParams` replaces the params of the
 * setup items at those indexes; `env` goes on top of `run.env`.
 */
export interface RunVariation {
  faults?: readonly FaultRuleInput[];
  setupParams?: ReadonlyMap<number, Record<string, unknown>>;
  env?: Readonly<Record<string, string>>;
}

export interface RunOutcome {
  /** What the command did (an empty result when the file has no `run:`). */
  sut: SutResult;
  steps: StepReport[];
}

/**
 * Runs the file's setup, command and timed steps in a started environment, whose rules are the
 * file's own (a fresh one, or one just reset). A failing setup throws.
 */
export async function runInEnvironment(file: ScenarioFile, env: Environment, variation: RunVariation = {}): Promise<RunOutcome> {
  const { scenario } = file;
  (variation.faults ?? []).forEach((rule, i) => env.faults.add(rule, `faults[${(scenario.faults?.length ?? 0) + i}]`));
  const cwd = resolve(scenarioRoot(file), scenario.run?.cwd ?? '.');
  const setupEnv: Record<string, string> = {};
  for (const [index, setup] of (scenario.setup ?? []).entries()) {
    const params = variation.setupParams?.get(index);
    Object.assign(setupEnv, await runSetup(env, params === undefined ? setup : { ...setup, params }, index));
  }
  const steps: StepReport[] = [];
  if (!scenario.run) return { sut: emptySut(), steps };
  const timers: NodeJS.Timeout[] = [];
  const sut = await runSut({
    command: scenario.run.command,
    cwd,
    env: withOwnEnv({ ...env.mergedEnv(), ...setupEnv }, { ...scenario.run.env, ...variation.env }),
    timeoutMs: scenario.run.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    onStart: () => {
      (scenario.steps ?? []).forEach((step, index) => {
        timers.push(setTimeout(() => void applyStep(env, step, index).then((r) => steps.push(r)), durationMs(step.at)));
      });
    },
  });
  timers.forEach(clearTimeout);
  return { sut, steps: steps.sort((a, b) => a.index - b.index) };
}

/** Evaluates expectations in order; one that throws is a failed one, with the error as observed. */
export async function evaluateAll(expectations: readonly CheckedExpectation[], ctx: ExpectationContext): Promise<ExpectationReport[]> {
  const reports: ExpectationReport[] = [];
  for (const [index, expectation] of expectations.entries()) reports.push(await evaluate(expectation, index, ctx));
  return reports;
}

/** Runs a setup action; answers the env vars it exports. A failing setup is the scenario's error. */
async function runSetup(env: Environment, setup: Setup, index: number): Promise<Record<string, string>> {
  const where = `setup[${index}] (${setup.twin} ${setup.verb})`;
  const result = await env.runAction(setup.twin, setup.verb, setup.params ?? {}, `setup[${index}].params`);
  const exported: Record<string, string> = {};
  for (const [name, path] of Object.entries(setup.env ?? {})) {
    const value = path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? Reflect.get(v, key) : undefined), result);
    if (value === undefined) throw new Error(`${where}: its result has no ${path} (for ${name})`);
    exported[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return exported;
}

async function applyStep(env: Environment, step: Step, index: number): Promise<StepReport> {
  const at = durationMs(step.at);
  try {
    if (step.addFault) {
      const rule = env.faults.add(step.addFault, `steps[${index}].addFault`);
      return { index, at, ok: true, detail: `added fault ${rule.id}` };
    }
    if (step.removeFault) {
      const removed = env.faults.remove(step.removeFault);
      return { index, at, ok: removed, detail: removed ? `removed fault ${step.removeFault}` : `no fault ${step.removeFault} to remove` };
    }
    const action = step.action!;
    await env.runAction(action.twin, action.verb, action.params ?? {}, `steps[${index}].action.params`);
    return { index, at, ok: true, detail: `${action.twin} ${action.verb}` };
  } catch (error) {
    return { index, at, ok: false, detail: messageOf(error) };
  }
}

async function evaluate(expectation: CheckedExpectation, index: number, ctx: ExpectationContext): Promise<ExpectationReport> {
  const { key: type, name } = expectation;
  try {
    return { index, type, name, ...(await expectation.evaluate(ctx)) };
  } catch (error) {
    return { index, type, name, passed: false, expected: type, observed: `error: ${messageOf(error)}` };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The run's own env vars on top of the twins', `${NAME}` in their values filled from the latter. */
function withOwnEnv(base: Record<string, string>, own: Record<string, string>): Record<string, string> {
  const out = { ...base };
  for (const [key, value] of Object.entries(own)) out[key] = value.replace(/\$\{(\w+)\}/g, (_, name: string) => base[name] ?? '');
  return out;
}

function emptySut(): SutResult {
  return { exitCode: null, signal: null, timedOut: false, stdout: '', stderr: '', durationMs: 0 };
}

function summarizeSut(sut: SutResult): NonNullable<ScenarioReport['sut']> {
  const { stdout, stderr, ...rest } = sut;
  return { ...rest, stdoutTail: tail(stdout), stderrTail: tail(stderr) };
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function replayCommand(file: string, seed: number): string {
  return `npx standin run ${file} --seed ${seed}`;
}
