// Each kafka fault as kafkajs observes it: protocol errors in the right response field (retried or
// surfaced), delay, hang, disconnect, and record-level drop / duplicate / corrupt at produce and fetch.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let h: TwinHarness;
let kafka: Kafka;
let topicNo = 0;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { defaultPartitions: 1 }, { seed: 11 });
  kafka = new Kafka({
    clientId: 'faults',
    brokers: h.twin.endpoints.bootstrap!.split(','),
    logLevel: logLevel.NOTHING,
    requestTimeout: 1500,
    retry: { retries: 3, initialRetryTime: 50, maxRetryTime: 300 },
  });
});
afterEach(() => h.faults.clear());
afterAll(async () => {
  await h?.stop();
});

async function withProducer<T>(fn: (p: Producer) => Promise<T>): Promise<T> {
  const p = kafka.producer({ allowAutoTopicCreation: true });
  await p.connect();
  try {
    return await fn(p);
  } finally {
    await p.disconnect();
  }
}

function newTopic(): string {
  return `faults-${++topicNo}`;
}

async function stored(topic: string): Promise<Array<{ value: string | null; corrupt?: true }>> {
  const s = (await h.twin.inspect({ topic })) as { topics: Array<{ partitions: Array<{ records: Array<{ value: string | null; corrupt?: true }> }> }> };
  return s.topics[0]?.partitions.flatMap((p) => p.records) ?? [];
}

async function consumeAll(topic: string, count: number, ms = 8000): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `c-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value === null ? '' : message.value.toString('latin1')) });
  const end = Date.now() + ms;
  while (seen.length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 200));
  await consumer.disconnect();
  return seen;
}

const fired = (rule: string): number => h.journal.query({ type: 'fault', rule }).events.length;

describe('request faults', () => {
  it('NOT_LEADER_OR_FOLLOWER on Produce is retried by kafkajs, and the record is stored once', async () => {
    const topic = newTopic();
    await withProducer((p) => p.send({ topic, messages: [{ value: 'warm-up' }] }));
    h.addRule({ id: 'nl', point: 'request', match: { api: 'Produce', topic }, action: { error: { code: 'NOT_LEADER_OR_FOLLOWER' } }, trigger: { times: 2 } });
    await withProducer((p) => p.send({ topic, messages: [{ value: 'once' }] }));
    expect(fired('nl')).toBe(2);
    expect((await stored(topic)).map((r) => r.value)).toEqual(['warm-up', 'once']);
    const errors = h.journal.query({ type: 'request' }).events.filter((e) => e.fault?.rule === 'nl');
    expect(errors.map((e) => e.data?.error)).toEqual(['NOT_LEADER_OR_FOLLOWER', 'NOT_LEADER_OR_FOLLOWER']);
  });

  it('UNKNOWN_TOPIC_OR_PARTITION that never clears surfaces to the caller', async () => {
    const topic = newTopic();
    await withProducer((p) => p.send({ topic, messages: [{ value: 'first' }] }));
    h.addRule({ id: 'ut', point: 'request', match: { api: 0 }, action: { error: { code: 'UNKNOWN_TOPIC_OR_PARTITION' } } });
    await expect(withProducer((p) => p.send({ topic, messages: [{ value: 'never' }] }))).rejects.toMatchObject({ name: 'KafkaJSNumberOfRetriesExceeded' });
    expect(fired('ut')).toBeGreaterThan(1);
    expect((await stored(topic)).map((r) => r.value)).toEqual(['first']);
  });

  it('an error matched to one partition fails only that partition; the rest of the request is served', async () => {
    const topic = newTopic();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    h.addRule({ id: 'p1', point: 'request', match: { api: 'Produce', topic, partition: 1 }, action: { error: { code: 'INVALID_RECORD' } } });
    await expect(withProducer((p) => p.send({ topic, messages: [{ value: 'to-0', partition: 0 }, { value: 'to-1', partition: 1 }] }))).rejects.toThrow();
    const s = (await h.twin.inspect({ topic })) as { topics: Array<{ partitions: Array<{ records: Array<{ value: string }> }> }> };
    expect(s.topics[0]!.partitions.map((p) => p.records.map((r) => r.value))).toEqual([['to-0'], []]);
  });

  it('delay answers late; hang makes the client time out and retry; disconnect closes the connection', async () => {
    const topic = newTopic();
    await withProducer(async (p) => {
      await p.send({ topic, messages: [{ value: 'a' }] });
      h.addRule({ id: 'slow', point: 'request', match: { api: 'Produce' }, action: { delay: { ms: 400 } }, trigger: { times: 1 } });
      let t = Date.now();
      await p.send({ topic, messages: [{ value: 'b' }] });
      expect(Date.now() - t).toBeGreaterThanOrEqual(380);

      h.addRule({ id: 'hang', point: 'request', match: { api: 'Produce' }, action: { hang: {} }, trigger: { times: 1 } });
      t = Date.now();
      await p.send({ topic, messages: [{ value: 'c' }] });
      expect(Date.now() - t).toBeGreaterThanOrEqual(1400);
      expect(fired('hang')).toBe(1);

      h.addRule({ id: 'cut', point: 'request', match: { api: 'Produce' }, action: { disconnect: {} }, trigger: { times: 1 } });
      await p.send({ topic, messages: [{ value: 'd' }] });
      expect(fired('cut')).toBe(1);
    });
    expect((await stored(topic)).map((r) => r.value)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('disconnect part-way through a Produce answer: the write happened, so a plain retry duplicates and an idempotent one does not', async () => {
    const topic = newTopic();
    await withProducer((p) => p.send({ topic, messages: [{ value: 'first' }] }));
    h.addRule({ id: 'half', point: 'request', match: { api: 'Produce', topic }, action: { disconnect: { after: 'partial-response', bytes: 10 } }, trigger: { times: 1 } });
    await withProducer((p) => p.send({ topic, messages: [{ value: 'plain' }] }));
    expect((await stored(topic)).map((r) => r.value)).toEqual(['first', 'plain', 'plain']);

    h.addRule({ id: 'half-idem', point: 'request', match: { api: 'Produce', topic }, action: { disconnect: { after: 'partial-response', bytes: 10 } }, trigger: { times: 1 } });
    const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idempotent.connect();
    await idempotent.send({ topic, messages: [{ value: 'idempotent' }] });
    await idempotent.disconnect();
    expect((await stored(topic)).map((r) => r.value)).toEqual(['first', 'plain', 'plain', 'idempotent']);
    expect(fired('half') + fired('half-idem')).toBe(2);
  });

  it('REBALANCE_IN_PROGRESS on a heartbeat makes the consumer rejoin in a new generation', async () => {
    const topic = newTopic();
    await withProducer((p) => p.send({ topic, messages: [{ value: 'x' }] }));
    const consumer = kafka.consumer({ groupId: 'g-hb', heartbeatInterval: 100, maxWaitTimeInMs: 100 });
    const joins: number[] = [];
    consumer.on(consumer.events.GROUP_JOIN, (e) => joins.push(e.payload.groupId.length));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    while (joins.length < 1) await new Promise((r) => setTimeout(r, 20));
    h.addRule({ id: 'rb', point: 'request', match: { api: 'Heartbeat', group: 'g-hb' }, action: { error: { code: 'REBALANCE_IN_PROGRESS' } }, trigger: { times: 1 } });
    const end = Date.now() + 5000;
    while (joins.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await consumer.disconnect();
    expect(fired('rb')).toBe(1);
    expect(joins.length).toBeGreaterThanOrEqual(2);
  });
});

describe('group faults', () => {
  it('NOT_COORDINATOR on JoinGroup sends kafkajs back to FindCoordinator, then it joins', async () => {
    const topic = newTopic();
    await withProducer((p) => p.send({ topic, messages: [{ value: 'nc' }] }));
    h.addRule({ id: 'nc', point: 'request', match: { api: 'JoinGroup' }, action: { error: { code: 'NOT_COORDINATOR' } }, trigger: { times: 1 } });
    const before = h.journal.query({ type: 'request' }).events.filter((e) => e.data?.api === 'FindCoordinator').length;
    expect(await consumeAll(topic, 1)).toEqual(['nc']);
    expect(fired('nc')).toBe(1);
    expect(h.journal.query({ type: 'request' }).events.filter((e) => e.data?.api === 'FindCoordinator').length).toBeGreaterThan(before + 1);
  });
});

describe('record faults', () => {
  it('produce drop: acknowledged, never stored; journal count equals what is missing', async () => {
    const topic = newTopic();
    h.addRule({ id: 'drop', point: 'produce', match: { topic }, action: { drop: {} }, trigger: { every: 3 } });
    await withProducer((p) => p.send({ topic, messages: Array.from({ length: 9 }, (_, i) => ({ value: `m${i}` })) }));
    const seen = await consumeAll(topic, 9, 1500);
    expect(fired('drop')).toBe(3);
    expect(seen).toEqual(['m0', 'm1', 'm3', 'm4', 'm6', 'm7']);
  });

  it('produce duplicate: stored twice, consumed twice', async () => {
    const topic = newTopic();
    h.addRule({ id: 'dup', point: 'produce', match: { topic, key: 'twice' }, action: { duplicate: {} } });
    await withProducer((p) => p.send({ topic, messages: [{ key: 'once', value: 'a' }, { key: 'twice', value: 'b' }, { key: 'once', value: 'c' }] }));
    const seen = await consumeAll(topic, 4);
    expect(fired('dup')).toBe(1);
    expect(seen).toEqual(['a', 'b', 'c', 'b']);
  });

  it('fetch corrupt value: a poison message reaches the consumer; the log is untouched', async () => {
    const topic = newTopic();
    await withProducer((p) => p.send({ topic, messages: [{ value: '{"ok":1}' }, { value: '{"ok":2}' }] }));
    h.addRule({ id: 'poison', point: 'fetch', match: { topic }, action: { corrupt: { how: 'value' } }, trigger: { times: 1 } });
    const seen = await consumeAll(topic, 2);
    expect(fired('poison')).toBe(1);
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe('{"ok":1}');
    expect(() => JSON.parse(seen[0]!)).toThrow();
    expect(seen[1]).toBe('{"ok":2}');
    expect((await stored(topic)).map((r) => r.value)).toEqual(['{"ok":1}', '{"ok":2}']);
  });

  it('fetch duplicate: the batch is delivered again and the consumer sees the record twice', async () => {
    const topic = newTopic();
    await withProducer((p) => p.send({ topic, messages: [{ key: 'a', value: 'one' }, { key: 'b', value: 'two' }] }));
    h.addRule({ id: 'fdup', point: 'fetch', match: { topic, key: 'b' }, action: { duplicate: {} }, trigger: { times: 1 } });
    const seen = await consumeAll(topic, 3);
    expect(fired('fdup')).toBe(1);
    expect(seen).toEqual(['one', 'two', 'two']);
  });

  it('fetch drop: the consumer sees exactly what the journal counts', async () => {
    const topic = newTopic();
    await withProducer((p) => p.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ value: `r${i}` })) }));
    h.addRule({ id: 'fdrop', point: 'fetch', match: { topic }, action: { drop: {} }, trigger: { times: 2 } });
    const seen = await consumeAll(topic, 6, 1500);
    expect(seen).toHaveLength(6 - fired('fdrop'));
    expect(fired('fdrop')).toBe(2);
  });

  it('produce delay: acknowledged now, visible to consumers later', async () => {
    const topic = newTopic();
    h.addRule({ id: 'late', point: 'produce', match: { topic }, action: { delay: { ms: 600 } }, trigger: { times: 1 } });
    await withProducer((p) => p.send({ topic, messages: [{ value: 'late' }] }));
    expect(await stored(topic)).toEqual([]);
    await new Promise((r) => setTimeout(r, 800));
    expect((await stored(topic)).map((r) => r.value)).toEqual(['late']);
  });

  it('produce reorder: records of a batch are stored out of order; fetch reorder delivers them out of order', async () => {
    const topic = newTopic();
    h.addRule({ id: 'swap', point: 'produce', match: { topic, key: 'a' }, action: { reorder: { window: 2 } }, trigger: { times: 1 } });
    await withProducer((p) => p.send({ topic, messages: [{ key: 'a', value: 'a' }, { key: 'b', value: 'b' }, { key: 'c', value: 'c' }] }));
    expect((await stored(topic)).map((r) => r.value)).toEqual(['b', 'a', 'c']);
    // Stored b, a, c; the fetch rule moves b one place later, so the consumer sees a, b, c.
    h.addRule({ id: 'fswap', point: 'fetch', match: { topic, key: 'b' }, action: { reorder: { window: 2 } }, trigger: { times: 1 } });
    const seen = await consumeAll(topic, 3);
    expect(fired('fswap')).toBe(1);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('fetch delay: the answer carrying the record comes late', async () => {
    const topic = newTopic();
    await withProducer((p) => p.send({ topic, messages: [{ value: 'slow' }] }));
    h.addRule({ id: 'fdelay', point: 'fetch', match: { topic }, action: { delay: { ms: 700 } }, trigger: { times: 1 } });
    const t = Date.now();
    const seen = await consumeAll(topic, 1);
    expect(seen).toEqual(['slow']);
    expect(Date.now() - t).toBeGreaterThanOrEqual(700);
  });

  it('produce corrupt crc: stored with a bad CRC-32C, which inspect reports', async () => {
    const topic = newTopic();
    h.addRule({ id: 'crc', point: 'produce', match: { topic }, action: { corrupt: { how: 'crc' } }, trigger: { times: 1 } });
    await withProducer((p) => p.send({ topic, messages: [{ value: 'bad' }] }));
    await withProducer((p) => p.send({ topic, messages: [{ value: 'good' }] }));
    expect(await stored(topic)).toEqual([expect.objectContaining({ value: 'bad', corrupt: true }), expect.not.objectContaining({ corrupt: true })]);
  });
});
