// Incremental fetch sessions (KIP-227), driven by @platformatic/kafka's own Fetch requests (v12:
// topics by name, v17: by topic id) over a real socket: full → create → incremental → forget →
// close, the session errors, what an incremental answer carries, a long poll over a session, fault
// rules acting on session fetches, and that session ids come from the environment seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, deleteRecordsV2, fetchV12, fetchV17, metadataV12, produceV9, ResponseError, Writer } from '@platformatic/kafka';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { ERR } from '../../twins/kafka/protocol/error-codes.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

type FetchAnswer = fetchV17.FetchResponse;
type Part = fetchV17.FetchRequestPartition;

const part = (partition: number, fetchOffset: bigint): Part => ({ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 });

/** The answer, also when it carries an error code (the client throws it with the response). */
async function answer<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ResponseError) return (e as unknown as { response: T }).response;
    throw e;
  }
}

/** Fetch v17 (topics by id), at once (max_wait_ms 0) unless `maxWaitMs`. */
function fetch17(c: Connection, sessionId: number, epoch: number, topics: fetchV17.FetchRequestTopic[], forgotten: fetchV17.FetchRequestForgottenTopicsData[] = [], maxWaitMs = 0, maxBytes = 1 << 20): Promise<FetchAnswer> {
  return answer(fetchV17.api.async(c, maxWaitMs, maxWaitMs > 0 ? 1 : 0, maxBytes, 0, sessionId, epoch, topics, forgotten, ''));
}

/** Fetch v12 (topics by name; the client's `topicId` field carries the name there). */
function fetch12(c: Connection, sessionId: number, epoch: number, topics: fetchV12.FetchRequestTopic[]): Promise<FetchAnswer> {
  return answer(fetchV12.api.async(c, 0, 0, 1 << 20, 0, sessionId, epoch, topics, [], '')) as Promise<FetchAnswer>;
}

/**
 * Fetch v12 forgetting topics by name. @platformatic/kafka 1.35 writes v12's forgotten topic names
 * as UUIDs (its fetchV12 is meant for v13+'s grammar there), so this request is written here with
 * its Writer, field by field as the v12 grammar says, and read with its own v12 parser.
 */
function fetch12Forgetting(c: Connection, sessionId: number, epoch: number, forgotten: Array<{ topic: string; partitions: number[] }>): Promise<FetchAnswer> {
  const payload = (): Writer =>
    Writer.create()
      .appendInt32(-1) // replica_id
      .appendInt32(0) // max_wait_ms
      .appendInt32(0) // min_bytes
      .appendInt32(1 << 20) // max_bytes
      .appendInt8(0) // isolation_level
      .appendInt32(sessionId)
      .appendInt32(epoch)
      .appendArray([], () => {}) // topics
      .appendArray(forgotten, (w, t) => w.appendString(t.topic).appendArray(t.partitions, (w, p) => w.appendInt32(p), true, false))
      .appendString('') // rack_id
      .appendTaggedFields();
  return answer(
    new Promise<FetchAnswer>((resolve, reject) =>
      c.send(1, 12, payload, fetchV12.parseResponse as never, true, true, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r as FetchAnswer))),
    ),
  );
}

const partitionsOf = (a: FetchAnswer): number[] => a.responses.flatMap((t) => t.partitions.map((p) => p.partitionIndex));
const valuesOf = (a: FetchAnswer): string[] => a.responses.flatMap((t) => t.partitions.flatMap((p) => (p.records ?? []).flatMap((b) => b.records.map((r) => String(r.value)))));

let h: TwinHarness;
let topicId: string;
const open: Connection[] = [];

async function connect(broker = 0): Promise<Connection> {
  const [host, port] = h.twin.endpoints.bootstrap!.split(',')[broker]!.split(':') as [string, string];
  const c = new Connection('sessions-test');
  // Connections this test cuts (a broker going down, a request past the limits) end with an error.
  c.on('error', () => {});
  await c.connect(host, Number(port));
  open.push(c);
  return c;
}

const produce = (topic: string, partition: number, value: string): Promise<unknown> => h.twin.actions!.produce!({ topic, partition, value });

interface InspectedSession {
  id: number;
  epoch: number;
  partitions: number;
}
/** What inspect shows of the session `id` on each broker (the twin has one). */
async function inspected(id: number): Promise<InspectedSession[][]> {
  const state = (await h.twin.inspect({ topic: 'none' })) as { brokers: Array<{ fetchSessions: InspectedSession[] }> };
  return state.brokers.map((b) => b.fetchSessions.filter((s) => s.id === id));
}

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { topics: [{ name: 'sess', partitions: 3 }, { name: 'named', partitions: 2 }, { name: 'faulty', partitions: 2 }, { name: 'polled', partitions: 1 }, { name: 'fair', partitions: 2 }] }, { seed: 11 });
  const c = await connect();
  const md = await metadataV12.api.async(c, ['sess'], false, false);
  topicId = md.topics[0]!.topicId;
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await h?.stop();
});

describe('fetch sessions (KIP-227) with @platformatic/kafka', () => {
  it('v17 by topic id: full, create, incremental, forget, close', async () => {
    const c = await connect();
    await produce('sess', 0, 'a0');
    await produce('sess', 0, 'a1');
    await produce('sess', 1, 'b0');
    const all = [part(0, 0n), part(1, 0n), part(2, 0n)];

    // Epoch -1: a full fetch without a session, as kafkajs and librdkafka send it.
    const full = await fetch17(c, 0, -1, [{ topicId, partitions: all }]);
    expect(full.sessionId).toBe(0);
    expect(partitionsOf(full)).toEqual([0, 1, 2]);

    // Epoch 0: the same full answer, and a new session.
    const created = await fetch17(c, 0, 0, [{ topicId, partitions: all }]);
    const id = created.sessionId;
    expect(id).toBeGreaterThan(0);
    expect(partitionsOf(created)).toEqual([0, 1, 2]);
    expect(valuesOf(created)).toEqual(['a0', 'a1', 'b0']);
    // inspect shows it on its broker, with the epoch its next fetch must carry.
    expect(await inspected(id)).toEqual([[{ id, epoch: 1, partitions: 3 }]]);

    // Epoch 1: only the partitions whose offsets moved are named; nothing new, nothing answered.
    const quiet = await fetch17(c, id, 1, [{ topicId, partitions: [part(0, 2n), part(1, 1n)] }]);
    expect(quiet).toMatchObject({ errorCode: 0, sessionId: id, responses: [] });

    // Epoch 2 names nothing: the session fetches all three; only the one with a new record is answered.
    await produce('sess', 2, 'c0');
    const one = await fetch17(c, id, 2, []);
    expect(one.sessionId).toBe(id);
    expect(partitionsOf(one)).toEqual([2]);
    expect(valuesOf(one)).toEqual(['c0']);
    expect(one.responses[0]!.topicId).toBe(topicId);
    expect(one.responses[0]!.partitions[0]!.highWatermark).toBe(1n);

    // Epoch 3 forgets partition 2 (by topic id): what is appended there is no longer fetched.
    expect(await fetch17(c, id, 3, [{ topicId, partitions: [part(2, 1n)] }], [{ topic: topicId, partitions: [2] }])).toMatchObject({ errorCode: 0, sessionId: id, responses: [] });
    await produce('sess', 2, 'unseen');
    await produce('sess', 0, 'a2');
    const after = await fetch17(c, id, 4, []);
    expect(partitionsOf(after)).toEqual([0]);
    expect(valuesOf(after)).toEqual(['a2']);
    expect(await inspected(id)).toEqual([[{ id, epoch: 5, partitions: 2 }]]);

    // Epoch -1 with the id closes the session: a full fetch of what it names, session id 0.
    const closed = await fetch17(c, id, -1, [{ topicId, partitions: [part(0, 3n)] }]);
    expect(closed.sessionId).toBe(0);
    expect(partitionsOf(closed)).toEqual([0]);
    expect(await fetch17(c, id, 5, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] });
    expect(await inspected(id)).toEqual([[]]);
  }, 30_000);

  it('v12 by topic name: create, incremental, forget by name; a session made by name refuses v17 and one by id refuses v12', async () => {
    const c = await connect();
    await produce('named', 0, 'n0');
    const created = await fetch12(c, 0, 0, [{ topicId: 'named', partitions: [part(0, 0n), part(1, 0n)] }]);
    const id = created.sessionId;
    expect(id).toBeGreaterThan(0);
    expect(valuesOf(created)).toEqual(['n0']);
    await produce('named', 1, 'n1');
    const one = await fetch12(c, id, 1, [{ topicId: 'named', partitions: [part(0, 1n)] }]);
    expect(partitionsOf(one)).toEqual([1]);
    expect(valuesOf(one)).toEqual(['n1']);
    expect((one.responses[0] as unknown as { topicId: string }).topicId).toBe('named');

    expect(await fetch12Forgetting(c, id, 2, [{ topic: 'named', partitions: [1] }])).toMatchObject({ errorCode: 0, sessionId: id, responses: [] });
    await produce('named', 1, 'gone');
    await produce('named', 0, 'kept');
    const after = await fetch12(c, id, 3, []);
    expect(partitionsOf(after)).toEqual([0]);
    expect(valuesOf(after)).toEqual(['kept']);

    // The session names topics by name; a v13+ fetch names them by id.
    expect(await fetch17(c, id, 4, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_TOPIC_ID_ERROR, sessionId: 0 });
    const byId = (await fetch17(c, 0, 0, [{ topicId, partitions: [part(0, 0n)] }])).sessionId;
    expect(await fetch12(c, byId, 1, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_TOPIC_ID_ERROR, sessionId: 0 });
    // Forgetting every partition empties the session: closed, answered without one.
    expect(await fetch12Forgetting(c, id, 4, [{ topic: 'named', partitions: [0] }])).toMatchObject({ errorCode: 0, sessionId: 0, responses: [] });
    expect(await fetch12(c, id, 5, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND });
  }, 30_000);

  it('epochs must follow: a wrong, overflowing or negative epoch is INVALID_FETCH_SESSION_EPOCH; an unknown id FETCH_SESSION_ID_NOT_FOUND; epoch 0 with an id starts over', async () => {
    const c = await connect();
    const id = (await fetch17(c, 0, 0, [{ topicId, partitions: [part(0, 0n)] }])).sessionId;
    for (const epoch of [2, 2_147_483_647, -2, -2_147_483_648]) {
      expect(await fetch17(c, id, epoch, [])).toMatchObject({ errorCode: ERR.INVALID_FETCH_SESSION_EPOCH, sessionId: 0, responses: [] });
    }
    // The refusals left the session as it was: epoch 1 is still the one expected.
    expect(await fetch17(c, id, 1, [])).toMatchObject({ errorCode: 0, sessionId: id });
    expect(await fetch17(c, id, 1, [])).toMatchObject({ errorCode: ERR.INVALID_FETCH_SESSION_EPOCH });
    expect(await fetch17(c, id ^ 0x5a5a, 1, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0 });
    expect(await fetch17(c, 0, 7, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND });

    const again = await fetch17(c, id, 0, [{ topicId, partitions: [part(0, 0n)] }]);
    expect(again.sessionId).toBeGreaterThan(0);
    expect(again.sessionId).not.toBe(id);
    expect(await fetch17(c, id, 2, [])).toMatchObject({ errorCode: ERR.FETCH_SESSION_ID_NOT_FOUND });
    expect(await fetch17(c, again.sessionId, 1, [])).toMatchObject({ errorCode: 0, sessionId: again.sessionId });
  }, 30_000);

  it('an incremental answer carries a moved log start offset, and a partition again once its error is gone', async () => {
    const c = await connect();
    await produce('sess', 1, 'b1');
    await produce('sess', 1, 'b2');
    const created = await fetch17(c, 0, 0, [{ topicId, partitions: [part(0, 0n), part(1, 0n)] }]);
    const id = created.sessionId;
    const hw1 = created.responses[0]!.partitions.find((p) => p.partitionIndex === 1)!.highWatermark;
    const quiet = await fetch17(c, id, 1, [{ topicId, partitions: [part(0, 999n), part(1, hw1)] }]);
    expect(partitionsOf(quiet)).toEqual([0]); // fetch offset 999 is out of range: an error is always answered

    await deleteRecordsV2.api.async(c, [{ name: 'sess', partitions: [{ partitionIndex: 1, offset: 1n }] }], 5000);
    const hw0 = created.responses[0]!.partitions.find((p) => p.partitionIndex === 0)!.highWatermark;
    const moved = await fetch17(c, id, 2, [{ topicId, partitions: [part(0, hw0)] }]);
    expect(partitionsOf(moved)).toEqual([0, 1]); // 0: its error is gone; 1: its log start moved
    const p1 = moved.responses.flatMap((t) => t.partitions).find((p) => p.partitionIndex === 1)!;
    expect(p1.logStartOffset).toBe(1n);
    expect(p1.records).toBeUndefined();
    expect(await fetch17(c, id, 3, [])).toMatchObject({ errorCode: 0, sessionId: id, responses: [] });
  }, 30_000);

  it('a long-polled fetch that a later fetch of its session overtook answers INVALID_FETCH_SESSION_EPOCH', async () => {
    const c = await connect();
    const [polled] = (await metadataV12.api.async(c, ['polled'], false, false)).topics;
    const pollId = polled!.topicId;
    const created = await fetch17(c, 0, 0, [{ topicId: pollId, partitions: [part(0, 0n)] }]);
    const hw = created.responses[0]!.partitions[0]!.highWatermark;
    const id = created.sessionId;
    // One connection: the broker reads the three requests in order (and answers them in order).
    const waiting = fetch17(c, id, 1, [{ topicId: pollId, partitions: [part(0, hw)] }], [], 30_000);
    const overtaking = fetch17(c, id, 2, []);
    const produced = produceV9.api.async(c, 1, 5000, [{ topic: 'polled', partition: 0, value: Buffer.from('woke') }]);
    expect(await waiting).toMatchObject({ errorCode: ERR.INVALID_FETCH_SESSION_EPOCH, sessionId: id, responses: [] });
    expect(await overtaking).toMatchObject({ errorCode: 0, sessionId: id, responses: [] });
    await produced;
    // The session went on from the overtaking fetch: epoch 3, and the record appended is answered.
    expect(valuesOf(await fetch17(c, id, 3, []))).toEqual(['woke']);
  }, 60_000);

  it('a long poll over a session is answered when a record arrives', async () => {
    const c = await connect();
    const [polled] = (await metadataV12.api.async(c, ['polled'], false, false)).topics;
    const pollId = polled!.topicId;
    const created = await fetch17(c, 0, 0, [{ topicId: pollId, partitions: [part(0, 0n)] }]);
    const hw = created.responses[0]!.partitions[0]!.highWatermark;
    const waiting = fetch17(c, created.sessionId, 1, [{ topicId: pollId, partitions: [part(0, hw)] }], [], 30_000);
    await produce('polled', 0, 'late');
    const woke = await waiting;
    expect(woke.sessionId).toBe(created.sessionId);
    expect(valuesOf(woke)).toEqual(['late']);
  }, 60_000);

  it('a partition that returned records moves to the end of the session, so a busy one cannot starve the others under max_bytes', async () => {
    const c = await connect();
    const [fair] = (await metadataV12.api.async(c, ['fair'], false, false)).topics;
    const fairId = fair!.topicId;
    for (const v of ['a1', 'a2', 'a3']) await produce('fair', 0, v);
    await produce('fair', 1, 'b1');
    // max_bytes 1: only the first partition with data gets its one batch (Kafka lets it past the limit).
    const created = await fetch17(c, 0, 0, [{ topicId: fairId, partitions: [part(0, 0n), part(1, 0n)] }], [], 0, 1);
    expect(valuesOf(created)).toEqual(['a1']);
    const first = await fetch17(c, created.sessionId, 1, [{ topicId: fairId, partitions: [part(0, 1n)] }], [], 0, 1);
    expect(valuesOf(first)).toEqual(['a2']);
    // Partition 0 returned records, so partition 1 is fetched first now.
    const second = await fetch17(c, created.sessionId, 2, [{ topicId: fairId, partitions: [part(0, 2n)] }], [], 0, 1);
    expect(valuesOf(second)).toEqual(['b1']);
    expect(partitionsOf(second)).toEqual([1]);
  }, 30_000);

  it('fault rules act on session fetches: fetch-point record faults, request-point errors matched through the session', async () => {
    const c = await connect();
    const [faulty] = (await metadataV12.api.async(c, ['faulty'], false, false)).topics;
    const faultyId = faulty!.topicId;
    const id = (await fetch17(c, 0, 0, [{ topicId: faultyId, partitions: [part(0, 0n), part(1, 0n)] }])).sessionId;

    h.addRule({ point: 'fetch', match: { topic: 'faulty' }, action: { corrupt: { how: 'value' } }, trigger: { times: 1 } });
    await produce('faulty', 1, 'clean');
    const garbled = await fetch17(c, id, 1, []);
    expect(partitionsOf(garbled)).toEqual([1]);
    expect(valuesOf(garbled)).toHaveLength(1);
    expect(valuesOf(garbled)[0]).not.toBe('clean');

    // The request names no partition; the rule matches the session's.
    h.addRule({ point: 'request', match: { api: 'Fetch', topic: 'faulty', partition: 0 }, action: { error: { code: 'NOT_LEADER_OR_FOLLOWER' } }, trigger: { times: 1 } });
    const failed = await fetch17(c, id, 2, [{ topicId: faultyId, partitions: [part(1, 1n)] }]);
    expect(failed.sessionId).toBe(id);
    expect(failed.responses.flatMap((t) => t.partitions).map((p) => [p.partitionIndex, p.errorCode])).toEqual([[0, ERR.NOT_LEADER_OR_FOLLOWER]]);
    // The error is gone: partition 0 is answered once more, then nothing.
    expect(partitionsOf(await fetch17(c, id, 3, []))).toEqual([0]);
    expect(partitionsOf(await fetch17(c, id, 4, []))).toEqual([]);

    // A session error injected by a rule leaves the session as it was.
    h.addRule({ point: 'request', match: { api: 'Fetch' }, action: { error: { code: 'INVALID_FETCH_SESSION_EPOCH' } }, trigger: { times: 1 } });
    expect(await fetch17(c, id, 5, [])).toMatchObject({ errorCode: ERR.INVALID_FETCH_SESSION_EPOCH, sessionId: 0, responses: [] });
    expect(await fetch17(c, id, 5, [])).toMatchObject({ errorCode: 0, sessionId: id });
    const applied = h.journal.query({}).events.filter((e) => e.fault);
    expect(applied.map((e) => e.fault!.action)).toEqual(expect.arrayContaining(['corrupt', 'error']));
  }, 30_000);
});

describe('fetch session ids', () => {
  it('come from the environment seed: the same seed gives the same ids, another seed others', async () => {
    const ids = async (seed: number): Promise<number[]> => {
      const t = await startTwin(kafkaTwin, { topics: [{ name: 'ids', partitions: 1 }] }, { seed });
      try {
        const [host, port] = t.twin.endpoints.bootstrap!.split(':') as [string, string];
        const c = new Connection('ids');
        await c.connect(host, Number(port));
        const [topic] = (await metadataV12.api.async(c, ['ids'], false, false)).topics;
        const out: number[] = [];
        for (let i = 0; i < 3; i++) out.push((await fetch17(c, 0, 0, [{ topicId: topic!.topicId, partitions: [part(0, 0n)] }])).sessionId);
        await c.close();
        return out;
      } finally {
        await t.stop();
      }
    };
    const first = await ids(5);
    expect(new Set(first).size).toBe(3);
    expect(await ids(5)).toEqual(first);
    expect(await ids(6)).not.toEqual(first);
  }, 60_000);
});
