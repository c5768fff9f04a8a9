// @platformatic/kafka 1.x (flexible versions throughout) produces and consumes in a group.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let h: TwinHarness;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { topics: [{ name: 'plt', partitions: 2 }] }, { seed: 6 });
});
afterAll(async () => {
  await h?.stop();
});

describe('@platformatic/kafka', () => {
  it('produces and consumes in a group', async () => {
    const bootstrapBrokers = h.twin.endpoints.bootstrap!.split(',');
    const producer = new Producer({ clientId: 'plt-producer', bootstrapBrokers, serializers: stringSerializers });
    await producer.send({ messages: Array.from({ length: 10 }, (_, i) => ({ topic: 'plt', key: `k${i}`, value: `plt-${i}`, headers: { n: String(i) } })) });
    await producer.close();

    const consumer = new Consumer({ groupId: 'plt-group', clientId: 'plt-consumer', bootstrapBrokers, deserializers: stringDeserializers, maxWaitTime: 100 });
    const stream = await consumer.consume({ autocommit: false, topics: ['plt'], mode: 'earliest', sessionTimeout: 10_000, heartbeatInterval: 500 });
    const seen: string[] = [];
    for await (const message of stream) {
      seen.push(String(message.value));
      await message.commit();
      if (seen.length === 10) break;
    }
    await stream.close();
    await consumer.close();
    expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `plt-${i}`).sort());
    const versions = new Set(h.journal.query({ type: 'request' }).events.filter((e) => String(e.data?.clientId).startsWith('plt')).map((e) => `${e.data?.api} v${e.data?.version}`));
    // The newest flexible versions we offer: Fetch by topic id, Metadata v12, JoinGroup v9.
    for (const v of ['Fetch v17', 'Metadata v12', 'JoinGroup v9', 'ApiVersions v3']) expect(versions).toContain(v);
  }, 30_000);
});
