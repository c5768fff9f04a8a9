// The admin APIs a client reaches for beyond produce and consume, with real clients (kafkajs and
// @platformatic/kafka): config changes that DescribeConfigs shows and the logs obey (retention.ms,
// max.message.bytes, cleanup.policy), DeleteRecords, DescribeCluster, OffsetForLeaderEpoch,
// partition reassignments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Admin as PltAdmin, Connection, alterPartitionReassignmentsV0, describeClusterV1, listPartitionReassignmentsV0, offsetForLeaderEpochV4 } from '@platformatic/kafka';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const TOPIC = 2;
const BROKER = 4;
const SET = 0;
const DELETE = 1;

let h: TwinHarness;
let kafka: Kafka;
let admin: Admin;
let plt: PltAdmin;

/** Everything an error says (kafkajs types and causes, platformatic's nested protocol errors), or undefined. */
async function failureType(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    const said: string[] = [];
    const walk = (x: unknown, depth: number): void => {
      if (!x || typeof x !== 'object' || depth > 6) return;
      for (const [k, v] of Object.entries(x)) {
        if (typeof v === 'string' && k !== 'stack') said.push(v);
        else walk(v, depth + 1);
      }
      // An AggregateError's `errors`, an Error's `message` and `cause` are not enumerable.
      const { message, cause, errors } = x as { message?: string; cause?: unknown; errors?: unknown };
      if (message) said.push(message);
      walk(cause, depth + 1);
      walk(errors, depth + 1);
    };
    walk(e, 0);
    return said.join(' | ');
  }
}

async function describeTopic(name: string): Promise<Map<string, { configValue: string; configSource: number; configSynonyms: Array<{ configName: string; configSource: number }> }>> {
  const res = await admin.describeConfigs({ resources: [{ type: TOPIC, name }], includeSynonyms: true });
  return new Map(res.resources[0]!.configEntries.map((e) => [e.configName, e]));
}

async function send(topic: string, messages: Array<{ key?: string | null; value: string | Buffer; timestamp?: string }>): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

async function offsets(topic: string): Promise<{ low: string; high: string }> {
  const [p] = await admin.fetchTopicOffsets(topic);
  return { low: p!.low, high: p!.high };
}

/** A raw platformatic connection to the broker at `address`. */
async function connection(address: string): Promise<Connection> {
  const c = new Connection('plt-raw');
  const [host, port] = address.split(':');
  await c.connect(host!, Number(port));
  return c;
}

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { brokers: 2, topics: [{ name: 'cfg', partitions: 1 }] }, { seed: 11 });
  const brokers = h.twin.endpoints.bootstrap!.split(',');
  kafka = new Kafka({ clientId: 'admin-apis', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  admin = kafka.admin();
  await admin.connect();
  plt = new PltAdmin({ clientId: 'plt-admin', bootstrapBrokers: brokers });
});
afterAll(async () => {
  await plt?.close();
  await admin?.disconnect();
  await h?.stop();
});

describe('IncrementalAlterConfigs and AlterConfigs', () => {
  it('platformatic: max.message.bytes set on a topic shows in DescribeConfigs and limits producers; DELETE restores the default', async () => {
    await plt.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: 'cfg', configs: [{ name: 'max.message.bytes', configOperation: SET, value: '2000' }] }] });
    expect((await describeTopic('cfg')).get('max.message.bytes')).toMatchObject({ configValue: '2000', configSource: 1 });
    expect(await failureType(send('cfg', [{ value: Buffer.alloc(3000) }]))).toMatch(/MESSAGE_TOO_LARGE/);

    await plt.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: 'cfg', configs: [{ name: 'max.message.bytes', configOperation: DELETE }] }] });
    expect((await describeTopic('cfg')).get('max.message.bytes')).toMatchObject({ configValue: '1048588', configSource: 5 });
    await send('cfg', [{ value: Buffer.alloc(3000) }]);
  }, 30_000);

  it('platformatic: an unknown config or a bad value is INVALID_CONFIG and changes nothing', async () => {
    const unknown = await failureType(plt.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: 'cfg', configs: [{ name: 'no.such.config', configOperation: SET, value: '1' }] }] }));
    expect(unknown).toMatch(/INVALID_CONFIG|Unknown topic config name/);
    const bad = await failureType(plt.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: 'cfg', configs: [{ name: 'retention.ms', configOperation: SET, value: 'soon' }] }] }));
    expect(bad).toMatch(/INVALID_CONFIG|Invalid value soon/);
    expect((await describeTopic('cfg')).get('retention.ms')).toMatchObject({ configValue: '604800000', configSource: 5 });
  });

  it('retention.ms set on a topic deletes the records older than it at once', async () => {
    await admin.createTopics({ topics: [{ topic: 'aging' }] });
    await send('aging', [1000, 2000, 3000].map((t) => ({ value: `old-${t}`, timestamp: String(t) })));
    expect(await offsets('aging')).toEqual({ low: '0', high: '3' });
    await plt.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: 'aging', configs: [{ name: 'retention.ms', configOperation: SET, value: '60000' }] }] });
    expect(await offsets('aging')).toEqual({ low: '3', high: '3' });
    await send('aging', [{ value: 'new' }]);
    expect(await offsets('aging')).toEqual({ low: '3', high: '4' });
  }, 30_000);

  it('kafkajs alterConfigs: cleanup.policy=compact refuses records without a key (INVALID_RECORD) and DeleteRecords (POLICY_VIOLATION)', async () => {
    await admin.createTopics({ topics: [{ topic: 'changelog' }] });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC, name: 'changelog', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    expect((await describeTopic('changelog')).get('cleanup.policy')).toMatchObject({ configValue: 'compact', configSource: 1 });
    expect(await failureType(send('changelog', [{ key: null, value: 'no key' }]))).toMatch(/INVALID_RECORD/);
    await send('changelog', [{ key: 'k', value: 'keyed' }]);
    // kafkajs deleteTopicRecords reads the leaders from metadata it must have loaded already.
    await admin.fetchTopicMetadata({ topics: ['changelog'] });
    expect(await failureType(admin.deleteTopicRecords({ topic: 'changelog', partitions: [{ partition: 0, offset: '1' }] }))).toMatch(/POLICY_VIOLATION|policy/i);
  }, 30_000);

  it('a broker config changed for the whole cluster is what topics fall back to, with its source and synonyms; static ones are refused', async () => {
    await plt.incrementalAlterConfigs({ resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'message.max.bytes', configOperation: SET, value: '1500' }] }] });
    const entry = (await describeTopic('cfg')).get('max.message.bytes')!;
    expect(entry).toMatchObject({ configValue: '1500', configSource: 3 });
    expect(entry.configSynonyms.map((s) => [s.configName, s.configSource])).toEqual([
      ['message.max.bytes', 3],
      ['message.max.bytes', 5],
    ]);
    expect(await failureType(send('cfg', [{ value: Buffer.alloc(2000) }]))).toMatch(/MESSAGE_TOO_LARGE/);
    const refused = await failureType(plt.incrementalAlterConfigs({ resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'log.retention.hours', configOperation: SET, value: '1' }] }] }));
    expect(refused).toMatch(/INVALID_REQUEST|Cannot update these configs dynamically/);
    await plt.incrementalAlterConfigs({ resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'message.max.bytes', configOperation: DELETE }] }] });
    await send('cfg', [{ value: Buffer.alloc(2000) }]);
  }, 30_000);
});

describe('DeleteRecords', () => {
  it('kafkajs deleteTopicRecords: the log starts at the offset given, consumers begin there', async () => {
    await admin.createTopics({ topics: [{ topic: 'trimmed' }] });
    await send('trimmed', ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })));
    await admin.fetchTopicMetadata({ topics: ['trimmed'] });
    await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '3' }] });
    expect(await offsets('trimmed')).toEqual({ low: '3', high: '5' });
    const consumer = kafka.consumer({ groupId: 'trimmed-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'trimmed', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(`${message.offset}:${String(message.value)}`);
            if (seen.length === 2) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(seen).toEqual(['3:d', '4:e']);
    expect(await failureType(admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '9' }] }))).toMatch(/OFFSET_OUT_OF_RANGE|out of range/i);
  }, 30_000);
});

describe('DescribeCluster and OffsetForLeaderEpoch', () => {
  it('platformatic DescribeCluster v1: the cluster id, the controller and every broker that is up', async () => {
    const conn = await connection(h.twin.endpoints.bootstrap!.split(',')[1]!);
    const res = await describeClusterV1.api.async(conn, false, 1);
    await conn.close();
    expect(res.errorCode).toBe(0);
    expect(res.clusterId).toBe('standin-kafka');
    expect(res.controllerId).toBe(0);
    expect(res.brokers.map((b) => b.brokerId).sort()).toEqual([0, 1]);
  });

  it('platformatic OffsetForLeaderEpoch v4: an old epoch ends where the next leader began', async () => {
    await admin.createTopics({ topics: [{ topic: 'epochs' }] });
    await send('epochs', [{ value: 'a' }, { value: 'b' }]);
    await h.twin.actions!['move-leader']!({ topic: 'epochs', partition: 0 });
    await send('epochs', [{ value: 'c' }]);
    const meta = await admin.fetchTopicMetadata({ topics: ['epochs'] });
    const leader = meta.topics[0]!.partitions[0]!.leader;
    const conn = await connection(h.twin.endpoints.bootstrap!.split(',')[leader]!);
    const ask = async (leaderEpoch: number) => {
      const res = await offsetForLeaderEpochV4.api.async(conn, -1, [{ name: 'epochs', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 1, leaderEpoch }] }]);
      const p = res.topics[0]!.partitions[0]!;
      return [p.errorCode, p.leaderEpoch, Number(p.endOffset)];
    };
    expect(await ask(0)).toEqual([0, 0, 2]);
    expect(await ask(1)).toEqual([0, 1, 3]);
    expect(await ask(5)).toEqual([0, -1, -1]);
    await conn.close();
  }, 30_000);
});

describe('partition reassignments', () => {
  it('platformatic AlterPartitionReassignments v0: replicas move at once, the leader follows, bad lists are refused', async () => {
    await admin.createTopics({ topics: [{ topic: 'moving', replicaAssignment: [{ partition: 0, replicas: [0] }] }] });
    const conn = await connection(h.twin.endpoints.bootstrap!.split(',')[0]!);
    const alter = (replicas: number[]) => alterPartitionReassignmentsV0.api.async(conn, 5000, false, [{ name: 'moving', partitions: [{ partitionIndex: 0, replicas }] }]);
    expect((await alter([1])).responses[0]!.partitions[0]!.errorCode).toBe(0);
    const meta = await admin.fetchTopicMetadata({ topics: ['moving'] });
    expect(meta.topics[0]!.partitions[0]).toMatchObject({ leader: 1, replicas: [1] });
    // platformatic rejects an answer carrying an error code, with Kafka's description of it.
    expect(await failureType(alter([9]))).toMatch(/Replica assignment is invalid/);
    expect(await failureType(alter([1, 1]))).toMatch(/Replica assignment is invalid/);
    const listed = await listPartitionReassignmentsV0.api.async(conn, 5000, [{ name: 'moving', partitionIndexes: [0] }]);
    expect(listed).toMatchObject({ errorCode: 0, topics: [] });
    await conn.close();
    await send('moving', [{ value: 'after the move' }]);
    expect(await offsets('moving')).toEqual({ low: '0', high: '1' });
  }, 30_000);
});
