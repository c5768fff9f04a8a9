// Consumer groups with kafkajs: two members split the partitions; the group rebalances when a
// member joins, leaves, or stops heartbeating (a raw member whose session times out).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

let h: TwinHarness;
let kafka: Kafka;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { topics: [{ name: 'work', partitions: 4 }] }, { seed: 3 });
  kafka = new Kafka({ clientId: 'group-test', brokers: h.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await h?.stop();
});

type Assignment = Record<string, number[]>;

/** Starts a consumer and records each assignment it receives. */
async function member(groupId: string, sessionTimeout = 6000): Promise<{ consumer: Consumer; assignments: Assignment[]; messages: string[] }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval: 200, maxWaitTimeInMs: 200, retry: { retries: 10, initialRetryTime: 50 } });
  const assignments: Assignment[] = [];
  const messages: string[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => assignments.push(e.payload.memberAssignment as Assignment));
  await consumer.connect();
  await consumer.subscribe({ topic: 'work', fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(String(message.value)) });
  return { consumer, assignments, messages };
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const total = (a: Assignment | undefined): number => Object.values(a ?? {}).reduce((n, p) => n + p.length, 0);

describe('consumer group', () => {
  it('splits partitions between two members and rebalances when one joins and one leaves', async () => {
    const a = await member('g-split');
    await until(() => total(a.assignments.at(-1)) === 4);
    const b = await member('g-split');
    await until(() => total(a.assignments.at(-1)) === 2 && total(b.assignments.at(-1)) === 2);
    const both = [...(a.assignments.at(-1)!.work ?? []), ...(b.assignments.at(-1)!.work ?? [])].sort();
    expect(both).toEqual([0, 1, 2, 3]);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'work', messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `m${i}` })) });
    await until(() => a.messages.length + b.messages.length === 40);
    expect(a.messages.length).toBeGreaterThan(0);
    expect(b.messages.length).toBeGreaterThan(0);

    const state = (await h.twin.inspect({ group: 'g-split' })) as { groups: Array<{ state: string; generation: number; members: unknown[] }> };
    expect(state.groups[0]).toMatchObject({ state: 'Stable', members: [expect.anything(), expect.anything()] });
    const generation = state.groups[0]!.generation;

    await b.consumer.disconnect();
    await until(() => total(a.assignments.at(-1)) === 4);
    const after = (await h.twin.inspect({ group: 'g-split' })) as { groups: Array<{ generation: number; members: unknown[] }> };
    expect(after.groups[0]!.generation).toBeGreaterThan(generation);
    expect(after.groups[0]!.members).toHaveLength(1);
    await producer.send({ topic: 'work', messages: [{ key: 'late', value: 'after-leave' }] });
    await until(() => a.messages.includes('after-leave'));
    await producer.disconnect();
    await a.consumer.disconnect();
  });

  it('answers MEMBER_ID_REQUIRED first, then removes a member whose session times out', async () => {
    const raw = await RawClient.connect(h.twin.endpoints.bootstrap!.split(',')[0]!);
    const protocols = [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 0, 0, 0, 1, 0, 4, 0x77, 0x6f, 0x72, 0x6b, 0, 0, 0, 0]) }];
    const join = { groupId: 'g-timeout', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols };
    const first = await raw.request(11, 5, join);
    expect(first.errorCode).toBe(79); // MEMBER_ID_REQUIRED
    const second = await raw.request(11, 5, { ...join, memberId: first.memberId });
    expect(second).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId });
    const sync = await raw.request(14, 3, { groupId: 'g-timeout', generationId: 1, memberId: first.memberId, groupInstanceId: null, assignments: [] });
    expect(sync.errorCode).toBe(0);
    // The raw member never heartbeats: after its 1 s session it is gone and kafkajs gets every partition.
    const a = await member('g-timeout');
    await until(() => total(a.assignments.at(-1)) === 4);
    const state = (await h.twin.inspect({ group: 'g-timeout' })) as { groups: Array<{ members: Array<{ memberId: string }> }> };
    expect(state.groups[0]!.members.map((m) => m.memberId)).not.toContain(first.memberId);
    expect(h.journal.query({}).events.some((e) => e.summary.includes('session timed out'))).toBe(true);
    await a.consumer.disconnect();
    raw.close();
  });
});
