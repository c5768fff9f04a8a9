// A KIP-848 group over time, on the twin's clock (moved by the test, so nothing waits for real time):
// a member unheard of for groupConsumerSessionTimeoutMs is fenced, one that does not revoke within
// its rebalance timeout too, and their partitions go to the others. Fault rules at the `request`
// point reach ConsumerGroupHeartbeat; LeaveGroup, DeleteGroups and inspect know consumer groups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { ERR } from '../../twins/kafka/protocol/error-codes.ts';
import type { Message } from '../../twins/kafka/protocol/schema.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

type TopicPartitions = Array<{ topicId: Buffer; partitions: number[] }>;
interface Answer {
  errorCode: number;
  memberId: string | null;
  memberEpoch: number;
  assignment: { topicPartitions: TopicPartitions } | null;
}

let clock = 1_000_000;
let h: TwinHarness;
let c: RawClient;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { kafkaVersion: '4.0', topics: [{ name: 't', partitions: 4 }], groupConsumerSessionTimeoutMs: 30_000 }, { seed: 8, now: () => clock });
  c = await RawClient.connect(h.twin.endpoints.bootstrap as string);
});
afterAll(async () => {
  c?.close();
  await h?.stop();
});

function heartbeat(groupId: string, memberId: string, memberEpoch: number, topicPartitions: TopicPartitions | null = memberEpoch === 0 ? [] : null, rebalanceTimeoutMs = 10_000): Promise<Answer> {
  const body = {
    groupId,
    memberId,
    memberEpoch,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: memberEpoch === 0 ? rebalanceTimeoutMs : -1,
    subscribedTopicNames: memberEpoch === 0 ? ['t'] : null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions,
  };
  return c.request(68, 1, body as unknown as Message) as Promise<unknown> as Promise<Answer>;
}

const count = (a: Answer): number => (a.assignment?.topicPartitions ?? []).reduce((n, tp) => n + tp.partitions.length, 0);
const owned = (a: Answer): TopicPartitions => a.assignment?.topicPartitions ?? [];

/** The sweeper runs on a real interval but reads the twin's clock: wait for what it journals. */
async function journaled(summary: string): Promise<void> {
  for (let end = Date.now() + 30_000; !h.journal.query({ type: 'state' }).events.some((e) => e.summary === summary); ) {
    if (Date.now() > end) throw new Error(`not journaled: ${summary}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('consumer-protocol members over time', () => {
  it('fences a member unheard of for the session timeout and gives its partitions to the rest', async () => {
    const a = await heartbeat('sessions', 'a', 0);
    const b = await heartbeat('sessions', 'b', 0);
    const a1 = await heartbeat('sessions', 'a', a.memberEpoch, owned(a));
    const acked = await heartbeat('sessions', 'a', a1.memberEpoch, owned(a1));
    const b1 = await heartbeat('sessions', 'b', b.memberEpoch, []);
    expect(count(b1)).toBe(2);

    clock += 20_000;
    const a2 = await heartbeat('sessions', 'a', acked.memberEpoch, owned(a1));
    expect(a2.errorCode).toBe(ERR.NONE);
    clock += 15_000; // b: 35 s unheard of; a: 15 s
    await journaled('group sessions: session timed out (b)');
    const a3 = await heartbeat('sessions', 'a', a2.memberEpoch, owned(a1));
    expect(a3.memberEpoch).toBeGreaterThan(a2.memberEpoch);
    expect(count(a3)).toBe(4);
    expect(await heartbeat('sessions', 'b', b1.memberEpoch, owned(b1))).toMatchObject({ errorCode: ERR.UNKNOWN_MEMBER_ID });
  });

  it('fences a member that does not revoke within its rebalance timeout', async () => {
    const x = await heartbeat('revoke', 'x', 0);
    await heartbeat('revoke', 'x', x.memberEpoch, owned(x));
    const y = await heartbeat('revoke', 'y', 0);
    expect(count(y)).toBe(0);
    const x1 = await heartbeat('revoke', 'x', x.memberEpoch, owned(x));
    expect(count(x1)).toBe(2); // asked to give up two; it never says it did
    clock += 11_000;
    await journaled('group revoke: did not revoke its partitions within the rebalance timeout (x)');
    const y1 = await heartbeat('revoke', 'y', y.memberEpoch, []);
    expect(count(y1)).toBe(4);
    expect(await heartbeat('revoke', 'x', x.memberEpoch, owned(x1))).toMatchObject({ errorCode: ERR.UNKNOWN_MEMBER_ID });
  });

  it('assigns a subscribed topic once it exists, at a new group epoch', async () => {
    const body = (memberEpoch: number, topicPartitions: TopicPartitions | null) =>
      ({ groupId: 'later', memberId: 'l', memberEpoch, instanceId: null, rackId: null, rebalanceTimeoutMs: memberEpoch === 0 ? 10_000 : -1, subscribedTopicNames: memberEpoch === 0 ? ['late'] : null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions }) as unknown as Message;
    const l = (await c.request(68, 1, body(0, []))) as unknown as Answer;
    expect([l.memberEpoch, count(l)]).toEqual([1, 0]);
    await h.twin.actions!['create-topic']!({ name: 'late', partitions: 3 });
    const l1 = (await c.request(68, 1, body(1, []))) as unknown as Answer;
    expect([l1.memberEpoch, count(l1)]).toEqual([2, 3]);
  });

  it('applies request fault rules to ConsumerGroupHeartbeat', async () => {
    h.addRule({ point: 'request', match: { api: 'ConsumerGroupHeartbeat', group: 'faulty' }, action: { error: { code: 'COORDINATOR_NOT_AVAILABLE' } }, trigger: { times: 1 } });
    expect(await heartbeat('faulty', 'f', 0)).toMatchObject({ errorCode: ERR.COORDINATOR_NOT_AVAILABLE });
    expect(await heartbeat('faulty', 'f', 0)).toMatchObject({ errorCode: ERR.NONE, memberEpoch: 1 });
  });

  it('answers LeaveGroup and DeleteGroups for a consumer group, and shows it in inspect', async () => {
    const d = await heartbeat('doomed', 'd', 0);
    const left = (await c.request(13, 5, { groupId: 'doomed', memberId: '', members: [{ memberId: 'd', groupInstanceId: null, reason: null }] })) as { members: Array<{ errorCode: number }> };
    expect(left.members[0]?.errorCode).toBe(ERR.UNKNOWN_MEMBER_ID); // not a classic member
    const state = (await h.twin.inspect({ group: 'doomed' })) as { groups: Array<{ type: string; state: string; members: Array<{ memberId: string; memberEpoch: number; assignment: Record<string, number[]> }> }> };
    expect(state.groups[0]).toMatchObject({ type: 'consumer', state: 'Stable', members: [{ memberId: 'd', memberEpoch: d.memberEpoch, assignment: { t: [0, 1, 2, 3] } }] });
    // The cluster action `rebalance` gives a consumer group a new epoch; the member takes it at its next heartbeat.
    await h.twin.actions!.rebalance!({ group: 'doomed' });
    expect(h.journal.query({ type: 'state' }).events.map((e) => e.summary)).toContain(`group doomed epoch ${d.memberEpoch + 1}: forced`);
    expect(await heartbeat('doomed', 'd', d.memberEpoch, owned(d))).toMatchObject({ errorCode: ERR.NONE, memberEpoch: d.memberEpoch + 1 });
    const del = () => c.request(42, 2, { groupsNames: ['doomed'] }) as Promise<{ results: Array<{ errorCode: number }> }>;
    expect((await del()).results[0]?.errorCode).toBe(ERR.NON_EMPTY_GROUP);
    await heartbeat('doomed', 'd', -1);
    expect((await del()).results[0]?.errorCode).toBe(ERR.NONE);
    const described = (await c.request(69, 0, { groupIds: ['doomed'], includeAuthorizedOperations: false })) as { groups: Array<{ errorCode: number }> };
    expect(described.groups[0]?.errorCode).toBe(ERR.GROUP_ID_NOT_FOUND);
  });
});
