// StandinContainer (standin/testcontainers) against the image from docker/Dockerfile: an environment
// created in the container, used through the endpoints it hands out by real clients on this
// machine. Needs a Docker daemon and the image (docker/test-image.sh builds it and runs this file);
// without them the tests are skipped and the reason printed.
import { describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { ImageName, getContainerRuntimeClient } from 'testcontainers';
import { STANDIN_IMAGE, StandinContainer } from '../../src/testcontainers/index.ts';

const image = process.env.STANDIN_IMAGE ?? STANDIN_IMAGE;
// The test stops its container itself (await using). Ryuk, Testcontainers' reaper for crashed runs,
// is an image pulled from Docker Hub, which these machines cannot reach.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

async function whyNot(): Promise<string | undefined> {
  try {
    const client = await getContainerRuntimeClient();
    if (!(await client.image.exists(ImageName.fromString(image)))) return `no image ${image} (build it with docker/test-image.sh)`;
    return undefined;
  } catch (error) {
    return `no Docker daemon answers (${(error as Error).message.split('\n')[0]})`;
  }
}

const skipReason = await whyNot();
if (skipReason) console.warn(`test/container/standin-container.test.ts skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('StandinContainer', () => {
  it('starts an environment whose endpoints and env vars work from the host as handed out', async () => {
    let apiUrl: string;
    {
      await using standin = await new StandinContainer(image)
        .withEnvironment({
          twins: {
            db: { kind: 'postgres' },
            bus: { kind: 'kafka', topics: [{ name: 'orders', partitions: 1 }] },
            api: { kind: 'http', stubs: [{ request: { method: 'GET', path: '/ping' }, response: { status: 200, body: 'pong' } }] },
          },
        })
        .start();
      apiUrl = standin.url;
      const { env } = standin.environment;

      const db = new pg.Client({ connectionString: env.DATABASE_URL });
      await db.connect();
      try {
        expect((await db.query('select 40 + 2 as answer')).rows[0].answer).toBe(42);
      } finally {
        await db.end();
      }

      // kafkajs bootstraps, then follows Metadata's advertised brokers: they must be reachable too.
      const kafka = new Kafka({ clientId: 'standin-container', brokers: env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'orders', messages: [{ key: 'k', value: 'from-the-host' }] });
      await producer.disconnect();
      const state = await standin.environment.twin('bus').inspect({ topic: 'orders' });
      expect(JSON.stringify(state)).toContain('from-the-host');

      expect(await (await fetch(`${env.HTTP_API_URL}/ping`)).text()).toBe('pong');
    }
    // Disposed: the container and its control API are gone.
    await expect(fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  }, 180_000);
});
