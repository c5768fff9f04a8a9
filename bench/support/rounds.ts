// Comparing systems on a shared, loaded machine: the systems take turns in rounds, each round in
// another order, and a figure is read from each round's pair (twin ÷ baseline in the same round),
// so whatever the machine does for a few seconds lands on both sides of a ratio. The benches report
// the median of those per-round ratios, and the median of each side's own figures beside them.
import { loadavg } from 'node:os';
import type { BenchRow } from '../bench-row.ts';
import type { ServerProcess } from './server-process.ts';

/**
 * One system's figures in one round: operations per second, server CPU per operation (µs), and the
 * bench process's own CPU per operation (the load generator's: when it nears a core's worth, the
 * client, not the server, sets the rate).
 */
export interface Sample {
  rate: number;
  cpuPerOp: number;
  clientCpuPerOp: number;
}

export interface RoundPlan {
  rounds: number;
  seconds: number;
  /** A label for row names, e.g. "median of 6 rounds × 2 s". */
  label: string;
}

/**
 * Rounds and seconds per measurement: short by default (a bench in 1–3 minutes, with enough rounds
 * that per-round ratios spread over ±30% still give a median that moves by a few hundredths between
 * runs), longer with `--long` (`npm run bench -- http --long`); BENCH_ROUNDS and BENCH_SECONDS
 * override either.
 */
export function roundPlan(short: { rounds: number; seconds: number }, long: { rounds: number; seconds: number }): RoundPlan {
  const base = process.argv.includes('--long') ? long : short;
  const rounds = Number(process.env.BENCH_ROUNDS ?? base.rounds);
  const seconds = Number(process.env.BENCH_SECONDS ?? base.seconds);
  return { rounds, seconds, label: `median of ${rounds} rounds × ${seconds} s` };
}

/** The items in round-robin order, starting with a different one each round. */
export function rotated<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface RoundsResult<K extends string, S = Sample> {
  samples: Record<K, S[]>;
  /** The 1-minute load average read at each round's start. */
  load: number[];
}

/** Runs `measure` for every system once per round, in rotated order. */
export function inRounds<K extends string, S = Sample>(systems: readonly K[], rounds: number, measure: (system: K) => Promise<S>): Promise<RoundsResult<K, S>> {
  return inGroups([systems], rounds, measure);
}

/**
 * As inRounds, for systems compared within groups ([twin, baseline], …): a group's turns run back to
 * back, so whatever the machine does for a few seconds it does to every side of that group's ratios
 * (rotated over four systems, a pair's turns could be three turns apart). Each round the groups
 * take turns going first, and so do the systems within each group.
 */
export async function inGroups<K extends string, S = Sample>(
  groups: ReadonlyArray<readonly K[]>,
  rounds: number,
  measure: (system: K) => Promise<S>,
): Promise<RoundsResult<K, S>> {
  const samples = Object.fromEntries(groups.flat().map((s) => [s, [] as S[]])) as Record<K, S[]>;
  const load: number[] = [];
  for (let round = 0; round < rounds; round++) {
    load.push(loadavg()[0] as number);
    for (const group of rotated(groups, round)) {
      for (const system of rotated(group, round)) samples[system].push(await measure(system));
    }
  }
  return { samples, load };
}

/** Runs `work` (which reports the operations it completed) and charges the server's CPU to them. */
export async function measured(server: ServerProcess<unknown>, work: () => Promise<{ ops: number; seconds: number }>): Promise<Sample> {
  const before = server.cpuMicros();
  const client = process.cpuUsage();
  const { ops, seconds } = await work();
  const cpu = server.cpuMicros() - before;
  const { user, system } = process.cpuUsage(client);
  return { rate: ops / seconds, cpuPerOp: cpu / ops, clientCpuPerOp: (user + system) / ops };
}

export interface Paired {
  median: number;
  min: number;
  max: number;
}

/** Per-round ratios a ÷ b of one figure, summarized. */
export function paired(a: readonly Sample[], b: readonly Sample[], figure: keyof Sample): Paired {
  const ratios = a.map((s, i) => s[figure] / (b[i] as Sample)[figure]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/**
 * Whether per-round ratios (twin ÷ baseline, higher is better) show the twin slower beyond noise:
 * a one-sided sign test. `p` is the chance of the twin losing at least as many rounds as it did
 * if it were as fast as the baseline (each round a fair coin); ties count for neither side. For a
 * twin that runs the baseline's own code, the median lands above or below 1 as a coin falls; this
 * says whether it lost too often for a coin.
 */
export function signTest(ratios: readonly number[]): { wins: number; losses: number; p: number } {
  const wins = ratios.filter((r) => r > 1).length;
  const losses = ratios.filter((r) => r < 1).length;
  const n = wins + losses;
  let p = 0;
  for (let k = losses; k <= n; k++) p += binomial(n, k) / 2 ** n;
  return { wins, losses, p: Math.min(1, p) };
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

export const medianOf = (samples: readonly Sample[], figure: keyof Sample): number => median(samples.map((s) => s[figure]));

export function describePaired(p: Paired): string {
  return `per-round ${p.min.toFixed(2)}–${p.max.toFixed(2)}`;
}

/** "load 21.4–23.0 (2 cores)": the machine's 1-minute load average over the rounds. */
export function describeLoad(load: readonly number[], cores: number): string {
  return `load ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} on ${cores} cores`;
}

/** The load generator's CPU per operation against the twin, beside its CPU against the baseline. */
export function clientRow(name: string, twin: readonly Sample[], base: readonly Sample[], baseName: string): BenchRow {
  const micros = (samples: readonly Sample[]): number => Math.round(medianOf(samples, 'clientCpuPerOp') * 10) / 10;
  return { name, unit: 'µs', standin: micros(twin), baseline: { name: baseName, value: micros(base) } };
}
