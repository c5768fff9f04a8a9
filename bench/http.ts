// http twin serving a matched stub vs a bare Fastify 5 route returning the same bytes, each in a
// process of its own, loaded by autocannon from the bench process (keep-alive, a fixed number of
// connections with one request in flight each). The systems take turns in rounds (rotated order);
// the figures are medians of per-round paired ratios, and each server's CPU per request read from
// /proc/<pid>/stat. Also the twin with one request rule that matches nothing, against the twin:
// measured in the twin's own process, the rule added for its turns and removed after. Two processes
// of the same twin differ by more than the 3% the goal allows (twin ÷ twin, paired rounds, load
// 15–21: 0.80–1.09× CPU per request), so a rule measured in a process of its own measured the process.
//   npm run bench -- http [--long]      (or BENCH_ROUNDS / BENCH_SECONDS)
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { BenchRow } from './bench-row.ts';
import { httpLoad } from './support/http-load.ts';
import { clientRow, describeLoad, describePaired, inRounds, measured, medianOf, paired, roundPlan } from './support/rounds.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';

const CONNECTIONS = 32;
const SYSTEMS = ['twin', 'twin-rule', 'fastify'] as const;
type System = (typeof SYSTEMS)[number];
const PROCESSES = ['twin', 'fastify'] as const;
type Process = (typeof PROCESSES)[number];
const PROCESS_OF: Record<System, Process> = { twin: 'twin', 'twin-rule': 'twin', fastify: 'fastify' };

export default async function bench(): Promise<BenchRow[]> {
  const plan = roundPlan({ rounds: 30, seconds: 1 }, { rounds: 30, seconds: 3 });
  const script = new URL('./targets/http-server.ts', import.meta.url);
  const servers = {} as Record<Process, ServerProcess<{ url: string }>>;
  try {
    for (const p of PROCESSES) servers[p] = await startServerProcess<{ url: string }>(script, [p]);
    const bodies = await Promise.all(PROCESSES.map(async (p) => Buffer.from(await (await fetch(servers[p].info.url)).arrayBuffer())));
    if (bodies.some((b) => !b.equals(bodies[0] as Buffer))) throw new Error('the systems answer different bytes');
    const turn = async (system: System, seconds: number) => {
      const server = servers[PROCESS_OF[system]];
      if (system === 'twin-rule') await server.command('rule-on');
      try {
        return await measured(server, () => httpLoad({ url: server.info.url, connections: CONNECTIONS, seconds }));
      } finally {
        if (system === 'twin-rule') await server.command('rule-off');
      }
    };
    for (const system of SYSTEMS) await turn(system, 1); // warm-up (JIT, connections), not counted
    const { samples, load: loadavg } = await inRounds(SYSTEMS, plan.rounds, (system) => turn(system, plan.seconds));

    const size = (bodies[0] as Buffer).length;
    const mode = `autocannon in its own process, ${CONNECTIONS} connections, ${plan.label}, ${describeLoad(loadavg, cpus().length)}`;
    const vsFastify = paired(samples.twin, samples.fastify, 'rate');
    const ruleCost = paired(samples['twin-rule'], samples.twin, 'rate');
    const cpuVsFastify = paired(samples.twin, samples.fastify, 'cpuPerOp');
    const rps = (s: System): number => Math.round(medianOf(samples[s], 'rate'));
    const cpu = (s: System): number => Math.round(medianOf(samples[s], 'cpuPerOp') * 10) / 10;
    const fastify = { name: `bare Fastify 5 route, same ${size} bytes`, value: rps('fastify') };
    return [
      { name: `http twin, matched stub, no rules (${mode})`, unit: 'req/s', standin: rps('twin'), baseline: fastify },
      {
        name: `http twin ÷ bare Fastify, median of per-round ratios (${describePaired(vsFastify)})`,
        unit: '×',
        standin: round2(vsFastify.median),
        goal: '≥ 0.85× Fastify',
        met: vsFastify.median >= 0.85,
      },
      { name: 'http twin, one non-matching rule at request (added in the same process for its turns)', unit: 'req/s', standin: rps('twin-rule'), baseline: { name: 'twin, no rules', value: rps('twin') } },
      {
        name: `http twin with the rule ÷ without, median of per-round ratios (${describePaired(ruleCost)})`,
        unit: '×',
        standin: round2(ruleCost.median),
        goal: '≥ 0.97× (rule costs ≤ 3%)',
        met: ruleCost.median >= 0.97,
      },
      {
        name: `server CPU per request, twin (no rules) vs bare Fastify (/proc/<pid>/stat; per-round ratio ${round2(cpuVsFastify.median)}×, ${describePaired(cpuVsFastify)})`,
        unit: 'µs',
        standin: cpu('twin'),
        baseline: { name: 'bare Fastify', value: cpu('fastify') },
      },
      { name: 'server CPU per request, twin with the non-matching rule', unit: 'µs', standin: cpu('twin-rule'), baseline: { name: 'twin, no rules', value: cpu('twin') } },
      clientRow('autocannon CPU per request (bench process), against the twin', samples.twin, samples.fastify, 'against bare Fastify'),
    ];
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await bench()) console.log(JSON.stringify(row));
}
