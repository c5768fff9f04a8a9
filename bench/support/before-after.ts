// Before and after a change, on the same machine at the same load: one bench target started from
// another checkout (the code before, e.g. a `git worktree` at the parent commit) and from this one,
// taking turns in rounds of rotated order. Prints each side's median server CPU per operation (from
// /proc) and the median of the per-round ratios after ÷ before. On a loaded, shared machine the
// benches' twin ÷ baseline ratios drift with the load; this pairs the two versions of one twin.
//   node bin/run-ts.js bench/support/before-after.ts http|http-rule|oidc|stripe <checkout before> [rounds] [seconds]
import { cpus } from 'node:os';
import { drive } from '../stripe.ts';
import { httpLoad } from './http-load.ts';
import { describeLoad, describePaired, inRounds, measured, medianOf, paired } from './rounds.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

type Info = { url?: string; token?: string; port: number; key: string };
const OIDC_AUTH = `Basic ${Buffer.from('standin-client:standin-secret').toString('base64')}`;

const TARGETS = {
  http: { script: 'http-server.ts', args: ['twin'] },
  'http-rule': { script: 'http-server.ts', args: ['twin-rule'] },
  oidc: { script: 'oidc-server.ts', args: ['twin'] },
  stripe: { script: 'stripe-server.ts', args: ['twin'] },
} as const;
type Target = keyof typeof TARGETS;

function load(target: Target, server: ServerProcess<Info>, seconds: number): Promise<{ ops: number; seconds: number }> {
  if (target === 'stripe') return drive(server as unknown as Parameters<typeof drive>[0], 'two-calls', seconds);
  if (target === 'oidc') {
    const headers = { authorization: OIDC_AUTH, 'content-type': 'application/x-www-form-urlencoded' };
    return httpLoad({ url: server.info.token as string, method: 'POST', headers, body: 'grant_type=client_credentials', connections: 16, seconds });
  }
  return httpLoad({ url: server.info.url as string, connections: 32, seconds });
}

const [target, beforeDir, roundsArg, secondsArg] = process.argv.slice(2) as [Target, string, string?, string?];
if (!(target in TARGETS) || !beforeDir) throw new Error('usage: before-after.ts http|http-rule|oidc|stripe <checkout before> [rounds] [seconds]');
const { script, args } = TARGETS[target];
const here = new URL(`../targets/${script}`, import.meta.url);
const there = new URL(`bench/targets/${script}`, new URL(`file://${beforeDir.endsWith('/') ? beforeDir : `${beforeDir}/`}`));
const servers = {
  before: await startServerProcess<Info>(there, [...args]),
  after: await startServerProcess<Info>(here, [...args]),
};
try {
  const turn = async (side: keyof typeof servers, seconds: number) => {
    if (target === 'stripe') await servers[side].reset(); // every turn starts from the same state
    return measured(servers[side], () => load(target, servers[side], seconds));
  };
  for (const side of ['before', 'after'] as const) await turn(side, 1); // warm-up, not counted
  const rounds = Number(roundsArg ?? 8);
  const seconds = Number(secondsArg ?? 3);
  const { samples, load: loadavg } = await inRounds(['before', 'after'] as const, rounds, (side) => turn(side, seconds));
  const cpu = paired(samples.after, samples.before, 'cpuPerOp');
  const us = (side: keyof typeof servers): string => medianOf(samples[side], 'cpuPerOp').toFixed(0);
  console.log(
    `${target}: server CPU per operation before ${us('before')} µs, after ${us('after')} µs; after ÷ before ${cpu.median.toFixed(2)}× ` +
      `(median of ${rounds} rounds × ${seconds} s, ${describePaired(cpu)}, ${describeLoad(loadavg, cpus().length)})`,
  );
} finally {
  await servers.before.stop();
  await servers.after.stop();
}
process.exit(0);
