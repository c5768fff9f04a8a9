// Idempotent and transactional producers: kafkajs idempotent sends; sequence numbers checked
// (a resent batch is answered with its first offset and stored once, a gap is
// OUT_OF_ORDER_SEQUENCE_NUMBER); transactions commit and abort, with read_committed consumers
// seeing only committed records and offsets committed inside a transaction applied on commit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { encodeBatch } from '../../twins/kafka/protocol/record-batch.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

let h: TwinHarness;
let kafka: Kafka;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { topics: [{ name: 'idem', partitions: 1 }, { name: 'tx', partitions: 2 }] }, { seed: 4 });
  kafka = new Kafka({ clientId: 'producers', brokers: h.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await h?.stop();
});

const values = async (topic: string): Promise<string[]> => {
  const s = (await h.twin.inspect({ topic })) as { topics: Array<{ partitions: Array<{ records: Array<{ value: string }> }> }> };
  return s.topics[0]!.partitions.flatMap((p) => p.records.map((r) => r.value));
};

async function consume(topic: string, groupId: string, readUncommitted: boolean, wait = 1500): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
  await new Promise((r) => setTimeout(r, wait));
  await consumer.disconnect();
  return seen.sort();
}

describe('idempotent producer', () => {
  it('kafkajs idempotent producer gets a producer id and its records are stored once', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 3; i++) await producer.send({ topic: 'idem', messages: [{ value: `i${i}` }, { value: `j${i}` }] });
    await producer.disconnect();
    expect(await values('idem')).toEqual(['i0', 'j0', 'i1', 'j1', 'i2', 'j2']);
    expect(h.journal.query({ type: 'request' }).events.some((e) => e.data?.api === 'InitProducerId' && e.data?.errorCode === 0)).toBe(true);
  });

  it('answers a resent batch with its original offset and a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    await h.twin.actions!['create-topic']!({ name: 'seq', partitions: 1 });
    const raw = await RawClient.connect(h.twin.endpoints.bootstrap!);
    const init = await raw.request(22, 1, { transactionalId: null, transactionTimeoutMs: 1000 });
    const batch = (baseSequence: number, value: string): Buffer =>
      encodeBatch({ baseOffset: 0, baseTimestamp: Date.now(), producerId: init.producerId as number, producerEpoch: 0, baseSequence, records: [{ attributes: 0, timestampDelta: 0, offsetDelta: 0, key: null, value: Buffer.from(value), headers: [] }] });
    const produce = async (records: Buffer) => {
      const r = (await raw.request(0, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'seq', partitionData: [{ index: 0, records }] }] })) as {
        responses: Array<{ partitionResponses: Array<{ errorCode: number; baseOffset: number }> }>;
      };
      return r.responses[0]!.partitionResponses[0]!;
    };
    expect(await produce(batch(0, 'a'))).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await produce(batch(1, 'b'))).toMatchObject({ errorCode: 0, baseOffset: 1 });
    expect(await produce(batch(1, 'b'))).toMatchObject({ errorCode: 0, baseOffset: 1 });
    expect(await produce(batch(5, 'gap'))).toMatchObject({ errorCode: 45 });
    expect(await values('seq')).toEqual(['a', 'b']);
    raw.close();
  });
});

describe('transactions', () => {
  it('commit is visible to read_committed consumers, abort is not; committed offsets apply on commit', async () => {
    const producer = kafka.producer({ transactionalId: 'tx-1', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t1 = await producer.transaction();
    await t1.send({ topic: 'tx', messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
    await t1.sendOffsets({ consumerGroupId: 'tx-group', topics: [{ topic: 'idem', partitions: [{ partition: 0, offset: '4' }] }] });
    await t1.commit();
    const t2 = await producer.transaction();
    await t2.send({ topic: 'tx', messages: [{ value: 'aborted-1' }] });
    await t2.abort();
    await producer.disconnect();

    expect(await consume('tx', 'read-committed', false)).toEqual(['committed-1', 'committed-2']);
    expect(await consume('tx', 'read-uncommitted', true)).toEqual(['aborted-1', 'committed-1', 'committed-2']);
    const s = (await h.twin.inspect({ group: 'tx-group' })) as { groups: Array<{ offsets: Array<{ topic: string; partition: number; offset: number }> }> };
    expect(s.groups[0]!.offsets).toEqual([expect.objectContaining({ topic: 'idem', partition: 0, offset: 4 })]);
    const ends = h.journal.query({ type: 'state' }).events.filter((e) => e.summary.startsWith('transaction tx-1'));
    expect(ends.map((e) => e.summary)).toEqual(['transaction tx-1 committed', 'transaction tx-1 aborted']);
  });

  it('an open transaction holds the last stable offset back', async () => {
    const producer = kafka.producer({ transactionalId: 'tx-open', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t = await producer.transaction();
    await t.send({ topic: 'tx', messages: [{ value: 'pending', partition: 1 }] });
    const s = (await h.twin.inspect({ topic: 'tx' })) as { topics: Array<{ partitions: Array<{ highWatermark: number; lastStableOffset: number }> }> };
    const p1 = s.topics[0]!.partitions[1]!;
    expect(p1.lastStableOffset).toBeLessThan(p1.highWatermark);
    await t.commit();
    await producer.disconnect();
  });

  it('a transaction that outlives its timeout is aborted and its producer fenced', async () => {
    const producer = kafka.producer({ transactionalId: 'tx-slow', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 300, retry: { retries: 1, initialRetryTime: 50 } });
    await producer.connect();
    const t = await producer.transaction();
    await t.send({ topic: 'tx', messages: [{ value: 'expires', partition: 0 }] });
    await new Promise((r) => setTimeout(r, 600));
    await expect(t.commit()).rejects.toThrow();
    await producer.disconnect().catch(() => {});
    const ends = h.journal.query({ type: 'state' }).events.map((e) => e.summary);
    expect(ends).toContain('transaction tx-slow aborted (timed out)');
    expect(await consume('tx', 'after-timeout', false, 1000)).not.toContain('expires');
  });
});
