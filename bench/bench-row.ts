// One line of `npm run bench`: a figure for Standin next to its baseline, measured in the same run.
export interface BenchRow {
  /** What was measured, e.g. "tcp twin, small round trip p50". */
  name: string;
  unit: string;
  /** Standin's figure. */
  standin: number;
  /** The baseline's figure and what it is (e.g. "direct loopback"); omit when there is none. */
  baseline?: { name: string; value: number };
  /** The goal, as text, e.g. "≤ 1.2× bare pipe"; `met` says whether this run reached it. */
  goal?: string;
  met?: boolean;
}

/** A bench module's default export. It starts what it needs, measures, stops it all. */
export type Bench = () => Promise<BenchRow[]>;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}
