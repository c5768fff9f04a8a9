// kafkajs 2.x producer and consumer against the kafka twin over real sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let h: TwinHarness;
let kafka: Kafka;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { topics: [{ name: 'orders', partitions: 3 }] }, { seed: 7 });
  kafka = new Kafka({ clientId: 'round-trip', brokers: h.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await h?.stop();
});

describe('kafka twin with kafkajs', () => {
  it('round-trips messages across partitions, keyed and in order per partition', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: `v${i}`, headers: { n: String(i) } }));
    for (let i = 0; i < sent.length; i += 10) await producer.send({ topic: 'orders', messages: sent.slice(i, i + 10) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'g-round-trip' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const seen: Array<{ partition: number; offset: number; key: string; value: string; n: string }> = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            seen.push({ partition, offset: Number(message.offset), key: String(message.key), value: String(message.value), n: String(message.headers?.n) });
            if (seen.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    expect(seen.map((s) => s.value).sort()).toEqual(sent.map((s) => s.value).sort());
    expect(new Set(seen.map((s) => s.partition)).size).toBeGreaterThan(1);
    // A key always lands on one partition; within a partition offsets and send order agree.
    for (const key of new Set(seen.map((s) => s.key))) expect(new Set(seen.filter((s) => s.key === key).map((s) => s.partition)).size).toBe(1);
    for (const p of [0, 1, 2]) {
      const inPartition = seen.filter((s) => s.partition === p);
      expect(inPartition.map((s) => Number(s.n))).toEqual([...inPartition.map((s) => Number(s.n))].sort((a, b) => a - b));
      expect(inPartition.map((s) => s.offset)).toEqual(inPartition.map((_, i) => i));
    }
    const state = (await h.twin.inspect({ topic: 'orders' })) as { topics: Array<{ partitions: Array<{ records: unknown[] }> }>; groups: Array<{ id: string; offsets: Array<{ topic: string; offset: number }> }> };
    expect(state.topics[0]!.partitions.reduce((n, p) => n + p.records.length, 0)).toBe(30);
    const committed = state.groups.find((g) => g.id === 'g-round-trip')!.offsets.filter((o) => o.topic === 'orders');
    expect(committed.reduce((n, o) => n + o.offset, 0)).toBe(30);
  });

  it('creates, lists and deletes topics through the admin client', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'admin-made', numPartitions: 4 }] });
    expect(await admin.listTopics()).toContain('admin-made');
    const meta = await admin.fetchTopicMetadata({ topics: ['admin-made'] });
    expect(meta.topics[0]!.partitions).toHaveLength(4);
    const offsets = await admin.fetchTopicOffsets('admin-made');
    expect(offsets.map((o) => o.high)).toEqual(['0', '0', '0', '0']);
    await admin.deleteTopics({ topics: ['admin-made'] });
    expect(await admin.listTopics()).not.toContain('admin-made');
    await admin.disconnect();
  });

  it('journals each request with its api, version and client id', () => {
    const events = h.journal.query({ type: 'request' }).events;
    const apis = new Set(events.map((e) => e.data?.api));
    for (const api of ['ApiVersions', 'Metadata', 'Produce', 'Fetch', 'JoinGroup', 'SyncGroup', 'OffsetCommit']) expect(apis).toContain(api);
    expect(events.find((e) => e.data?.api === 'Produce')?.data).toMatchObject({ version: 7, clientId: 'round-trip' });
  });
});
