// KIP-848 consumer groups frame by frame: exact ConsumerGroupHeartbeat exchanges over a real socket,
// where a client library would hide the epochs — revocation before reassignment, fencing, static
// members, the errors Kafka 4.0 answers, OffsetCommit v9, ListGroups v5, and 3.9's early access.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { ERR } from '../../twins/kafka/protocol/error-codes.ts';
import type { Message } from '../../twins/kafka/protocol/schema.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

type TopicPartitions = Array<{ topicId: Buffer; partitions: number[] }>;

interface Heartbeat {
  groupId?: string;
  memberId: string;
  memberEpoch: number;
  instanceId?: string | null;
  subscribedTopicNames?: string[] | null;
  subscribedTopicRegex?: string | null;
  serverAssignor?: string | null;
  rebalanceTimeoutMs?: number;
  topicPartitions?: TopicPartitions | null;
}

interface Answer {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: { topicPartitions: TopicPartitions } | null;
}

function heartbeat(c: RawClient, hb: Heartbeat, version = 1): Promise<Answer> {
  const body = {
    groupId: 'g',
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: hb.memberEpoch === 0 ? 60_000 : -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: hb.memberEpoch === 0 ? [] : null,
    ...hb,
  };
  return c.request(68, version, body as unknown as Message) as Promise<unknown> as Promise<Answer>;
}

/** `topic:partition` for each partition of an assignment, sorted, topic ids read back to names. */
function named(tps: TopicPartitions | undefined, names: Map<string, string>): string[] {
  return (tps ?? []).flatMap((tp) => tp.partitions.map((p) => `${names.get(tp.topicId.toString('hex'))}:${p}`)).sort();
}

async function topicIds(c: RawClient): Promise<Map<string, string>> {
  const md = (await c.request(3, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })) as {
    topics: Array<{ name: string; topicId: Buffer }>;
  };
  return new Map(md.topics.map((t) => [t.topicId.toString('hex'), t.name]));
}

function owned(a: Answer): TopicPartitions {
  return a.assignment?.topicPartitions ?? [];
}

describe('ConsumerGroupHeartbeat on a 4.0 twin', () => {
  let h: TwinHarness;
  let c: RawClient;
  let names: Map<string, string>;
  beforeAll(async () => {
    h = await startTwin(
      kafkaTwin,
      { kafkaVersion: '4.0', topics: [{ name: 't', partitions: 4 }, { name: 'orders.eu', partitions: 2 }, { name: 'orders.us', partitions: 2 }] },
      { seed: 21 },
    );
    c = await RawClient.connect(h.twin.endpoints.bootstrap as string);
    names = await topicIds(c);
  });
  afterAll(async () => {
    c?.close();
    await h?.stop();
  });

  it('lists the two APIs', async () => {
    const v = (await c.request(18, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' })) as { apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }> };
    expect(v.apiKeys.find((k) => k.apiKey === 68)).toMatchObject({ minVersion: 0, maxVersion: 1 });
    expect(v.apiKeys.find((k) => k.apiKey === 69)).toMatchObject({ minVersion: 0, maxVersion: 0 });
  });

  it('gives a partition to a new member only after its previous owner has revoked it', async () => {
    const a0 = await heartbeat(c, { groupId: 'rec', memberId: 'member-a', memberEpoch: 0, subscribedTopicNames: ['t'] });
    expect(a0).toMatchObject({ errorCode: 0, memberId: 'member-a', memberEpoch: 1, heartbeatIntervalMs: 5000 });
    expect(named(owned(a0), names)).toEqual(['t:0', 't:1', 't:2', 't:3']);
    const all = owned(a0);

    // B joins: the group moves to epoch 2, but every partition is still A's.
    const b0 = await heartbeat(c, { groupId: 'rec', memberId: 'member-b', memberEpoch: 0, subscribedTopicNames: ['t'] });
    expect(b0).toMatchObject({ errorCode: 0, memberEpoch: 2 });
    expect(named(owned(b0), names)).toEqual([]);

    // A is asked to give up two partitions; its epoch stays until it has.
    const a1 = await heartbeat(c, { groupId: 'rec', memberId: 'member-a', memberEpoch: 1, topicPartitions: all });
    expect(a1.memberEpoch).toBe(1);
    const kept = named(owned(a1), names);
    expect(kept).toHaveLength(2);

    // B asks again before A has acknowledged: still nothing.
    const b1 = await heartbeat(c, { groupId: 'rec', memberId: 'member-b', memberEpoch: 2, topicPartitions: [] });
    expect(named(owned(b1), names)).toEqual([]);

    // A reports that it owns only what it kept: it moves to epoch 2, and B gets the other two.
    const a2 = await heartbeat(c, { groupId: 'rec', memberId: 'member-a', memberEpoch: 1, topicPartitions: owned(a1) });
    expect(a2.memberEpoch).toBe(2);
    const b2 = await heartbeat(c, { groupId: 'rec', memberId: 'member-b', memberEpoch: 2, topicPartitions: [] });
    const given = named(owned(b2), names);
    expect(given).toHaveLength(2);
    expect([...kept, ...given].sort()).toEqual(['t:0', 't:1', 't:2', 't:3']);

    const d = (await c.request(69, 0, { groupIds: ['rec', 'nope'], includeAuthorizedOperations: false })) as {
      groups: Array<{ errorCode: number; groupState: string; groupEpoch: number; assignmentEpoch: number; assignorName: string; members: Array<{ memberId: string; memberEpoch: number; assignment: { topicPartitions: Array<{ topicName: string; partitions: number[] }> } }> }>;
    };
    expect(d.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Stable', groupEpoch: 2, assignmentEpoch: 2, assignorName: 'uniform' });
    expect(d.groups[0]?.members.map((m) => [m.memberId, m.memberEpoch]).sort()).toEqual([['member-a', 2], ['member-b', 2]]);
    expect(d.groups[1]).toMatchObject({ errorCode: ERR.GROUP_ID_NOT_FOUND });

    // A leaves: B gets everything at the next epoch.
    expect(await heartbeat(c, { groupId: 'rec', memberId: 'member-a', memberEpoch: -1 })).toMatchObject({ errorCode: 0, memberId: 'member-a', memberEpoch: -1 });
    const b3 = await heartbeat(c, { groupId: 'rec', memberId: 'member-b', memberEpoch: 2, topicPartitions: owned(b2) });
    expect(b3.memberEpoch).toBe(3);
    expect(named(owned(b3), names)).toEqual(['t:0', 't:1', 't:2', 't:3']);
    const states = h.journal.query({ type: 'state' }).events.map((e) => e.summary);
    expect(states).toContain('group rec: member left (member-a)');
  });

  it('fences a member whose epoch it did not give, and refuses unknown members and bad requests', async () => {
    await heartbeat(c, { groupId: 'fence', memberId: 'm1', memberEpoch: 0, subscribedTopicNames: ['t'] });
    expect(await heartbeat(c, { groupId: 'fence', memberId: 'm1', memberEpoch: 7 })).toMatchObject({ errorCode: ERR.FENCED_MEMBER_EPOCH, memberId: null });
    expect(await heartbeat(c, { groupId: 'fence', memberId: 'ghost', memberEpoch: 1 })).toMatchObject({ errorCode: ERR.UNKNOWN_MEMBER_ID });
    expect(await heartbeat(c, { groupId: 'never', memberId: 'm1', memberEpoch: 3 })).toMatchObject({ errorCode: ERR.GROUP_ID_NOT_FOUND });
    expect(await heartbeat(c, { groupId: 'fence', memberId: '', memberEpoch: 0, subscribedTopicNames: ['t'] })).toMatchObject({ errorCode: ERR.INVALID_REQUEST, errorMessage: "MemberId can't be empty." });
    expect(await heartbeat(c, { groupId: 'fence', memberId: 'm2', memberEpoch: 0 })).toMatchObject({ errorCode: ERR.INVALID_REQUEST, errorMessage: 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.' });
    expect(await heartbeat(c, { groupId: 'fence', memberId: 'm2', memberEpoch: 0, subscribedTopicNames: ['t'], serverAssignor: 'sticky' })).toMatchObject({ errorCode: ERR.UNSUPPORTED_ASSIGNOR });
    expect(await heartbeat(c, { groupId: 'fence', memberId: 'm2', memberEpoch: 0, subscribedTopicRegex: '(' })).toMatchObject({ errorCode: ERR.INVALID_REGULAR_EXPRESSION });
  });

  it('keeps a static member’s partitions for its next instance, which no one else may take meanwhile', async () => {
    const s0 = await heartbeat(c, { groupId: 'static', memberId: 'first', memberEpoch: 0, instanceId: 'i-1', subscribedTopicNames: ['t'] });
    expect(s0.memberEpoch).toBe(1);
    expect(await heartbeat(c, { groupId: 'static', memberId: 'second', memberEpoch: 0, instanceId: 'i-1', subscribedTopicNames: ['t'] })).toMatchObject({ errorCode: ERR.UNRELEASED_INSTANCE_ID });
    expect(await heartbeat(c, { groupId: 'static', memberId: 'first', memberEpoch: -2, instanceId: 'i-1' })).toMatchObject({ errorCode: 0, memberEpoch: -2 });
    const s1 = await heartbeat(c, { groupId: 'static', memberId: 'second', memberEpoch: 0, instanceId: 'i-1', subscribedTopicNames: ['t'] });
    expect(s1).toMatchObject({ errorCode: 0, memberId: 'second', memberEpoch: 1 });
    expect(named(owned(s1), names)).toEqual(named(owned(s0), names));
  });

  it('assigns by range and by regex when asked', async () => {
    const r1 = await heartbeat(c, { groupId: 'ranged', memberId: 'r1', memberEpoch: 0, subscribedTopicNames: ['orders.eu', 'orders.us'], serverAssignor: 'range' });
    await heartbeat(c, { groupId: 'ranged', memberId: 'r1', memberEpoch: r1.memberEpoch, topicPartitions: owned(r1) });
    const r2 = await heartbeat(c, { groupId: 'ranged', memberId: 'r2', memberEpoch: 0, subscribedTopicNames: ['orders.eu', 'orders.us'], serverAssignor: 'range' });
    const r1b = await heartbeat(c, { groupId: 'ranged', memberId: 'r1', memberEpoch: r1.memberEpoch, topicPartitions: owned(r1) });
    // Range: partition 0 of each topic to the first member id, partition 1 to the second.
    expect(named(owned(r1b), names)).toEqual(['orders.eu:0', 'orders.us:0']);
    await heartbeat(c, { groupId: 'ranged', memberId: 'r1', memberEpoch: r1.memberEpoch, topicPartitions: owned(r1b) });
    const r2b = await heartbeat(c, { groupId: 'ranged', memberId: 'r2', memberEpoch: r2.memberEpoch, topicPartitions: [] });
    expect(named(owned(r2b), names)).toEqual(['orders.eu:1', 'orders.us:1']);

    const x = await heartbeat(c, { groupId: 'regex', memberId: 'x', memberEpoch: 0, subscribedTopicRegex: 'orders\\..*' });
    expect(named(owned(x), names)).toEqual(['orders.eu:0', 'orders.eu:1', 'orders.us:0', 'orders.us:1']);
  });

  it('commits offsets at the member epoch (OffsetCommit v9) and lists the group as a consumer group (ListGroups v5)', async () => {
    const m = await heartbeat(c, { groupId: 'commits', memberId: 'cm', memberEpoch: 0, subscribedTopicNames: ['t'] });
    const commit = (version: number, epoch: number) =>
      c.request(8, version, { groupId: 'commits', generationIdOrMemberEpoch: epoch, memberId: 'cm', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }] }) as Promise<{
        topics: Array<{ partitions: Array<{ errorCode: number }> }>;
      }>;
    expect((await commit(9, m.memberEpoch + 1)).topics[0]?.partitions[0]?.errorCode).toBe(ERR.STALE_MEMBER_EPOCH);
    expect((await commit(8, m.memberEpoch)).topics[0]?.partitions[0]?.errorCode).toBe(ERR.UNSUPPORTED_VERSION);
    expect((await commit(9, m.memberEpoch)).topics[0]?.partitions[0]?.errorCode).toBe(ERR.NONE);
    const fetched = (await c.request(9, 9, { groupId: '', topics: null, requireStable: false, groups: [{ groupId: 'commits', memberId: 'cm', memberEpoch: m.memberEpoch, topics: [{ name: 't', partitionIndexes: [0] }] }] })) as {
      groups: Array<{ errorCode: number; topics: Array<{ partitions: Array<{ committedOffset: number }> }> }>;
    };
    expect(fetched.groups[0]).toMatchObject({ errorCode: 0 });
    expect(fetched.groups[0]?.topics[0]?.partitions[0]?.committedOffset).toBe(5);
    const stale = (await c.request(9, 9, { groupId: '', topics: null, requireStable: false, groups: [{ groupId: 'commits', memberId: 'cm', memberEpoch: 99, topics: null }] })) as { groups: Array<{ errorCode: number }> };
    expect(stale.groups[0]?.errorCode).toBe(ERR.STALE_MEMBER_EPOCH);

    const listed = (await c.request(16, 5, { statesFilter: [], typesFilter: ['consumer'] })) as { groups: Array<{ groupId: string; protocolType: string; groupState: string; groupType: string }> };
    expect(listed.groups.find((g) => g.groupId === 'commits')).toEqual({ groupId: 'commits', protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' });
    expect(((await c.request(16, 5, { statesFilter: [], typesFilter: ['classic'] })) as { groups: unknown[] }).groups.find((g) => (g as { groupId: string }).groupId === 'commits')).toBeUndefined();
    // DescribeGroups is for classic groups: up to v5, 4.0 answers a consumer group as Dead.
    const described = (await c.request(15, 5, { groups: ['commits'], includeAuthorizedOperations: false })) as { groups: Array<{ errorCode: number; groupState: string; members: unknown[] }> };
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Dead', members: [] });
    // A classic member may not join while consumer-protocol members are in the group.
    const join = (await c.request(11, 5, { groupId: 'commits', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null })) as { errorCode: number };
    expect(join.errorCode).toBe(ERR.INCONSISTENT_GROUP_PROTOCOL);
  });
});

describe('ConsumerGroupHeartbeat on a 3.9 twin', () => {
  it('is not listed, and answered UNSUPPORTED_VERSION, unless the twin opts in to the early access', async () => {
    await using h = await startTwin(kafkaTwin, { kafkaVersion: '3.9', topics: [{ name: 't', partitions: 2 }] });
    const c = await RawClient.connect(h.twin.endpoints.bootstrap as string);
    const v = (await c.request(18, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' })) as { apiKeys: Array<{ apiKey: number }> };
    expect(v.apiKeys.map((k) => k.apiKey)).not.toContain(68);
    expect(await heartbeat(c, { memberId: '', memberEpoch: 0, subscribedTopicNames: ['t'] }, 0)).toMatchObject({ errorCode: ERR.UNSUPPORTED_VERSION });
    c.close();
  });

  it('with groupCoordinatorRebalanceProtocols [classic, consumer]: v0, the coordinator’s member ids from the seed', async () => {
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      await using h = await startTwin(kafkaTwin, { kafkaVersion: '3.9', groupCoordinatorRebalanceProtocols: ['classic', 'consumer'], topics: [{ name: 't', partitions: 2 }] }, { seed: 5 });
      const c = await RawClient.connect(h.twin.endpoints.bootstrap as string);
      const v = (await c.request(18, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' })) as { apiKeys: Array<{ apiKey: number; maxVersion: number }> };
      expect(v.apiKeys.find((k) => k.apiKey === 68)?.maxVersion).toBe(0);
      const a = await heartbeat(c, { memberId: '', memberEpoch: 0, subscribedTopicNames: ['t'] }, 0);
      expect(a).toMatchObject({ errorCode: 0, memberEpoch: 1 });
      ids.push(a.memberId as string);
      c.close();
    }
    expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ids[1]).toBe(ids[0]);
  });
});
