// Issue 11 item 7: a client-chosen partition count must not size the twin's memory. One CreateTopics
// or CreatePartitions asking for millions of partitions used to allocate them all (6,000,000 killed
// the process, 1,000,000 cost +1 GB); now the twin answers as Kafka does — INVALID_PARTITIONS past
// kafkaPartitionsPerTopic, POLICY_VIOLATION past kafkaPartitionsPerCluster, with errorMessage where
// the version has one — and the heap stays small.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { DEFAULT_LIMITS, StandinError } from '../../src/core/index.ts';
import { ERR } from '../../twins/kafka/protocol/error-codes.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from '../kafka/support/raw-client.ts';

const PER_TOPIC = DEFAULT_LIMITS.kafkaPartitionsPerTopic;
const PER_CLUSTER = DEFAULT_LIMITS.kafkaPartitionsPerCluster;
/** Heap growth allowed for a refused request; creating 1,000,000 partitions grew it by about 1 GB. */
const HEAP_SLACK = 150 * 1024 * 1024;

let h: TwinHarness;
let broker: string;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { topics: [{ name: 'existing', partitions: 2 }] });
  broker = h.twin.endpoints.bootstrap!;
});
afterAll(async () => {
  await h?.stop();
});

const admin = () => new Kafka({ clientId: 'hostile-admin', brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();

/** The Kafka error type a kafkajs admin call failed with (unwrapping its retry and aggregate errors). */
async function kafkajsErrorType(call: Promise<unknown>): Promise<string | undefined> {
  const e = (await call.then(() => undefined, (err: unknown) => err)) as { type?: string; originalError?: unknown; errors?: unknown[] } | undefined;
  const inner = (e?.originalError ?? e) as { type?: string; errors?: Array<{ type?: string }> } | undefined;
  return inner?.errors?.[0]?.type ?? inner?.type;
}

async function heapGrowth(fn: () => Promise<void>): Promise<number> {
  const before = process.memoryUsage().heapUsed;
  await fn();
  return process.memoryUsage().heapUsed - before;
}

describe('kafka partition limits', () => {
  it('refuses a kafkajs createTopics of 1,000,000 partitions with INVALID_PARTITIONS, without allocating them', async () => {
    const a = admin();
    await a.connect();
    let type: string | undefined;
    const growth = await heapGrowth(async () => {
      type = await kafkajsErrorType(a.createTopics({ topics: [{ topic: 'huge', numPartitions: 1_000_000 }] }));
    });
    expect(type).toBe('INVALID_PARTITIONS');
    expect(growth).toBeLessThan(HEAP_SLACK);
    expect((await a.listTopics()).includes('huge')).toBe(false);
    await a.disconnect();
  });

  it('refuses a kafkajs createPartitions to 6,000,000 with INVALID_PARTITIONS; the topic keeps its partitions', async () => {
    const a = admin();
    await a.connect();
    let type: string | undefined;
    const growth = await heapGrowth(async () => {
      type = await kafkajsErrorType(a.createPartitions({ topicPartitions: [{ topic: 'existing', count: 6_000_000 }] }));
    });
    expect(type).toBe('INVALID_PARTITIONS');
    expect(growth).toBeLessThan(HEAP_SLACK);
    const [meta] = (await a.fetchTopicMetadata({ topics: ['existing'] })).topics;
    expect(meta?.partitions).toHaveLength(2);
    await a.disconnect();
  });

  it('answers raw CreateTopics v5 with errorMessage naming the limit; 0 partitions is invalid, -1 the default', async () => {
    const c = await RawClient.connect(broker);
    const topic = (name: string, numPartitions: number) => ({ name, numPartitions, replicationFactor: -1, assignments: [], configs: [] });
    const res = await c.request(19, 5, { topics: [topic('six-million', 6_000_000), topic('zero', 0), topic('default', -1)], timeoutMs: 1000, validateOnly: false });
    const [big, zero, dflt] = res.topics as Array<{ errorCode: number; errorMessage: string | null; numPartitions: number }>;
    expect(big).toMatchObject({ errorCode: ERR.INVALID_PARTITIONS, numPartitions: -1 });
    expect(big?.errorMessage).toContain(`(${PER_TOPIC}, limit kafkaPartitionsPerTopic)`);
    expect(zero).toMatchObject({ errorCode: ERR.INVALID_PARTITIONS });
    expect(zero?.errorMessage).toMatch(/non-positive/);
    expect(dflt).toMatchObject({ errorCode: ERR.NONE, errorMessage: null, numPartitions: 1 });
    c.close();
  });

  it('raw CreatePartitions with validateOnly applies the same limit', async () => {
    const c = await RawClient.connect(broker);
    const res = await c.request(37, 1, { topics: [{ name: 'existing', count: 2 ** 31 - 1, assignments: null }], timeoutMs: 1000, validateOnly: true });
    expect(res.results).toMatchObject([{ name: 'existing', errorCode: ERR.INVALID_PARTITIONS }]);
    c.close();
  });

  it(`refuses partitions past ${PER_CLUSTER} across the twin with POLICY_VIOLATION; deleting topics frees room`, async () => {
    const c = await RawClient.connect(broker);
    const used = ((await c.request(3, 1, { topics: null })).topics as Array<{ partitions: unknown[] }>).reduce((n, t) => n + t.partitions.length, 0);
    // Topics that fill the twin exactly, then one partition more.
    const sizes: number[] = [];
    for (let left = PER_CLUSTER - used; left > 0; left -= PER_TOPIC) sizes.push(Math.min(PER_TOPIC, left));
    sizes.push(1);
    const names = sizes.map((_, i) => `filler-${i}`);
    const topics = sizes.map((numPartitions, i) => ({ name: names[i], numPartitions, replicationFactor: 1, assignments: [], configs: [] }));
    const res = (await c.request(19, 5, { topics, timeoutMs: 1000 })).topics as Array<{ errorCode: number; errorMessage: string | null }>;
    expect(res.slice(0, -1).map((t) => t.errorCode)).toEqual(sizes.slice(0, -1).map(() => ERR.NONE));
    expect(res.at(-1)?.errorCode).toBe(ERR.POLICY_VIOLATION);
    expect(res.at(-1)?.errorMessage).toContain(`${PER_CLUSTER} partitions across all topics (limit kafkaPartitionsPerCluster`);
    // Auto-creation stops too: the client sees an unknown topic, the journal says why.
    const meta = await c.request(3, 4, { topics: [{ name: 'auto-when-full' }], allowAutoTopicCreation: true });
    expect(meta.topics).toMatchObject([{ name: 'auto-when-full', errorCode: ERR.UNKNOWN_TOPIC_OR_PARTITION }]);
    expect(h.journal.query({}).events.some((e) => e.summary.includes('auto-creation of topic auto-when-full refused'))).toBe(true);
    const deleted = await c.request(20, 1, { topicNames: names.slice(0, -1), timeoutMs: 1000 });
    expect((deleted.responses as Array<{ errorCode: number }>).every((r) => r.errorCode === ERR.NONE)).toBe(true);
    const again = await c.request(19, 5, { topics: [{ name: 'after-delete', numPartitions: PER_TOPIC, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 });
    expect(again.topics).toMatchObject([{ errorCode: ERR.NONE, numPartitions: PER_TOPIC }]);
    c.close();
  });

  it('a configured topic past the limit is a config error naming the field', async () => {
    const error = await startTwin(kafkaTwin, { topics: [{ name: 'ok', partitions: 1 }, { name: 'too-many', partitions: PER_TOPIC + 1 }] }, { name: 'cfg' }).then(
      (t) => t.stop(),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StandinError);
    expect((error as StandinError).code).toBe('STANDIN_ERR_TWIN_CONFIG_INVALID');
    expect((error as StandinError).message).toContain('topics[1].partitions');
    expect((error as StandinError).message).toContain('kafkaPartitionsPerTopic');
  });
});
