// --advertise-host: twins bind one address (in a container 0.0.0.0) and their endpoints, env vars
// and Kafka's Metadata name the host clients use. Here twins bind 127.0.0.1 and advertise
// `localhost`, and every client connects through what it was handed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

let cp: ControlPlane;
let env: any;

beforeAll(async () => {
  cp = await startControlPlane([], { advertiseHost: 'localhost' });
  env = await cp.createEnv({
    twins: {
      db: { kind: 'postgres' },
      bus: { kind: 'kafka', brokers: 2, topics: [{ name: 'orders', partitions: 2 }] },
      pay: { kind: 'stripe' },
      api: { kind: 'http', stubs: [{ request: { method: 'GET', path: '/ping' }, response: { status: 200, body: 'pong' } }] },
    },
  });
}, 120_000);
afterAll(async () => {
  if (env) await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
  await cp?.[Symbol.asyncDispose]();
});

describe('--advertise-host', () => {
  it('names the advertised host in endpoints and env vars, not the bind address', () => {
    expect(new URL(env.twins.db.endpoints.url).hostname).toBe('localhost');
    expect(new URL(env.twins.api.endpoints.url).hostname).toBe('localhost');
    expect(env.twins.bus.endpoints.bootstrap).toMatch(/^localhost:\d+,localhost:\d+$/);
    expect(env.env.DATABASE_URL).toBe(env.twins.db.endpoints.url);
    expect(env.env.PGHOST).toBe('localhost');
    expect(env.env.STRIPE_HOST).toBe('localhost');
    expect(new URL(env.twins.pay.endpoints.url).hostname).toBe('localhost');
    expect(env.env.KAFKA_BROKERS).toBe(env.twins.bus.endpoints.bootstrap);
  });

  it('hands out a DATABASE_URL that pg connects with', async () => {
    const client = new pg.Client({ connectionString: env.env.DATABASE_URL });
    await client.connect();
    try {
      expect((await client.query('select 1 + 1 as two')).rows[0].two).toBe(2);
    } finally {
      await client.end();
    }
  });

  it('advertises the host in Kafka Metadata, which kafkajs follows to produce and fetch', async () => {
    const kafka = new Kafka({ clientId: 'advertise', brokers: env.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      expect(brokers.map((b) => b.host)).toEqual(['localhost', 'localhost']);
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: [{ key: 'k', value: 'v1' }] });
    await producer.disconnect();
    const seen = await cp.call('GET', `/environments/${env.id}/twins/bus?topic=orders`, { token: env.token });
    expect(JSON.stringify(seen.body)).toContain('v1');
  });

  it('serves the http twin at its advertised url', async () => {
    const response = await fetch(`${env.twins.api.endpoints.url}/ping`);
    expect(await response.text()).toBe('pong');
  });
});
