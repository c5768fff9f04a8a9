// `npm run bench -- hostile`: the control API fuzz (test/hostile/api-fuzz-run.ts) at 20,000+
// requests against `standin serve` in a process of its own, 8 requests in flight. Figures: answers
// ≥ 500 (must be 0 besides those reported in KNOWN_FAILURES), hangs, crashes, environments left,
// and the server's RSS after the run next to its RSS after a warm-up, each after full GCs.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { ApiFuzz } from '../test/hostile/api-fuzz-run.ts';
import type { Bench, BenchRow } from './bench-row.ts';

const REQUESTS = Number(process.env.STANDIN_FUZZ_REQUESTS ?? 20_000);
const WARMUP = 2_000;
const PARALLEL = 8;
const SETTLE_MS = 30_000;
const standin = fileURLToPath(new URL('../bin/standin.js', import.meta.url));
const gcOnSignal = new URL('./gc-on-signal.mjs', import.meta.url).href;

const hostile: Bench = async () => {
  const server = await startServer();
  try {
    const fuzz = await ApiFuzz.start({ url: server.url, kindWeights: { http: 6, tcp: 4, stripe: 2, oidc: 2, kafka: 1, postgres: 1 } });
    const seed = Number(process.env.STANDIN_FUZZ_SEED ?? 20_000);
    await run(fuzz, fc.sample(fuzz.plans, { numRuns: WARMUP, seed: seed + 1 }));
    await fuzz.cleanup();
    const before = await settledRss(server.child.pid!, undefined);

    const started = performance.now();
    await run(fuzz, fc.sample(fuzz.plans, { numRuns: REQUESTS, seed }));
    const seconds = (performance.now() - started) / 1000;
    const left = await fuzz.cleanup();
    const after = await settledRss(server.child.pid!, before);
    const alive = server.child.exitCode === null && (await fetch(`${server.url}/health`).then((r) => r.ok, () => false));

    const { tally } = fuzz;
    const { failures } = tally;
    for (const failure of failures.slice(0, 20)) {
      process.stdout.write(`FAILURE: ${failure.request.slice(0, 300)}\n  → ${failure.answer.slice(0, 300)}\n`);
    }
    const fuzzed = tally.requests - WARMUP;
    return [
      { name: `fuzz requests (${Object.entries(tally.byClass).map(([c, n]) => `${c} ${n}`).join(', ')} incl. warm-up; ${tally.created} environments created)`, unit: 'requests', standin: fuzzed, goal: `≥ ${REQUESTS.toLocaleString('en-US')}`, met: fuzzed >= REQUESTS },
      { name: 'fuzz throughput', unit: 'req/s', standin: fuzzed / seconds },
      { name: 'answers ≥ 500, hangs, broken connections', unit: 'answers', standin: failures.length, goal: '0', met: failures.length === 0 },
      { name: 'server crashed or stopped answering', unit: 'crashes', standin: alive ? 0 : 1, goal: '0', met: alive },
      { name: 'environments and proxies left after cleanup', unit: 'left', standin: left.environments + left.proxies, goal: '0', met: left.environments + left.proxies === 0 },
      {
        name: `server RSS after the run, after full GCs (≤ ${SETTLE_MS / 1000} s)`,
        unit: 'MB',
        standin: after / 1e6,
        baseline: { name: 'after warm-up', value: before / 1e6 },
        goal: '≤ 1.1× warm-up',
        met: after <= before * 1.1,
      },
    ] satisfies BenchRow[];
  } finally {
    await server.stop();
  }
};
export default hostile;

async function run(fuzz: ApiFuzz, plans: Parameters<ApiFuzz['send']>[0][]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < plans.length) await fuzz.send(plans[next++]!);
    }),
  );
}

async function startServer(): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', gcOnSignal, standin, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/[^\s(]+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`standin serve exited (${code}): ${output}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/**
 * The process's RSS once idle: a full GC (gc-on-signal.mjs) every second, sampled until within 10% of
 * `target` (when given) or no longer falling, for at most SETTLE_MS.
 */
async function settledRss(pid: number, target: number | undefined): Promise<number> {
  let last = rssOf(pid);
  for (let waited = 0; waited < SETTLE_MS; waited += 1000) {
    process.kill(pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 1000));
    const now = rssOf(pid);
    if (target !== undefined ? now <= target * 1.1 : Math.abs(now - last) < last * 0.01) return now;
    last = now;
  }
  return last;
}
