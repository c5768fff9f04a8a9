// A request naming a million partitions across tens of thousands of topics, over a real socket
// (@platformatic/kafka's ListOffsets v9): the twin gathers what a fault rule may match on (topics,
// partition indexes) before it answers, and must do so without stalling. Gathered by searching an
// array per partition (growing with the square: 100,000 distinct indexes took 3.4 s), this test's
// million held the event loop for about nine minutes; gathered into sets, the whole test takes a
// few seconds. No clock is read: it asserts the rule's match, and the generous timeout fails it.
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, listOffsetsV9, NetworkError } from '@platformatic/kafka';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const TOPICS = 20_000;
const PER_TOPIC = 50;
/** Topic `i` names partitions i*50 … i*50+49, so every index in the request is a new one. */
const LAST = TOPICS * PER_TOPIC - 1;

let h: TwinHarness | undefined;
let c: Connection | undefined;

afterEach(async () => {
  await c?.close();
  c = undefined;
  await h?.stop();
  h = undefined;
});

describe('request scope', () => {
  it(
    'a ListOffsets naming 1,000,000 partitions of 20,000 topics meets the rule on its last partition',
    async () => {
      // Past the default request bounds on purpose: what is measured is the work per element.
      h = await startTwin(kafkaTwin, {}, { seed: 5, limits: { kafkaRequestElements: 1_100_000, kafkaRequestBytes: 64 * 1024 * 1024 } });
      // A cut rather than an answer: the client would build an error object per refused partition,
      // a million of them, and the cost measured would be the client's.
      const rule = h.addRule({ point: 'request', match: { api: 'ListOffsets', partition: LAST }, action: { disconnect: {} } });
      const [host, port] = h.twin.endpoints.bootstrap!.split(':') as [string, string];
      c = new Connection('scope-test', { requestTimeout: 600_000 });
      c.on('error', () => {});
      await c.connect(host, Number(port));
      const topics = Array.from({ length: TOPICS }, (_, i) => ({
        name: `t${i}`,
        partitions: Array.from({ length: PER_TOPIC }, (_, j) => ({ partitionIndex: i * PER_TOPIC + j, currentLeaderEpoch: -1, timestamp: -1n })),
      }));
      await expect(listOffsetsV9.api.async(c, -1, 0, topics)).rejects.toBeInstanceOf(NetworkError);
      const cut = h.journal.query({ type: 'request' }).events.filter((e) => e.data?.api === 'ListOffsets');
      expect(cut.map((e) => e.fault?.rule)).toEqual([rule.id]);
    },
    60_000,
  );
});
