// The readable report's header: the scenario's name as written, whatever words it starts with.
import { describe, expect, it } from 'vitest';
import { formatExploreReport, type ExploreReport } from './explore-report.ts';

const report = (name: string): ExploreReport => ({
  file: 'scenarios/checkout/explore/naive-retry-without-idempotency.yaml',
  name,
  seed: 1,
  budget: 200,
  concurrency: 2,
  status: 'clean',
  candidates: 0,
  tried: 0,
  notReached: 0,
  runs: [],
  findings: [],
  durationMs: 1500,
});

describe('formatExploreReport', () => {
  it('heads the report with the name as written, the file and the seed', () => {
    const [header] = formatExploreReport(report('explore finds it — a retry charges twice')).split('\n');
    expect(header).toBe('explore finds it — a retry charges twice  (explored scenarios/checkout/explore/naive-retry-without-idempotency.yaml, seed 1)');
  });
});
