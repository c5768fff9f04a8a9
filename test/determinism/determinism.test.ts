// Same seed, same run. A scenario run twice with one seed must leave journals that differ only in
// times, ports and secrets, and a client that saw the same ids; another seed must change the
// fault decisions. Driven through the scenario runner as `standin run` drives it, with the real
// clients of every twin kind: the checkout example (happy path) and all-kinds.yaml, which adds
// what the example does not reach (a kafkajs group assigned round-robin, topic ids, the OIDC
// client_credentials and authorization code flows, Postgres process ids, a probability rule).
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger, type JournalEvent } from '../../src/core/index.ts';
import { defaultRegistry } from '../../src/environments/default-kinds.ts';
import type { Environment } from '../../src/environments/environment.ts';
import { KeepingManager } from '../support/keeping-manager.ts';
import { readScenarioFile } from '../../src/scenario/scenario-file.ts';
import { runScenario, scenarioFileAccess, type ScenarioReport } from '../../src/scenario/scenario-runner.ts';
import { normalForm } from './journal-normal-form.ts';

const manager = new KeepingManager({ registry: defaultRegistry(), log: silentLogger });
afterAll(() => manager.close());

async function run(file: string, seed?: number): Promise<{ report: ScenarioReport; events: JournalEvent[] }> {
  const path = new URL(file, import.meta.url).pathname;
  const report = await runScenario(await readScenarioFile(path, manager.registry), manager, { access: scenarioFileAccess(path), seed });
  expect(report.error).toBeUndefined();
  expect(report.expectations.filter((e) => !e.passed)).toEqual([]);
  const env = manager.made.at(-1) as Environment;
  return { report, events: env.journal.query({ limit: Number.MAX_SAFE_INTEGER }).events };
}

/** What the client printed: one JSON line of every id and choice it saw. */
const seenBy = ({ report }: { report: ScenarioReport }): Record<string, any> => JSON.parse(report.sut?.stdoutTail.split('\n').at(-1) ?? 'null');

// The classic group protocol runs on the clock: a member learns of a rebalance at its next
// heartbeat, so how many Heartbeat, JoinGroup and Fetch requests (and generations) a run takes is a
// matter of timing. That twin is compared by what its members saw: their ids and assignment.
const CLOCKED = new Set(['group']);

describe('same seed, same run', { timeout: 600_000 }, () => {
  it('the checkout example: two runs, one journal', async () => {
    const first = await run('../../scenarios/checkout/happy-path.yaml');
    const second = await run('../../scenarios/checkout/happy-path.yaml');
    expect(new Set(first.events.map((e) => e.twin))).toEqual(new Set(['db', 'bus', 'idp', 'rates', 'payments']));
    expect(normalForm(second.events)).toEqual(normalForm(first.events));
    expect(second.report.sut?.stdoutTail).toBe(first.report.sut?.stdoutTail);
  });

  it('every twin kind: two runs with one seed give one journal and the same ids; another seed other faults', async () => {
    const first = await run('./all-kinds.yaml');
    const second = await run('./all-kinds.yaml');
    const other = await run('./all-kinds.yaml', 8);

    const seen = seenBy(first);
    // Each kind showed the client ids of its own making.
    expect(seen.postgres.pids).toHaveLength(2);
    expect(seen.postgres.notifiedBy).toBe(seen.postgres.pids[1]);
    expect(seen.kafka.topicId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.kafka.members.map((m: { memberId: string }) => m.memberId)).toEqual([expect.stringMatching(/^reader-/), expect.stringMatching(/^reader-/)]);
    expect(seen.oidc.idToken.sub).toBe('user-1');
    expect(seen.stripe.intent).toMatch(/^pi_/);
    expect(seen.http.tosses).toContain(503);
    expect(seen.http.tosses).toContain(200);

    expect(seenBy(second)).toEqual(seen);
    expect(normalForm(second.events, CLOCKED)).toEqual(normalForm(first.events, CLOCKED));
    expect(new Set(first.events.map((e) => e.twin))).toEqual(new Set(['db', 'bus', 'group', 'idp', 'payments', 'api']));

    // Another seed: the probability rule fires on other requests, and the ids are others (so they
    // come from the seed, not from constants).
    const fired = (events: JournalEvent[]) => events.filter((e) => e.type === 'fault' && e.fault?.rule === 'coin').length;
    expect(fired(first.events)).toBe(seen.http.tosses.filter((s: number) => s === 503).length);
    const otherSeen = seenBy(other);
    expect(otherSeen.http.tosses).not.toEqual(seen.http.tosses);
    expect(otherSeen.postgres.pids).not.toEqual(seen.postgres.pids);
    expect(otherSeen.kafka.topicId).not.toBe(seen.kafka.topicId);
    expect(otherSeen.kafka.members.map((m: { memberId: string }) => m.memberId)).not.toEqual(seen.kafka.members.map((m: { memberId: string }) => m.memberId));
    expect(otherSeen.stripe.intent).not.toBe(seen.stripe.intent);
    expect(normalForm(other.events, CLOCKED)).not.toEqual(normalForm(first.events, CLOCKED));
  });
});
