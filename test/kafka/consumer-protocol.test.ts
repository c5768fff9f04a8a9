// The new consumer group protocol (KIP-848) with a client that speaks it: @platformatic/kafka with
// groupProtocol 'consumer' against a 4.0 twin. Members join and leave, the coordinator's assignment
// moves partitions between them, and no partition is ever held by two of them; offsets committed by
// one generation of consumers are where the next one resumes. A classic kafkajs group works beside
// it, and a 3.9 twin does not offer the protocol.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, Producer, stringDeserializers, stringSerializers, type MessagesStream } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

let h: TwinHarness;
let bootstrapBrokers: string[];

beforeAll(async () => {
  // A short heartbeat interval only makes the reconciliation quick; nothing below waits for a time.
  h = await startTwin(kafkaTwin, { kafkaVersion: '4.0', topics: [{ name: 'cp', partitions: 6 }], groupConsumerHeartbeatIntervalMs: 100 }, { seed: 11 });
  bootstrapBrokers = h.twin.endpoints.bootstrap!.split(',');
});
afterAll(async () => {
  await h?.stop();
});

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function produce(from: number, count: number): Promise<void> {
  const producer = new Producer({ clientId: 'cp-producer', bootstrapBrokers, serializers: stringSerializers });
  await producer.send({ messages: Array.from({ length: count }, (_, i) => ({ topic: 'cp', partition: (from + i) % 6, key: `k${from + i}`, value: `m${from + i}` })) });
  await producer.close();
}

interface Member {
  consumer: Consumer<string, string, string, string>;
  stream: MessagesStream<string, string, string, string>;
  seen: string[];
}

async function member(clientId: string, groupId = 'cp-group'): Promise<Member> {
  const consumer = new Consumer({ groupId, clientId, bootstrapBrokers, deserializers: stringDeserializers, maxWaitTime: 100, groupProtocol: 'consumer', retries: 20, retryDelay: 50 });
  const stream = await consumer.consume({ autocommit: false, topics: ['cp'], mode: 'committed', fallbackMode: 'earliest' });
  const seen: string[] = [];
  stream.on('data', (m) => {
    seen.push(String(m.value));
    void Promise.resolve(m.commit()).catch(() => {});
  });
  return { consumer, stream, seen };
}

const owned = (m: Member): string[] => m.consumer.assignments?.flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)) ?? [];

describe('@platformatic/kafka with groupProtocol consumer (KIP-848)', () => {
  it('shares the partitions among members as they join and leave, never two owners at once, and resumes from committed offsets', async () => {
    await produce(0, 60);
    const members: Member[] = [];
    // Each member's own view, checked after every heartbeat any of them gets an answer to.
    const doubles: string[] = [];
    const check = (): void => {
      const all = members.flatMap(owned);
      if (new Set(all).size !== all.length) doubles.push(all.sort().join(','));
    };
    const join = async (clientId: string): Promise<Member> => {
      const m = await member(clientId);
      m.consumer.on('consumer:heartbeat:end', check);
      members.push(m);
      return m;
    };
    const spread = (...ms: Member[]): boolean => {
      const counts = ms.map((m) => owned(m).length);
      return counts.reduce((a, b) => a + b, 0) === 6 && Math.max(...counts) - Math.min(...counts) <= 0;
    };

    const a = await join('cp-a');
    await until(() => owned(a).length === 6, 'the first member owns all six partitions');
    const b = await join('cp-b');
    await until(() => spread(a, b), 'two members own three each');
    const c = await join('cp-c');
    await until(() => spread(a, b, c), 'three members own two each');
    await until(() => new Set([...a.seen, ...b.seen, ...c.seen]).size === 60, 'every message is consumed');

    await c.stream.close();
    await c.consumer.close();
    members.splice(members.indexOf(c), 1);
    await until(() => spread(a, b), 'the two left own three each again');
    expect(doubles).toEqual([]);

    const describe = await RawClient.connect(bootstrapBrokers[0] as string);
    const d = (await describe.request(69, 0, { groupIds: ['cp-group'], includeAuthorizedOperations: false })) as { groups: Array<{ groupState: string; assignorName: string; members: Array<{ clientId: string }> }> };
    expect(d.groups[0]?.assignorName).toBe('uniform');
    expect(d.groups[0]?.members.map((m) => m.clientId).sort()).toEqual(['cp-a', 'cp-b']);
    describe.close();

    // Every message was committed; the group's next members start after them.
    const raw = await RawClient.connect(bootstrapBrokers[0] as string);
    const committed = async (): Promise<number> => {
      const r = (await raw.request(9, 8, { groupId: '', topics: null, requireStable: false, groups: [{ groupId: 'cp-group', topics: null }] })) as {
        groups: Array<{ topics: Array<{ partitions: Array<{ committedOffset: number }> }> }>;
      };
      return (r.groups[0]?.topics ?? []).flatMap((t) => t.partitions).reduce((n, p) => n + Math.max(0, p.committedOffset), 0);
    };
    for (let end = Date.now() + 60_000; (await committed()) < 60; ) {
      if (Date.now() > end) throw new Error('timed out waiting until every message is committed');
      await new Promise((r) => setTimeout(r, 20));
    }
    raw.close();
    for (const m of [a, b]) {
      await m.stream.close();
      await m.consumer.close();
    }
    await produce(60, 6);
    const next = await member('cp-next');
    await until(() => next.seen.length >= 6, 'the new messages arrive');
    expect(next.seen.slice(0, 6).sort()).toEqual(['m60', 'm61', 'm62', 'm63', 'm64', 'm65']);
    await next.stream.close();
    await next.consumer.close();

    const summaries = h.journal.query({ type: 'state' }).events.map((e) => e.summary);
    expect(summaries).toContain('group cp-group is a consumer group');
    expect(summaries.filter((s) => /^group cp-group: member .* joined$/.test(s))).toHaveLength(4);
  }, 120_000);

  it('works beside a classic kafkajs group, which keeps its id from consumer-protocol members', async () => {
    const kafka = new Kafka({ clientId: 'classic', brokers: bootstrapBrokers, logLevel: logLevel.NOTHING });
    const classic = kafka.consumer({ groupId: 'classic-group', heartbeatInterval: 200, maxWaitTimeInMs: 100 });
    await classic.connect();
    await classic.subscribe({ topic: 'cp', fromBeginning: true });
    const seen: string[] = [];
    await classic.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    await until(() => seen.length >= 66, 'the classic group reads every message');

    const raw = await RawClient.connect(bootstrapBrokers[0] as string);
    const listed = (await raw.request(16, 5, { statesFilter: [], typesFilter: [] })) as { groups: Array<{ groupId: string; groupType: string; protocolType: string }> };
    const types = Object.fromEntries(listed.groups.map((g) => [g.groupId, `${g.groupType}/${g.protocolType}`]));
    expect(types).toMatchObject({ 'classic-group': 'classic/consumer', 'cp-group': 'consumer/consumer' });
    raw.close();

    const intruder = new Consumer({ groupId: 'classic-group', clientId: 'intruder', bootstrapBrokers, deserializers: stringDeserializers, groupProtocol: 'consumer', retries: 0 });
    const error = (await intruder.consume({ topics: ['cp'], mode: 'earliest' }).then(
      () => undefined,
      (e: unknown) => e,
    )) as { message: string; errors?: Error[] } | undefined;
    // GROUP_ID_NOT_FOUND, as 4.0 answers a consumer-protocol member of a classic group with members.
    expect(error?.message).toMatch(/ConsumerGroupHeartbeat/);
    expect(error?.errors?.map((e) => e.message)).toContain('The group id does not exist.');
    await intruder.close(true);
    const refused = h.journal.query({ type: 'request' }).events.filter((e) => e.data?.clientId === 'intruder' && e.data?.api === 'ConsumerGroupHeartbeat');
    expect(refused.length).toBeGreaterThan(0);
    await classic.disconnect();
  }, 120_000);
});

describe('a 3.9 twin', () => {
  it('does not offer the consumer protocol to @platformatic/kafka', async () => {
    await using old = await startTwin(kafkaTwin, { kafkaVersion: '3.9', topics: [{ name: 'cp', partitions: 1 }] });
    const consumer = new Consumer({ groupId: 'g39', clientId: 'c39', bootstrapBrokers: old.twin.endpoints.bootstrap!.split(','), deserializers: stringDeserializers, groupProtocol: 'consumer', retries: 0 });
    await expect(consumer.consume({ topics: ['cp'], mode: 'earliest' })).rejects.toThrow(/Unsupported API ConsumerGroupHeartbeat/);
    await consumer.close(true);
  }, 60_000);
});
