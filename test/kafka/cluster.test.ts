// A 3-broker cluster: partitions spread over leaders; moving a leader or taking a broker down sends
// kafkajs (after NOT_LEADER_OR_FOLLOWER / refused connections and a metadata refresh) to the new
// leader. Plus the control-plane actions: produce, create-topic, reset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let h: TwinHarness;
let kafka: Kafka;

interface State {
  brokers: Array<{ nodeId: number; port: number; up: boolean }>;
  topics: Array<{ name: string; partitions: Array<{ partition: number; leader: number; records: Array<{ key: string | null; value: string | null; headers: Record<string, string> }> }> }>;
  groups: unknown[];
}
const state = async (q: Record<string, unknown> = {}): Promise<State> => (await h.twin.inspect(q)) as State;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { brokers: 3, topics: [{ name: 'spread', partitions: 3, replicationFactor: 3 }] }, { seed: 21 });
  kafka = new Kafka({ clientId: 'cluster-test', brokers: h.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 500 } });
});
afterAll(async () => {
  await h?.stop();
});

const refuses = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

describe('three brokers', () => {
  it('exposes three brokers, each leading one partition', async () => {
    expect(h.twin.endpoints.bootstrap!.split(',')).toHaveLength(3);
    const s = await state({ topic: 'spread' });
    expect(s.topics[0]!.partitions.map((p) => p.leader).sort()).toEqual([0, 1, 2]);
  });

  it('follows a moved leader after NOT_LEADER_OR_FOLLOWER', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'spread', messages: [{ value: 'before', partition: 0 }] });
    const moved = (await h.twin.actions!['move-leader']!({ topic: 'spread', partition: 0 })) as { leader: number };
    await producer.send({ topic: 'spread', messages: [{ value: 'after', partition: 0 }] });
    await producer.disconnect();
    const s = await state({ topic: 'spread' });
    expect(s.topics[0]!.partitions[0]!.leader).toBe(moved.leader);
    expect(s.topics[0]!.partitions[0]!.records.map((r) => r.value)).toEqual(['before', 'after']);
    const refused = h.journal.query({ type: 'request' }).events.filter((e) => e.data?.api === 'Produce' && e.data?.error === 'NOT_LEADER_OR_FOLLOWER');
    expect(refused.length).toBeGreaterThanOrEqual(1);
  });

  it('moves traffic to the new leader when a broker goes down, and takes it back up', async () => {
    const before = await state({ topic: 'spread' });
    const victim = before.topics[0]!.partitions[1]!.leader;
    const port = before.brokers[victim]!.port;
    const producer = kafka.producer();
    await producer.connect();
    await h.twin.actions!['broker-down']!({ broker: victim });
    expect(await refuses(port)).toBe(true);
    const after = await state({ topic: 'spread' });
    expect(after.topics[0]!.partitions[1]!.leader).not.toBe(victim);
    await producer.send({ topic: 'spread', messages: [{ value: 'while-down', partition: 1 }] });
    const consumer = kafka.consumer({ groupId: 'g-down', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'spread', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    const end = Date.now() + 10_000;
    while (!seen.includes('while-down') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    await consumer.disconnect();
    expect(seen).toContain('while-down');
    await h.twin.actions!['broker-up']!({ broker: victim });
    expect(await refuses(port)).toBe(false);
    await producer.disconnect();
  });
});

describe('actions', () => {
  it('produce appends a record (keyed partitioning like Java clients) that consumers read', async () => {
    await h.twin.actions!['create-topic']!({ name: 'upstream', partitions: 2 });
    const r = (await h.twin.actions!.produce!({ topic: 'upstream', key: 'order-1', value: '{"id":1}', headers: { source: 'control-plane' } })) as { partition: number; offset: number };
    expect(r.offset).toBe(0);
    const s = await state({ topic: 'upstream' });
    expect(s.topics[0]!.partitions[r.partition]!.records).toEqual([expect.objectContaining({ key: 'order-1', value: '{"id":1}', headers: { source: 'control-plane' } })]);
    const consumer = kafka.consumer({ groupId: 'g-upstream', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'upstream', fromBeginning: true });
    const seen = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) }));
    await consumer.disconnect();
    expect(seen).toBe('{"id":1}');
  });

  it('rebalance forces a new generation; after move-coordinator the old one answers NOT_COORDINATOR and the group follows', async () => {
    const consumer = kafka.consumer({ groupId: 'g-actions', heartbeatInterval: 100, maxWaitTimeInMs: 100 });
    let joins = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => void joins++);
    await consumer.connect();
    await consumer.subscribe({ topic: 'spread', fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    const waitJoins = async (n: number): Promise<void> => {
      const end = Date.now() + 8000;
      while (joins < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    };
    await waitJoins(1);
    await h.twin.actions!.rebalance!({ group: 'g-actions' });
    await waitJoins(2);
    expect(joins).toBe(2);
    const s0 = (await h.twin.inspect({ group: 'g-actions' })) as { groups: Array<{ generation: number; coordinator: number }> };
    const target = (s0.groups[0]!.coordinator + 1) % 3;
    const before = h.journal.lastSeq;
    const moved = (await h.twin.actions!['move-coordinator']!({ group: 'g-actions', to: target })) as { coordinator: number };
    expect(moved.coordinator).toBe(target);
    await h.twin.actions!.rebalance!({ group: 'g-actions' });
    await waitJoins(3);
    expect(joins).toBe(3);
    const after = h.journal.query({ since: before, type: 'request' }).events;
    expect(after.some((e) => e.data?.error === 'NOT_COORDINATOR')).toBe(true);
    expect(after.some((e) => e.data?.api === 'JoinGroup' && e.data?.broker === target && e.data?.errorCode === 0)).toBe(true);
    const s1 = (await h.twin.inspect({ group: 'g-actions' })) as { groups: Array<{ generation: number; coordinator: number }> };
    expect(s1.groups[0]).toMatchObject({ coordinator: target });
    expect(s1.groups[0]!.generation).toBeGreaterThan(s0.groups[0]!.generation);
    await consumer.disconnect();
  });

  it('retention.records keeps only the newest records and moves the log start', async () => {
    await h.twin.actions!['create-topic']!({ name: 'short', partitions: 1, config: { 'retention.records': '5' } });
    for (let i = 0; i < 12; i++) await h.twin.actions!.produce!({ topic: 'short', value: `r${i}`, partition: 0 });
    const s = (await h.twin.inspect({ topic: 'short' })) as { topics: Array<{ partitions: Array<{ logStartOffset: number; records: Array<{ value: string }> }> }> };
    expect(s.topics[0]!.partitions[0]!.records.map((r) => r.value)).toEqual(['r7', 'r8', 'r9', 'r10', 'r11']);
    expect(s.topics[0]!.partitions[0]!.logStartOffset).toBe(7);
  });

  it('reset clears records, groups and created topics back to the configured ones', async () => {
    await h.twin.reset();
    const s = await state();
    expect(s.topics.map((t) => t.name)).toEqual(['spread']);
    expect(s.topics[0]!.partitions.every((p) => p.records.length === 0)).toBe(true);
    expect(s.groups).toEqual([]);
    expect(s.brokers.every((b) => b.up)).toBe(true);
  });
});
