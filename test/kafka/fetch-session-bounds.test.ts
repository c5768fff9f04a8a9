// What bounds a kafka twin's fetch sessions (KIP-227), driven by @platformatic/kafka over real
// sockets: the cache slots (kafkaFetchSessions) and Kafka's eviction on the twin's clock, the
// partitions held (kafkaFetchSessionPartitions), sessions from many connections, huge forgotten
// lists, and that no session outlives its connection, its broker or a reset.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Connection, fetchV17, metadataV12, ResponseError } from '@platformatic/kafka';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { nextEpoch, SESSION_EVICTION_MS } from '../../twins/kafka/cluster/fetch-sessions.ts';
import { ERR } from '../../twins/kafka/protocol/error-codes.ts';
import type { Limits } from '../../src/core/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

type FetchAnswer = fetchV17.FetchResponse;

const part = (partition: number): fetchV17.FetchRequestPartition => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 });

async function fetch(c: Connection, sessionId: number, epoch: number, topics: fetchV17.FetchRequestTopic[], forgotten: fetchV17.FetchRequestForgottenTopicsData[] = []): Promise<FetchAnswer> {
  try {
    return await fetchV17.api.async(c, 0, 0, 1 << 20, 0, sessionId, epoch, topics, forgotten, '');
  } catch (e) {
    if (e instanceof ResponseError) return (e as unknown as { response: FetchAnswer }).response;
    throw e;
  }
}

let h: TwinHarness | undefined;
let open: Connection[] = [];
let clock = 1_750_000_000_000;

async function twin(config: Record<string, unknown>, limits: Partial<Limits> = {}): Promise<TwinHarness> {
  h = await startTwin(kafkaTwin, config, { seed: 3, limits, now: () => clock });
  return h;
}

async function connect(broker = 0): Promise<Connection> {
  const [host, port] = h!.twin.endpoints.bootstrap!.split(',')[broker]!.split(':') as [string, string];
  const c = new Connection('bounds-test');
  // Connections this test cuts (a broker going down, a request past the limits) end with an error.
  c.on('error', () => {});
  await c.connect(host, Number(port));
  open.push(c);
  return c;
}

async function topicIdOf(c: Connection, name: string): Promise<string> {
  return (await metadataV12.api.async(c, [name], false, false)).topics[0]!.topicId;
}

/** A new session of the first `n` partitions of a topic; its id, or 0 when none was made. */
async function session(c: Connection, topicId: string, n: number): Promise<number> {
  return (await fetch(c, 0, 0, [{ topicId, partitions: Array.from({ length: n }, (_, i) => part(i)) }])).sessionId;
}

/** inspect's fetch sessions, per broker. */
async function sessionsByBroker(): Promise<Array<Array<{ id: number; epoch: number; partitions: number }>>> {
  const state = (await h!.twin.inspect({ topic: 'none' })) as { brokers: Array<{ fetchSessions: Array<{ id: number; epoch: number; partitions: number }> }> };
  return state.brokers.map((b) => b.fetchSessions);
}

afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
  await h?.stop();
  h = undefined;
});

describe('fetch session bounds', () => {
  it('epochs wrap from 2^31-1 to 1, as Kafka counts them', () => {
    expect([nextEpoch(1), nextEpoch(2_147_483_646), nextEpoch(2_147_483_647), nextEpoch(-1)]).toEqual([2, 2_147_483_647, 1, -1]);
  });

  it('a full cache of fresh sessions makes no more (session id 0, a full answer); a closed connection gives its sessions back', async () => {
    await twin({ topics: [{ name: 'slots', partitions: 1 }] }, { kafkaFetchSessions: 3 });
    const c = await connect();
    const id = await topicIdOf(c, 'slots');
    const holders = [await connect(), await connect(), await connect()];
    const ids: number[] = [];
    for (const holder of holders) ids.push(await session(holder, id, 1));
    expect(ids.every((x) => x > 0)).toBe(true);
    const refused = await fetch(c, 0, 0, [{ topicId: id, partitions: [part(0)] }]);
    expect(refused.sessionId).toBe(0);
    expect(refused.responses[0]!.partitions.map((p) => p.partitionIndex)).toEqual([0]);

    // A session may be used from another connection, but it goes with the one that made it.
    expect(await fetch(c, ids[0]!, 1, [])).toMatchObject({ errorCode: 0, sessionId: ids[0] });
    await holders[0]!.close();
    // The broker sees the close when it reads it: until then the session is still there, and used.
    let epoch = 2;
    await vi.waitFor(async () => expect(await fetch(c, ids[0]!, epoch++, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND }), { timeout: 20_000, interval: 20 });
    expect(await session(c, id, 1)).toBeGreaterThan(0);

    // DescribeConfigs shows the limit as the broker's max.incremental.fetch.session.cache.slots.
    const admin = new Kafka({ brokers: h!.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configNames: ['max.incremental.fetch.session.cache.slots'] }], includeSynonyms: false });
      expect(resources[0]!.configEntries.map((e) => e.configValue)).toEqual(['3']);
    } finally {
      await admin.disconnect();
    }
  }, 30_000);

  it("evicts as Kafka does: a stale session first, else the smallest one old enough when the new one is larger", async () => {
    await twin({ topics: [{ name: 'ev', partitions: 3 }] }, { kafkaFetchSessions: 2 });
    const c = await connect();
    const id = await topicIdOf(c, 'ev');
    const small = await session(c, id, 1);
    const large = await session(c, id, 3);
    // Used again past the eviction time since they were made: both may now be evicted for a larger session.
    clock += SESSION_EVICTION_MS + 10_000;
    expect(await fetch(c, small, 1, [])).toMatchObject({ errorCode: 0 });
    expect(await fetch(c, large, 1, [])).toMatchObject({ errorCode: 0 });
    clock += 1_000;
    const middle = await session(c, id, 2);
    expect(middle).toBeGreaterThan(0);
    expect(await fetch(c, small, 2, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND });
    // No larger than the smallest evictable one (3), and `middle` is too new: none made.
    expect(await session(c, id, 1)).toBe(0);
    expect(await session(c, id, 3)).toBe(0);
    // Unused past the eviction time, the least recently used goes for any new session.
    clock += SESSION_EVICTION_MS + 1;
    expect(await session(c, id, 1)).toBeGreaterThan(0);
    expect(await fetch(c, large, 2, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND });
    expect(await fetch(c, middle, 1, [])).toMatchObject({ errorCode: 0, sessionId: middle });
  }, 30_000);

  it('the partitions held are bounded: a session past kafkaFetchSessionPartitions is not made, one growing past it is closed', async () => {
    await twin({ topics: [{ name: 'wide', partitions: 6 }] }, { kafkaFetchSessionPartitions: 4 });
    const c = await connect();
    const id = await topicIdOf(c, 'wide');
    const three = await session(c, id, 3);
    expect(three).toBeGreaterThan(0);
    expect(await session(c, id, 2)).toBe(0);
    const grown = await fetch(c, three, 1, [{ topicId: id, partitions: [part(3), part(4)] }]);
    // Answered as a full fetch of what it named, without a session.
    expect(grown.sessionId).toBe(0);
    expect(grown.responses.flatMap((t) => t.partitions.map((p) => p.partitionIndex))).toEqual([3, 4]);
    expect(await fetch(c, three, 2, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND });
    expect(await session(c, id, 4)).toBeGreaterThan(0);
  }, 30_000);

  it('sessions from many connections stay within the slots, and all go when the connections close', async () => {
    await twin({ topics: [{ name: 'many', partitions: 2 }] }, { kafkaFetchSessions: 50 });
    const probe = await connect();
    const id = await topicIdOf(probe, 'many');
    const conns = await Promise.all(Array.from({ length: 200 }, () => connect()));
    const ids = await Promise.all(conns.map((c) => session(c, id, 2)));
    expect(ids.filter((x) => x > 0)).toHaveLength(50);
    expect(new Set(ids.filter((x) => x > 0)).size).toBe(50);
    await Promise.all(conns.map((c) => c.close()));
    // Every slot is free again once the broker has read the closes: 50 new sessions, none refused.
    let made = 0;
    await vi.waitFor(async () => {
      while (made < 50 && (await session(probe, id, 1)) > 0) made++;
      expect(made).toBe(50);
    }, { timeout: 20_000, interval: 20 });
  }, 60_000);

  it('a huge forgotten list is answered and bounded by kafkaRequestElements; past it only that connection closes', async () => {
    await twin({ topics: [{ name: 'forget', partitions: 2 }] }, { kafkaRequestElements: 50_000 });
    const c = await connect();
    const id = await topicIdOf(c, 'forget');
    const sid = await session(c, id, 2);
    const many = Array.from({ length: 40_000 }, (_, i) => i + 1);
    const answered = await fetch(c, sid, 1, [], [{ topic: id, partitions: many }]);
    expect(answered).toMatchObject({ errorCode: 0, sessionId: sid });
    // Partition 1 was forgotten along with 39,999 that were never in the session; partition 0 is left.
    expect(await fetch(c, sid, 2, [], [{ topic: id, partitions: [0] }])).toMatchObject({ errorCode: 0, sessionId: 0 });

    const other = await connect();
    const live = await session(other, id, 1);
    const hostile = await connect();
    const tooMany = Array.from({ length: 60_000 }, (_, i) => i);
    await expect(fetch(hostile, live, 1, [], [{ topic: id, partitions: tooMany }])).rejects.toThrow();
    expect(await fetch(other, live, 1, [])).toMatchObject({ errorCode: 0, sessionId: live });
  }, 60_000);

  it('sessions are per broker, and none outlives a broker going down or a reset', async () => {
    await twin({ brokers: 2, topics: [{ name: 'two', partitions: 2, replicationFactor: 2 }] });
    const c0 = await connect(0);
    const c1 = await connect(1);
    const id = await topicIdOf(c0, 'two');
    const on0 = await session(c0, id, 2);
    expect(on0).toBeGreaterThan(0);
    expect(await fetch(c1, on0, 1, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND });

    const on1 = await session(c1, id, 2);
    // inspect shows each broker's sessions: id, the epoch the next fetch must carry, partitions held.
    expect(await sessionsByBroker()).toEqual([[{ id: on0, epoch: 1, partitions: 2 }], [{ id: on1, epoch: 1, partitions: 2 }]]);
    await h!.twin.actions!['broker-down']!({ broker: 1 });
    await h!.twin.actions!['broker-up']!({ broker: 1 });
    const again1 = await connect(1);
    expect(await fetch(again1, on1, 1, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND });

    expect(await fetch(c0, on0, 1, [])).toMatchObject({ errorCode: 0, sessionId: on0 });
    expect(await sessionsByBroker()).toEqual([[{ id: on0, epoch: 2, partitions: 2 }], []]);
    await h!.twin.reset();
    expect(await sessionsByBroker()).toEqual([[], []]);
    const fresh = await connect(0);
    expect(await fetch(fresh, on0, 2, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND });
    // Ids go on from the seed's stream after a reset: a consumer that kept its id from before finds no one else's session under it.
    const after = await session(fresh, await topicIdOf(fresh, 'two'), 2);
    expect(after).toBeGreaterThan(0);
    expect(after).not.toBe(on0);
    expect(await fetch(fresh, on0, 1, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND });
  }, 60_000);
});
