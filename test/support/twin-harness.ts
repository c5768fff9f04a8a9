// Starts one twin kind outside any environment, for integration tests of a twin with real clients:
//   await using h = await startTwin(postgresTwin, { init: [...] }, { seed: 7 });
//   h.addRule({ point: 'query', action: { error: { sqlstate: '40001' } } });
import type { Static, TSchema } from '@sinclair/typebox';
import {
  FaultEngine,
  checkSchema,
  Journal,
  createTwinContext,
  silentLogger,
  DEFAULT_LIMITS,
  type FaultRule,
  type FileAccess,
  type Limits,
  type RunningTwin,
  type TwinContext,
  type TwinKind,
} from '../../src/core/index.ts';

export interface TwinHarness extends AsyncDisposable {
  twin: RunningTwin;
  ctx: TwinContext;
  journal: Journal;
  faults: FaultEngine;
  /** Adds a rule for this twin (`twin` defaults to the harness twin's name). */
  addRule(rule: Record<string, unknown>): FaultRule;
  stop(): Promise<void>;
}

export async function startTwin<S extends TSchema>(
  kind: TwinKind<S>,
  config: Partial<Static<S>> & Record<string, unknown> = {},
  options: { seed?: number; name?: string; journalCapacity?: number; limits?: Partial<Limits>; files?: FileAccess; now?: () => number } = {},
): Promise<TwinHarness> {
  const name = options.name ?? kind.kind;
  const journal = new Journal({ capacity: options.journalCapacity });
  const faults = new FaultEngine({
    seed: options.seed ?? 1,
    journal,
    twins: { kindOf: (n) => (n === name ? kind : undefined), names: () => [name] },
  });
  const ctx = createTwinContext({
    envId: 'test',
    name,
    seed: options.seed ?? 1,
    host: '127.0.0.1',
    journal,
    faults,
    log: process.env.STANDIN_TEST_LOG ? consoleLogger : silentLogger,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    files: options.files,
    now: options.now,
  });
  // Checked as an environment checks it (no defaults filled in), so tests see what users get.
  const problem = checkSchema(kind.configSchema, config)[0];
  if (problem) throw new Error(`bad ${kind.kind} config: ${problem.field}: ${problem.detail}`);
  const twin = await kind.start(config as Static<S>, ctx);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await twin.stop();
  };
  return {
    twin,
    ctx,
    journal,
    faults,
    addRule: (rule) => faults.add({ twin: name, ...rule }),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

const consoleLogger = {
  debug: (m: string, d?: object) => console.debug(m, d ?? ''),
  info: (m: string, d?: object) => console.info(m, d ?? ''),
  warn: (m: string, d?: object) => console.warn(m, d ?? ''),
  error: (m: string, d?: object) => console.error(m, d ?? ''),
};
