// Explore's speed per run against `standin run` of the same scenario (issue 17, item 5): the
// checkout example's correct service, explored with concurrency 1, against as many plain runs one
// after the other. A plain run creates and destroys its five-twin environment; an explore run
// resets a warm one. Both include the system under test's own start and work, which dominate. The
// candidates explored first are cheap (no hang waits for a client timeout), so the two do about the
// same work; not exactly: a fault run may take a retry path, or end early (a forged token is refused).
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../src/core/index.ts';
import { EnvironmentManager } from '../src/environments/environment-manager.ts';
import { defaultRegistry } from '../src/environments/default-kinds.ts';
import { explore } from '../src/explore/explorer.ts';
import { readScenarioFile } from '../src/scenario/scenario-file.ts';
import { runScenario, scenarioFileAccess, startEnvironment } from '../src/scenario/scenario-runner.ts';
import { percentile, type BenchRow } from './bench-row.ts';

const RUNS = 8;

export default async function bench(): Promise<BenchRow[]> {
  const path = new URL('../scenarios/checkout/explore/checkout.yaml', import.meta.url).pathname;
  const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger });
  try {
    const file = await readScenarioFile(path, manager.registry);
    const access = scenarioFileAccess(path, file.scenario);
    // Warm-up: the shared PostgreSQL server starts and every twin module loads.
    await runScenario(file, manager, { access });
    const loadBefore = loadavg()[0] as number;

    const plainStarted = performance.now();
    let plainFailed = 0;
    for (let i = 0; i < RUNS; i++) if ((await runScenario(file, manager, { access })).status !== 'passed') plainFailed++;
    const plainPerMinute = (RUNS * 60_000) / (performance.now() - plainStarted);

    // The baseline run counts as a run: it is one, and explore pays for it.
    const report = await explore(file, manager, { access, budget: RUNS - 1, concurrency: 1 });
    const exploreRuns = report.runs.length + 1 + report.findings.reduce((n, f) => n + f.shrinkRuns + 1, 0);
    const explorePerMinute = (exploreRuns * 60_000) / report.durationMs;
    const load = `load ${loadBefore.toFixed(1)}→${(loadavg()[0] as number).toFixed(1)}`;

    // What explore pays between runs (a reset) against what a plain run pays (create, then destroy):
    // the orchestration cost alone, without the runs' own work, which the faults change.
    const resets: number[] = [];
    const recreates: number[] = [];
    const warm = await startEnvironment(file, manager, { access });
    try {
      for (let i = 0; i < 10; i++) {
        let started = performance.now();
        await warm.reset();
        resets.push(performance.now() - started);
        started = performance.now();
        const env = await startEnvironment(file, manager, { access });
        await manager.destroy(env.id);
        recreates.push(performance.now() - started);
      }
    } finally {
      await manager.destroy(warm.id);
    }
    const resetP50 = percentile(resets.sort((a, b) => a - b), 50);
    const recreateP50 = percentile(recreates.sort((a, b) => a - b), 50);
    return [
      {
        name: `checkout explore, concurrency 1: runs per minute (${exploreRuns} runs, ${report.status}; ${load})`,
        unit: 'runs/min',
        standin: Number(explorePerMinute.toFixed(1)),
        baseline: { name: `standin run of the same scenario, ${RUNS} in a row${plainFailed ? `, ${plainFailed} failed` : ''}`, value: Number(plainPerMinute.toFixed(1)) },
        goal: '≥ 0.8× standin run per run',
        met: explorePerMinute >= 0.8 * plainPerMinute,
      },
      {
        name: 'between runs: reset of the warm five-twin environment, p50 of 10',
        unit: 'ms',
        standin: Number(resetP50.toFixed(1)),
        baseline: { name: 'create + destroy, as each standin run does', value: Number(recreateP50.toFixed(1)) },
      },
    ];
  } finally {
    await manager.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await bench());
  process.exit();
}
