// Delivery correctness through kafkajs (the CI-sized run; bench/kafka.ts does 1,000,000):
// fault-free → 0 lost, 0 duplicated, per-partition order kept; under seeded drop / duplicate rules →
// what the consumer saw equals what the journal says was dropped and duplicated, exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let h: TwinHarness;
let kafka: Kafka;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { topics: [{ name: 'exact', partitions: 3 }, { name: 'lossy', partitions: 3 }] }, { seed: 99 });
  kafka = new Kafka({ clientId: 'correctness', brokers: h.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await h?.stop();
});

async function roundTrip(topic: string, count: number, settleMs: number): Promise<number[]> {
  const consumer = kafka.consumer({ groupId: `g-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: number[] = [];
  await consumer.run({ eachBatch: async ({ batch }) => void seen.push(...batch.messages.map((m) => Number(m.value))) });
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < count; i += 1000) {
    await producer.send({ topic, messages: Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({ key: `key-${(i + j) % 12}`, value: String(i + j) })) });
  }
  await producer.disconnect();
  const end = Date.now() + 20_000;
  while (seen.length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, settleMs));
  await consumer.disconnect();
  return seen;
}

describe('delivery correctness', () => {
  it('20,000 messages across 3 partitions: none lost, none duplicated, order per key kept', async () => {
    const seen = await roundTrip('exact', 20_000, 200);
    expect(seen).toHaveLength(20_000);
    expect(new Set(seen).size).toBe(20_000);
    const last = new Map<number, number>();
    let outOfOrder = 0;
    for (const n of seen) {
      if ((last.get(n % 12) ?? -1) > n) outOfOrder++;
      last.set(n % 12, n);
    }
    expect(outOfOrder).toBe(0);
  });

  it('under seeded drop and duplicate rules the consumer sees exactly what the journal counts', async () => {
    h.addRule({ id: 'drop-5pc', point: 'produce', match: { topic: 'lossy' }, action: { drop: {} }, trigger: { probability: 0.05 } });
    h.addRule({ id: 'dup-5pc', point: 'produce', match: { topic: 'lossy' }, action: { duplicate: {} }, trigger: { probability: 0.05 } });
    const seen = await roundTrip('lossy', 5_000, 1000);
    const dropped = h.journal.query({ type: 'fault', rule: 'drop-5pc' }).events.length;
    const duplicated = h.journal.query({ type: 'fault', rule: 'dup-5pc' }).events.length;
    expect(dropped).toBeGreaterThan(100);
    expect(duplicated).toBeGreaterThan(100);
    expect(new Set(seen).size).toBe(5_000 - dropped);
    expect(seen.length).toBe(5_000 - dropped + duplicated);
  });
});
