// oidc twin: start time (in the bench process), and client_credentials tokens/s through the Standin
// front (link layer, fault lookup, journal) next to a bare node-oidc-provider built from the same
// config on its own http.Server. Each provider runs in a process of its own, loaded by autocannon
// from the bench process; they take turns in rounds (rotated order), and the figures are medians of
// per-round paired ratios and each server's CPU per token read from /proc/<pid>/stat.
//   npm run bench -- oidc [--long]      (or BENCH_ROUNDS / BENCH_SECONDS)
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { FaultEngine, Journal, createTwinContext, silentLogger, type RunningTwin } from '../src/core/index.ts';
import { oidcTwin } from '../twins/oidc/index.ts';
import { spareKeyReady } from '../twins/oidc/key-ring.ts';
import { percentile, type BenchRow } from './bench-row.ts';
import { httpLoad } from './support/http-load.ts';
import { clientRow, describeLoad, describePaired, inRounds, measured, medianOf, paired, roundPlan } from './support/rounds.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';

const CONNECTIONS = 16;
const STARTS = 9;
const AUTH = `Basic ${Buffer.from('standin-client:standin-secret').toString('base64')}`;
const SYSTEMS = ['twin', 'bare'] as const;
type System = (typeof SYSTEMS)[number];

function context(name: string) {
  const journal = new Journal();
  const faults = new FaultEngine({ seed: 1, journal, twins: { kindOf: () => oidcTwin, names: () => [name] } });
  return createTwinContext({ envId: 'bench', name, seed: 1, host: '127.0.0.1', journal, faults, log: silentLogger });
}

async function timedStart(name: string): Promise<[RunningTwin, number]> {
  const started = performance.now();
  const twin = await oidcTwin.start({}, context(name));
  return [twin, performance.now() - started];
}

export default async function bench(): Promise<BenchRow[]> {
  // The first start in a process also imports oidc-provider and generates the first RSA key.
  const [first, coldMs] = await timedStart('cold');
  await first.stop();
  const warm: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    // As in a server where environments come and go: the background spare key has been made.
    await spareKeyReady('RS256');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [twin, ms] = await timedStart(`warm-${i}`);
    warm.push(ms);
    await twin.stop();
  }
  warm.sort((a, b) => a - b);
  const warmP50 = percentile(warm, 50);

  const plan = roundPlan({ rounds: 16, seconds: 2 }, { rounds: 16, seconds: 6 });
  const script = new URL('./targets/oidc-server.ts', import.meta.url);
  const servers = {} as Record<System, ServerProcess<{ token: string }>>;
  try {
    for (const system of SYSTEMS) servers[system] = await startServerProcess<{ token: string }>(script, [system]);
    const load = (system: System, seconds: number) =>
      httpLoad({
        url: servers[system].info.token,
        method: 'POST',
        headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
        connections: CONNECTIONS,
        seconds,
      });
    for (const system of SYSTEMS) await load(system, 1); // warm-up, not counted
    const { samples, load: loadavg } = await inRounds(SYSTEMS, plan.rounds, (system) => measured(servers[system], () => load(system, plan.seconds)));

    const ratio = paired(samples.twin, samples.bare, 'rate');
    const cpuRatio = paired(samples.twin, samples.bare, 'cpuPerOp');
    const rate = (s: System): number => Math.round(medianOf(samples[s], 'rate'));
    const cpu = (s: System): number => Math.round(medianOf(samples[s], 'cpuPerOp'));
    const mode = `autocannon in its own process, ${CONNECTIONS} connections, ${plan.label}, ${describeLoad(loadavg, cpus().length)}`;
    return [
      { name: 'oidc twin start (warm: module loaded, spare key ready), p50', unit: 'ms', standin: round1(warmP50), goal: '≤ 200 ms', met: warmP50 <= 200 },
      { name: 'oidc twin first start in a process (imports oidc-provider, generates an RSA key)', unit: 'ms', standin: round1(coldMs) },
      {
        name: `oidc client_credentials tokens (${mode})`,
        unit: 'tokens/s',
        standin: rate('twin'),
        baseline: { name: 'bare oidc-provider, same config, no Standin front', value: rate('bare') },
        goal: '≥ 500/s',
        met: rate('twin') >= 500,
      },
      {
        name: `oidc twin ÷ bare oidc-provider tokens/s, median of per-round ratios (${describePaired(ratio)})`,
        unit: '×',
        standin: round2(ratio.median),
        goal: '≥ 0.9×',
        met: ratio.median >= 0.9,
      },
      {
        name: `server CPU per token (/proc/<pid>/stat; per-round ratio ${round2(cpuRatio.median)}×, ${describePaired(cpuRatio)})`,
        unit: 'µs',
        standin: cpu('twin'),
        baseline: { name: 'bare oidc-provider', value: cpu('bare') },
      },
      clientRow('autocannon CPU per token (bench process), against the twin', samples.twin, samples.bare, 'against bare oidc-provider'),
    ];
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await bench()) console.log(JSON.stringify(row));
  process.exit(0);
}
