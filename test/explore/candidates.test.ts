// Candidate generation, ordering, pairing and shrinking, with a small vocabulary of their own (the
// runs themselves are explore.test.ts's, against real twins).
import { describe, expect, it } from 'vitest';
import type { ExploreVocabulary, FaultCandidate, JournalEvent } from '../../src/core/index.ts';
import { candidateLabel, interactionKey, variationOf, type Candidate } from '../../src/explore/candidate.ts';
import { candidateSpace, observeInteractions } from '../../src/explore/candidate-space.ts';
import { pairsOf } from '../../src/explore/explorer.ts';
import type { ScheduleResult } from '../../src/explore/schedule-run.ts';
import { shrink } from '../../src/explore/shrink.ts';
import type { ScenarioFile } from '../../src/scenario/scenario-file.ts';
import type { Scenario } from '../../src/scenario/scenario-schema.ts';

/** Requests by method and path; a cheap error and a slow hang at each; `mint` varied into a forged token. */
const vocabulary: ExploreVocabulary = {
  interaction: (e) => (e.type === 'request' ? { point: 'request', match: { path: e.data?.path }, label: `GET ${String(e.data?.path)}` } : undefined),
  faults: (): FaultCandidate[] => [
    { label: '503', class: 'error', action: { error: { status: 503 } } },
    { label: 'hang', class: 'hang', action: { hang: {} }, cost: 'slow' },
    { label: 'cut', class: 'disconnect', action: { disconnect: {} } },
  ],
  setupVariants: { mint: (params) => [{ label: 'forged', class: 'forged-token', params: { ...params, forged: true } }] },
};

let seq = 0;
const request = (twin: string, path: string): JournalEvent => ({ seq: ++seq, time: 0, twin, point: 'request', type: 'request', summary: path, data: { path } });

function fileOf(scenario: Partial<Scenario>): ScenarioFile {
  return { scenario: { name: 's', twins: {}, ...scenario }, invariants: [], expectations: [] } as unknown as ScenarioFile;
}

describe('explore candidates', () => {
  const events = [request('b', '/y'), request('a', '/x'), { ...request('a', '/x'), type: 'fault' }, request('a', '/x'), request('b', '/y')];
  const observed = observeInteractions(events, () => vocabulary);

  it('count each interaction by twin, point and match, the fault engine’s own events left out', () => {
    expect([...observed.values()].map((o) => [o.twin, o.interaction.label, o.count])).toEqual([
      ['b', 'GET /y', 2],
      ['a', 'GET /x', 2],
    ]);
  });

  it('are ordered env, setup, then faults by twin, point, match and occurrence; round-robin; cheap before slow', () => {
    const file = fileOf({
      setup: [{ twin: 'a', verb: 'mint', params: { sub: 'x' } }],
      run: { command: 'true', env: { V: 'old' } },
      explore: { vary: { env: { V: ['old', 'new', 'newer'] } }, skip: ['c'] },
    });
    const labels = candidateSpace(file, observed.values(), () => vocabulary).map(candidateLabel);
    expect(labels).toEqual([
      'env V=new',
      'setup[0] a mint → forged',
      'a GET /x #1 → 503',
      'a GET /x #2 → 503',
      'b GET /y #1 → 503',
      'b GET /y #2 → 503',
      'env V=newer',
      'a GET /x #1 → cut',
      'a GET /x #2 → cut',
      'b GET /y #1 → cut',
      'b GET /y #2 → cut',
      'a GET /x #1 → hang',
      'a GET /x #2 → hang',
      'b GET /y #1 → hang',
      'b GET /y #2 → hang',
    ]);
    const skipped = candidateSpace(fileOf({ explore: { skip: ['b.request'] } }), observed.values(), () => vocabulary).map(candidateLabel);
    expect(skipped.every((l) => l.startsWith('a '))).toBe(true);
  });

  it('become rules that fire once at their occurrence, added so two on one interaction each fire at theirs', () => {
    const [x1, x2] = candidateSpace(fileOf({}), observed.values(), () => vocabulary).filter((c) => c.type === 'fault' && c.twin === 'a');
    const { variation, ruleIds } = variationOf([x2 as Candidate, x1 as Candidate]);
    expect(ruleIds).toEqual(['explore-1', 'explore-2']);
    expect(variation.faults).toEqual([
      { id: 'explore-1', twin: 'a', point: 'request', match: { path: '/x' }, action: { error: { status: 503 } }, trigger: { times: 1 } },
      { id: 'explore-2', twin: 'a', point: 'request', match: { path: '/x' }, action: { error: { status: 503 } }, trigger: { after: 1, times: 1 } },
    ]);
  });
});

function result(schedule: Candidate[], outcome: ScheduleResult['outcome'], reached: Record<string, number> = {}): ScheduleResult {
  return { schedule, outcome, checks: [], reached: new Map(Object.entries(reached)), durationMs: 0 };
}

describe('explore pairs and shrinking', () => {
  const seen = observeInteractions([request('a', '/x'), request('a', '/x'), request('b', '/y')], () => vocabulary);
  const singles = candidateSpace(fileOf({}), seen.values(), () => vocabulary);
  const byLabel = (label: string) => singles.find((c) => candidateLabel(c) === label) as Candidate;
  const x = interactionKey('a', { point: 'request', match: { path: '/x' } });
  const y = interactionKey('b', { point: 'request', match: { path: '/y' } });

  it('pair held singles whose interactions still happened under each other, later member first', () => {
    const runs = [
      result([byLabel('a GET /x #1 → 503')], 'held', { [x]: 2, [y]: 1 }),
      result([byLabel('a GET /x #2 → 503')], 'held', { [x]: 2, [y]: 0 }),
      result([byLabel('b GET /y #1 → 503')], 'held', { [x]: 2, [y]: 1 }),
      result([byLabel('a GET /x #1 → cut')], 'violated', { [x]: 2, [y]: 1 }),
    ];
    const pairs = pairsOf(runs, 10).map((p) => p.map(candidateLabel).join(' + '));
    // #2 under #1 happened (2 events); /y did not happen under x#2, so that pair is not tried;
    // a failing single is never paired.
    expect(pairs).toEqual(['a GET /x #1 → 503 + a GET /x #2 → 503', 'a GET /x #1 → 503 + b GET /y #1 → 503']);
    expect(pairsOf(runs, 1)).toHaveLength(1);
  });

  it('shrink to the fewest candidates, then the earliest occurrence that still fails', async () => {
    const late = { ...(byLabel('a GET /x #2 → 503') as Extract<Candidate, { type: 'fault' }>), occurrence: 3 };
    const other = byLabel('b GET /y #1 → 503');
    const ran: string[] = [];
    // Fails whenever /x gets its fault at occurrence 2 or later, whatever else is injected.
    const run = async (schedule: Candidate[]) => {
      ran.push(schedule.map(candidateLabel).join(' + '));
      const fails = schedule.some((c) => c.type === 'fault' && c.twin === 'a' && c.occurrence >= 2);
      return result(schedule, fails ? 'violated' : 'held');
    };
    const shrunk = await shrink(result([other, late], 'violated'), new Map(), run);
    expect(shrunk.schedule.map(candidateLabel)).toEqual(['a GET /x #2 → 503']);
    expect(ran).toEqual(['a GET /x #3 → 503', 'a GET /x #1 → 503', 'a GET /x #2 → 503']);
    expect(shrunk.runs).toBe(3);
  });
});
