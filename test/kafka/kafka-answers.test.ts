// Answers the twin gives as Kafka 3.9 gives them, seen through real clients (kafkajs, kcat,
// kafka-python): illegal topic names, oversized batches, replica assignments, the full config set
// with sources and synonyms, ListOffsets v0 and lookups by the records' own timestamps.
import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { encodeBatch, resealBatch } from '../../twins/kafka/protocol/record-batch.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

const hasKcat = spawnSync('kcat', ['-V']).status === 0;
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import kafka']).status === 0);
const offsetsScript = new URL('./clients/kafka_python_offsets.py', import.meta.url).pathname;

let h: TwinHarness;
let kafka: Kafka;
let admin: Admin;

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 40_000 }, (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

async function pythonOffsets(...args: Array<string | number>): Promise<unknown> {
  const out = await run(python!, [offsetsScript, ...args.map(String)]);
  if (out.code !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!);
}

interface ClientError {
  type?: string;
  message: string;
  errors?: ClientError[];
  cause?: ClientError;
}

/** The error a promise rejects with (the first of a kafkajs aggregate), or undefined when it resolves. */
async function failure(p: Promise<unknown>): Promise<ClientError | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    const err = e as ClientError;
    return err.errors?.[0] ?? (err.type ? err : (err.cause ?? err));
  }
}

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { brokers: 3, topics: [{ name: 'answers', partitions: 1 }] }, { seed: 12 });
  kafka = new Kafka({ clientId: 'answers', brokers: h.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await h?.stop();
});

describe('illegal topic names', () => {
  it('kafkajs: a send to an illegal name fails with INVALID_TOPIC_EXCEPTION, not retried as unknown', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const e = await failure(producer.send({ topic: 'no spaces allowed', messages: [{ value: 'x' }] }));
    await producer.disconnect();
    expect(e?.type ?? JSON.stringify(e)).toBe('INVALID_TOPIC_EXCEPTION');
    const metadataCalls = h.journal.query({ type: 'request' }).events.filter((ev) => ev.data?.api === 'Metadata' && ev.data?.clientId === 'answers');
    expect(metadataCalls.length).toBeLessThan(5);
  }, 30_000);

  it('kafkajs: CreateTopics refuses an illegal name', async () => {
    const e = await failure(admin.createTopics({ topics: [{ topic: 'bad/name' }] }));
    expect(e?.type ?? JSON.stringify(e)).toBe('INVALID_TOPIC_EXCEPTION');
  });

  it.skipIf(!hasKcat)('kcat: metadata of an illegal name says Invalid topic at once', async () => {
    const out = await run('kcat', ['-b', h.twin.endpoints.bootstrap!, '-L', '-J', '-t', 'bad name']);
    const meta = JSON.parse(out.stdout) as { topics: Array<{ topic: string; error?: string }> };
    expect(meta.topics[0]).toMatchObject({ topic: 'bad name', error: 'Broker: Invalid topic' });
  }, 45_000);
});

describe('max.message.bytes', () => {
  it('kafkajs: a 2 MB record gets MESSAGE_TOO_LARGE (Kafka default 1048588) and nothing is stored', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const e = await failure(producer.send({ topic: 'answers', messages: [{ value: Buffer.alloc(2 * 1024 * 1024, 1) }] }));
    expect(e?.type ?? JSON.stringify(e)).toBe('MESSAGE_TOO_LARGE');
    await producer.send({ topic: 'answers', messages: [{ value: Buffer.alloc(900 * 1024, 1) }] });
    await producer.disconnect();
    const state = (await h.twin.inspect({ topic: 'answers' })) as { topics: Array<{ partitions: Array<{ highWatermark: number }> }> };
    expect(state.topics[0]!.partitions[0]!.highWatermark).toBe(1);
  }, 30_000);

  it("kafkajs: a topic's own max.message.bytes is its limit", async () => {
    await admin.createTopics({ topics: [{ topic: 'small-records', configEntries: [{ name: 'max.message.bytes', value: '2000' }] }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'small-records', messages: [{ value: Buffer.alloc(1000) }] });
    const e = await failure(producer.send({ topic: 'small-records', messages: [{ value: Buffer.alloc(3000) }] }));
    await producer.disconnect();
    expect(e?.type ?? JSON.stringify(e)).toBe('MESSAGE_TOO_LARGE');
  }, 30_000);
});

describe('CreateTopics and CreatePartitions check what they are given', () => {
  it('kafkajs: replica assignments naming unknown brokers, a broker twice or uneven replica counts are INVALID_REPLICA_ASSIGNMENT', async () => {
    const bad = [
      [{ partition: 0, replicas: [7] }],
      [{ partition: 0, replicas: [1, 1] }],
      [{ partition: 0, replicas: [0, 1] }, { partition: 1, replicas: [2] }],
      [{ partition: 1, replicas: [0] }],
    ];
    for (const [i, replicaAssignment] of bad.entries()) {
      const e = await failure(admin.createTopics({ topics: [{ topic: `assigned-${i}`, replicaAssignment }] }));
      expect(e?.type ?? JSON.stringify(e), JSON.stringify(replicaAssignment)).toBe('INVALID_REPLICA_ASSIGNMENT');
    }
  });

  it('kafkajs: a valid assignment puts each partition on the brokers named, the first one leading', async () => {
    await admin.createTopics({
      topics: [{ topic: 'placed', replicaAssignment: [{ partition: 0, replicas: [2, 0] }, { partition: 1, replicas: [1, 2] }] }],
    });
    const meta = await admin.fetchTopicMetadata({ topics: ['placed'] });
    const parts = meta.topics[0]!.partitions.sort((a, b) => a.partitionId - b.partitionId);
    expect(parts.map((p) => [p.leader, p.replicas])).toEqual([
      [2, [2, 0]],
      [1, [1, 2]],
    ]);
  });

  it('kafkajs: numPartitions 0 is INVALID_PARTITIONS', async () => {
    const e = await failure(admin.createTopics({ topics: [{ topic: 'zero', numPartitions: 0 }] }));
    expect(e?.type ?? JSON.stringify(e)).toBe('INVALID_PARTITIONS');
  });

  it('kafkajs: CreatePartitions checks its assignments against the brokers and the topic', async () => {
    const wrong = await failure(admin.createPartitions({ topicPartitions: [{ topic: 'placed', count: 3, assignments: [[5, 0]] }] }));
    expect(wrong?.type ?? JSON.stringify(wrong)).toBe('INVALID_REPLICA_ASSIGNMENT');
    const short = await failure(admin.createPartitions({ topicPartitions: [{ topic: 'placed', count: 4, assignments: [[0, 1]] }] }));
    expect(short?.type ?? JSON.stringify(short)).toBe('INVALID_REPLICA_ASSIGNMENT');
    await admin.createPartitions({ topicPartitions: [{ topic: 'placed', count: 3, assignments: [[0, 1]] }] });
    const meta = await admin.fetchTopicMetadata({ topics: ['placed'] });
    expect(meta.topics[0]!.partitions.find((p) => p.partitionId === 2)?.replicas).toEqual([0, 1]);
  });
});

describe('topic configs in the twin config', () => {
  it('an unknown topic config or a bad value is a config error naming the field', async () => {
    await expect(startTwin(kafkaTwin, { topics: [{ name: 'x', config: { 'no.such.config': '1' } }] })).rejects.toThrow(/topics\[0\]\.config.*Unknown topic config name: no\.such\.config/);
    await expect(startTwin(kafkaTwin, { topics: [{ name: 'x', config: { 'retention.ms': 'soon' } }] })).rejects.toThrow(/topics\[0\]\.config.*Invalid value soon for configuration retention\.ms/);
  });
});

describe('DescribeConfigs', () => {
  it("kafkajs: a topic's every Kafka 3.9 config, defaults with their broker synonyms, overrides as topic configs", async () => {
    await admin.createTopics({ topics: [{ topic: 'described', configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const res = await admin.describeConfigs({ resources: [{ type: 2, name: 'described' }], includeSynonyms: true });
    const entries = res.resources[0]!.configEntries;
    const byName = new Map(entries.map((e) => [e.configName, e]));
    expect(entries.length).toBeGreaterThanOrEqual(35);
    for (const name of ['cleanup.policy', 'compression.type', 'max.message.bytes', 'min.insync.replicas', 'segment.bytes', 'message.timestamp.type', 'unclean.leader.election.enable']) {
      expect(byName.has(name), name).toBe(true);
    }
    expect(byName.get('max.message.bytes')).toMatchObject({ configValue: '1048588', isDefault: true, configSource: 5 });
    expect(byName.get('max.message.bytes')!.configSynonyms).toEqual([{ configName: 'message.max.bytes', configValue: '1048588', configSource: 5 }]);
    expect(byName.get('retention.ms')).toMatchObject({ configValue: '3600000', isDefault: false, configSource: 1 });
    expect(byName.get('retention.ms')!.configSynonyms.map((s) => s.configName)).toEqual(['retention.ms', 'log.retention.hours']);
  });

  it('kafkajs: a broker describes its own configs, read-only where Kafka cannot change them at run time', async () => {
    const res = await admin.describeConfigs({ resources: [{ type: 4, name: '1' }], includeSynonyms: false });
    const byName = new Map(res.resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(byName.size).toBeGreaterThan(100);
    expect(byName.get('message.max.bytes')).toMatchObject({ configValue: '1048588', readOnly: false, isDefault: true });
    expect(byName.get('node.id')).toMatchObject({ configValue: '1', readOnly: true, configSource: 4 });
    expect(byName.get('log.retention.hours')).toMatchObject({ configValue: '168', readOnly: true });
  });
});

describe('ListOffsets', () => {
  it.skipIf(!python)('kafka-python as a 0.10.0 client (ListOffsets v0): beginning and end offsets', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'v0-offsets', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.disconnect();
    expect(await pythonOffsets('v0', h.twin.endpoints.bootstrap!, 'v0-offsets', 0)).toEqual({ beginning: 0, end: 3 });
    expect(h.journal.query({ type: 'request' }).events.some((ev) => ev.data?.api === 'ListOffsets' && ev.data?.version === 0)).toBe(true);
  }, 45_000);

  it.skipIf(!python)("kafka-python offsets_for_times: the first record at or after the time, with that record's timestamp", async () => {
    const producer = kafka.producer();
    await producer.connect();
    // One batch whose records carry their own times.
    await producer.send({ topic: 'by-time', messages: [1000, 2000, 3000].map((t) => ({ value: `at-${t}`, timestamp: String(t) })) });
    await producer.disconnect();
    expect(await pythonOffsets('times', h.twin.endpoints.bootstrap!, 'by-time', 0, 1500)).toEqual({ offset: 1, timestamp: 2000 });
    expect(await pythonOffsets('times', h.twin.endpoints.bootstrap!, 'by-time', 0, 3001)).toBeNull();
  }, 45_000);

  it.skipIf(!python)('a batch whose header says maxTimestamp -1 (sarama 1.22) is found by its records', async () => {
    await admin.createTopics({ topics: [{ topic: 'sarama-times' }] });
    const batch = encodeBatch({
      baseOffset: 0,
      baseTimestamp: 5000,
      records: [0, 1, 2].map((i) => ({ attributes: 0, timestampDelta: i * 100, offsetDelta: i, key: null, value: Buffer.from(`s${i}`), headers: [] })),
    });
    batch.writeBigInt64BE(-1n, 35);
    resealBatch(batch);
    const meta = await admin.fetchTopicMetadata({ topics: ['sarama-times'] });
    const leader = meta.topics[0]!.partitions[0]!.leader;
    const raw = await RawClient.connect(h.twin.endpoints.bootstrap!.split(',')[leader]!);
    const res = (await raw.request(0, 3, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'sarama-times', partitionData: [{ index: 0, records: batch }] }] })) as {
      responses: Array<{ partitionResponses: Array<{ errorCode: number }> }>;
    };
    raw.close();
    expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    expect(await pythonOffsets('times', h.twin.endpoints.bootstrap!, 'sarama-times', 0, 5150)).toEqual({ offset: 2, timestamp: 5200 });
  }, 45_000);

  it.skipIf(!python)('message.timestamp.type=LogAppendTime: records are found by the time the twin appended them', async () => {
    await admin.createTopics({ topics: [{ topic: 'append-time', configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }] });
    const before = Date.now();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'append-time', messages: [{ value: 'old', timestamp: '1000' }] });
    await producer.disconnect();
    const found = (await pythonOffsets('times', h.twin.endpoints.bootstrap!, 'append-time', 0, 2000)) as { offset: number; timestamp: number };
    expect(found.offset).toBe(0);
    expect(found.timestamp).toBeGreaterThanOrEqual(before);
    const consumer = kafka.consumer({ groupId: 'append-time-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'append-time', fromBeginning: true });
    const seen = await new Promise<string>((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(message.timestamp) }).catch(reject);
    });
    await consumer.disconnect();
    expect(Number(seen)).toBe(found.timestamp);
  }, 45_000);
});

describe('TxnOffsetCommit', () => {
  it('an unknown producer id gets INVALID_PRODUCER_ID_MAPPING; kafkajs sendOffsets in a transaction still commits', async () => {
    const producer = kafka.producer({ transactionalId: 'answers-txn', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'answers', messages: [{ value: 'in-txn' }] });
    await txn.sendOffsets({ consumerGroupId: 'txn-group', topics: [{ topic: 'answers', partitions: [{ partition: 0, offset: '1' }] }] });
    await txn.commit();
    await producer.disconnect();
    const offsets = await admin.fetchOffsets({ groupId: 'txn-group', topics: ['answers'] });
    expect(offsets[0]!.partitions[0]!.offset).toBe('1');

    // Every broker is asked, so the group's coordinator answers whichever it is.
    const codes = new Set<number>();
    for (const address of h.twin.endpoints.bootstrap!.split(',')) {
      const raw = await RawClient.connect(address);
      const res = (await raw.request(28, 3, {
        transactionalId: 'answers-txn',
        groupId: 'txn-group',
        producerId: 999_999,
        producerEpoch: 0,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'answers', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }],
      })) as { topics: Array<{ partitions: Array<{ errorCode: number }> }> };
      raw.close();
      codes.add(res.topics[0]!.partitions[0]!.errorCode);
    }
    // 16 NOT_COORDINATOR from the brokers that are not the group's coordinator, 49 from the one that is.
    expect([...codes].sort((a, b) => a - b)).toEqual([16, 49]);
  }, 45_000);
});
