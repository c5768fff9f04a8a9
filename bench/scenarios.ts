// Scenario figures: the example suite's wall time sequentially vs 4 at a time (the baseline is
// the sequential run), and environment create → ready for a five-twin environment.
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../src/core/index.ts';
import { EnvironmentManager } from '../src/environments/environment-manager.ts';
import { defaultRegistry } from '../src/environments/default-kinds.ts';
import { expandScenarioPaths } from '../src/scenario/scenario-files.ts';
import { runScenarioFiles } from '../src/scenario/run-scenarios.ts';
import { percentile, type BenchRow } from './bench-row.ts';

const FIVE_TWINS = {
  idp: { kind: 'oidc' },
  rates: { kind: 'http', stubs: [{ request: { method: 'GET', path: '/rates/:c' }, response: { status: 200, body: { rate: 1 } } }] },
  db: { kind: 'postgres', init: ['create table orders (id int primary key, status text)'] },
  payments: { kind: 'stripe' },
  bus: { kind: 'kafka', topics: [{ name: 'orders', partitions: 3 }] },
};

export default async function bench(): Promise<BenchRow[]> {
  const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger });
  try {
    // Warm-up: the first environment starts the shared PostgreSQL server and loads every twin module.
    await manager.destroy((await manager.create({ twins: FIVE_TWINS })).id);
    const createTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const env = await manager.create({ seed: i, twins: FIVE_TWINS });
      createTimes.push(performance.now() - started);
      await manager.destroy(env.id);
    }
    const createP50 = percentile(createTimes.sort((a, b) => a - b), 50);

    const files = await expandScenarioPaths([new URL('../scenarios', import.meta.url).pathname]);
    const sequential = await runScenarioFiles(files, manager, { concurrency: 1 });
    const parallel = await runScenarioFiles(files, manager, { concurrency: 4 });
    const ok = (s: typeof sequential) => s.failed + s.errors === 0;
    return [
      {
        name: 'five-twin environment (postgres, kafka, oidc, stripe, http): create → ready, p50 of 10',
        unit: 'ms',
        standin: Math.round(createP50),
        goal: '≤ 1,000 ms',
        met: createP50 <= 1000,
      },
      {
        name: `example suite (${files.length} scenarios), --concurrency 4${ok(parallel) ? '' : ' (had failures)'}`,
        unit: 's',
        standin: Number((parallel.durationMs / 1000).toFixed(1)),
        baseline: { name: `sequential${ok(sequential) ? '' : ', had failures'}`, value: Number((sequential.durationMs / 1000).toFixed(1)) },
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
