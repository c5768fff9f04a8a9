// Log compaction (cleanup.policy=compact) and the default retention, read back with kafkajs over
// real sockets. Compaction runs when a segment rolls (segment.bytes, segment.ms) and on the twin's
// `compact` verb; the 7-day default retention.ms at each retention check (every 5 minutes of the
// twin's clock). The twin's clock is moved here, never waited for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const DAY = 86_400_000;
let h: TwinHarness;
let kafka: Kafka;
/** How far the twin's clock is ahead of the machine's. */
let skew = 0;
let groups = 0;

beforeAll(async () => {
  h = await startTwin(
    kafkaTwin,
    {
      topics: [
        { name: 'changelog', config: { 'cleanup.policy': 'compact' } },
        { name: 'rolled', config: { 'cleanup.policy': 'compact', 'segment.bytes': '100' } },
        { name: 'aging' },
      ],
    },
    { seed: 31, now: () => Date.now() + skew },
  );
  kafka = new Kafka({ clientId: 'compaction', brokers: h.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await h?.stop();
});

async function send(topic: string, messages: Array<{ key: string; value: string | null; timestamp?: string }>): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  // One request per message: one batch each, as separate writes of a changelog are.
  for (const m of messages) await producer.send({ topic, messages: [m] });
  await producer.disconnect();
}

/** Everything a consumer from the beginning reads, up to the high watermark. */
async function readAll(topic: string): Promise<Array<{ offset: number; key: string; value: string | null }>> {
  const admin = kafka.admin();
  await admin.connect();
  const { high, low } = (await admin.fetchTopicOffsets(topic))[0]!;
  await admin.disconnect();
  if (high === low) return [];
  const consumer = kafka.consumer({ groupId: `read-${topic}-${groups++}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Array<{ offset: number; key: string; value: string | null }> = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          seen.push({ offset: Number(message.offset), key: String(message.key), value: message.value === null ? null : String(message.value) });
          if (Number(message.offset) === Number(high) - 1) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return seen;
}

const compact = (topic: string) => h.twin.actions!.compact!({ topic }) as Promise<{ partitions: Array<{ removed: number; highWatermark: number }> }>;

describe('log compaction', () => {
  it('the compact verb keeps the last record per key at its offset; a tombstone stays for delete.retention.ms, then goes', async () => {
    await send('changelog', [
      { key: 'a', value: 'a1' },
      { key: 'b', value: 'b1' },
      { key: 'a', value: 'a2' },
      { key: 'b', value: null },
      { key: 'c', value: 'c1' },
    ]);
    expect((await readAll('changelog')).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
    // Records newer than the cleaner's now are left (min.compaction.lag.ms 0 still needs them in the past).
    skew = 1000;
    const first = await compact('changelog');
    expect(first.partitions[0]).toMatchObject({ removed: 2, highWatermark: 5 });
    expect(await readAll('changelog')).toEqual([
      { offset: 2, key: 'a', value: 'a2' },
      { offset: 3, key: 'b', value: null },
      { offset: 4, key: 'c', value: 'c1' },
    ]);
    // Within delete.retention.ms (1 day) a later cleaning keeps the tombstone; after it, it goes.
    expect((await compact('changelog')).partitions[0]!.removed).toBe(0);
    skew += DAY;
    expect((await compact('changelog')).partitions[0]!.removed).toBe(1);
    expect((await readAll('changelog')).map((r) => [r.offset, r.value])).toEqual([
      [2, 'a2'],
      [4, 'c1'],
    ]);
    // New records after the cleaning land after the old high watermark, and are read with the rest.
    await send('changelog', [{ key: 'a', value: 'a3' }]);
    expect((await readAll('changelog')).map((r) => [r.offset, r.value])).toEqual([
      [2, 'a2'],
      [4, 'c1'],
      [5, 'a3'],
    ]);
  }, 60_000);

  it('an append past segment.bytes rolls the segment and cleans what it closed, never the active segment', async () => {
    await send('rolled', [
      { key: 'k', value: '1' },
      { key: 'k', value: '2' },
      { key: 'k', value: '3' },
    ]);
    // Append 2 rolled (closing offset 0), append 3 rolled again (closing 0–1): offset 0 is gone, the
    // newest in the active segment does not hide offset 1 yet.
    expect((await readAll('rolled')).map((r) => [r.offset, r.value])).toEqual([
      [1, '2'],
      [2, '3'],
    ]);
  }, 60_000);

  it('the compact verb refuses a topic without compact in cleanup.policy', async () => {
    await expect(compact('aging')).rejects.toThrow(/no compact in cleanup.policy/);
  });
});

describe('default retention', () => {
  it('retention.ms of 7 days, unset, deletes records older than it at the next retention check (every 5 minutes)', async () => {
    const now = Date.now() + skew;
    await send('aging', [
      { key: 'old', value: 'eight days', timestamp: String(now - 8 * DAY) },
      { key: 'new', value: 'today', timestamp: String(now) },
    ]);
    const offsets = async (): Promise<string> => {
      const admin = kafka.admin();
      await admin.connect();
      const [p] = await admin.fetchTopicOffsets('aging');
      await admin.disconnect();
      return `${p!.low}-${p!.high}`;
    };
    expect(await offsets()).toBe('0-2');
    skew += 4 * 60_000;
    expect(await offsets()).toBe('0-2');
    skew += 60_000;
    expect(await offsets()).toBe('1-2');
    expect((await readAll('aging')).map((r) => r.value)).toEqual(['today']);
  }, 60_000);
});
