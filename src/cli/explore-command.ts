// `standin explore <scenario>`: searches the faults that could break a passing scenario's
// invariants (src/explore/explorer.ts). Progress on stderr, the report on stdout, each finding
// written as a scenario file under --out; exits 1 when an invariant broke, 0 when none did, 2 when
// the input is unusable (bad flags, a bad file, a scenario that fails without faults).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EnvironmentManager } from '../environments/environment-manager.ts';
import { defaultRegistry } from '../environments/default-kinds.ts';
import { exploreJUnit, formatExploreReport } from '../explore/explore-report.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_FAILURES, explore } from '../explore/explorer.ts';
import { readScenarioFile } from '../scenario/scenario-file.ts';
import { scenarioFileAccess } from '../scenario/scenario-runner.ts';
import { parseCommand } from './args.ts';
import { stderrLogger } from './logger.ts';

const USAGE =
  'usage: standin explore <scenario> [--budget N] [--concurrency K] [--seed S] [--out DIR] [--max-failures N] [--junit file] [--json file]';

export async function exploreCommand(args: string[]): Promise<void> {
  let flags: ReturnType<typeof readFlags>;
  try {
    flags = readFlags(args);
  } catch (error) {
    process.stderr.write(`standin: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const { path, budget, concurrency, maxFailures, seed, out, junit, json, verbose } = flags;
  const manager = new EnvironmentManager({ registry: defaultRegistry(), log: stderrLogger(verbose) });
  try {
    const file = await readScenarioFile(path, manager.registry);
    const report = await explore(file, manager, {
      ...(budget === undefined ? {} : { budget }),
      ...(seed === undefined ? {} : { seed }),
      concurrency,
      maxFailures,
      outDir: out,
      access: scenarioFileAccess(path, file.scenario),
      onRun: (run, p) =>
        process.stderr.write(`[${p.runs}/${p.budget}] ${run.outcome.padEnd(11)} ${run.schedule}  (tried ${p.tried}, failures ${p.failures})\n`),
    });
    process.stdout.write(`${formatExploreReport(report, 60)}\n`);
    if (junit !== undefined) await writeOut(junit, exploreJUnit(report));
    if (json !== undefined) await writeOut(json, `${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = report.status === 'violated' ? 1 : report.status === 'unusable' ? 2 : 0;
  } finally {
    await manager.close();
  }
}

function readFlags(args: string[]) {
  const { values, positionals } = parseCommand(args, {
    budget: { type: 'string' },
    concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
    seed: { type: 'string' },
    out: { type: 'string', default: 'explore-out' },
    'max-failures': { type: 'string', default: String(DEFAULT_MAX_FAILURES) },
    junit: { type: 'string' },
    json: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  const [path] = positionals;
  if (path === undefined || positionals.length > 1) throw new Error(USAGE);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 4294967295)) {
    throw new Error(`--seed: ${values.seed} is not a 32-bit unsigned integer`);
  }
  return {
    path,
    budget: values.budget === undefined ? undefined : positive('--budget', values.budget),
    concurrency: positive('--concurrency', values.concurrency),
    maxFailures: positive('--max-failures', values['max-failures']),
    seed,
    out: values.out,
    junit: values.junit,
    json: values.json,
    verbose: values.verbose === true,
  };
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: ${text} is not a positive integer`);
  return n;
}

async function writeOut(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}
