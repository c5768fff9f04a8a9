// The image's smoke test from the host (run by docker/test-image.sh): a postgres, a kafka and an
// http twin created through the published API port, each used by its real client through the
// endpoints handed out, which name the published twin ports.
// Usage: node docker/smoke-image.mjs <api url> <admin token>
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

const [url, token] = process.argv.slice(2);
const call = async (method, path, body, bearer = token) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
};
const step = async (name, run) => {
  const started = performance.now();
  await run();
  console.log(`  ok  ${name} (${Math.round(performance.now() - started)} ms)`);
};

let env;
await step('POST /environments: postgres, kafka, http', async () => {
  env = await call('POST', '/environments', {
    twins: {
      db: { kind: 'postgres', init: [{ sql: 'create table orders (id int primary key, item text)' }] },
      bus: { kind: 'kafka', topics: [{ name: 'orders', partitions: 1 }] },
      api: { kind: 'http', stubs: [{ request: { method: 'GET', path: '/ping' }, response: { status: 200, body: 'pong' } }] },
    },
  });
  console.log(`      DATABASE_URL=${env.env.DATABASE_URL.replace(/:[^:@/]+@/, ':***@')} KAFKA_BROKERS=${env.env.KAFKA_BROKERS} HTTP_API_URL=${env.env.HTTP_API_URL}`);
});
try {
  await step('postgres: pg through DATABASE_URL', async () => {
    const client = new pg.Client({ connectionString: env.env.DATABASE_URL, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      await client.query("insert into orders values (1, 'tea')");
      const { rows } = await client.query('select item from orders where id = 1');
      if (rows[0]?.item !== 'tea') throw new Error(`read back ${JSON.stringify(rows)}`);
    } finally {
      await client.end();
    }
  });
  await step('kafka: kafkajs produce and consume through KAFKA_BROKERS and the advertised brokers', async () => {
    const kafka = new Kafka({ clientId: 'image-test', brokers: env.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING, connectionTimeout: 10_000 });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: [{ key: '1', value: 'tea' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'image-test' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const value = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
      consumer.run({ eachMessage: async ({ message }) => (clearTimeout(timer), resolve(String(message.value))) }).catch(reject);
    });
    await consumer.disconnect();
    if (value !== 'tea') throw new Error(`consumed ${value}`);
  });
  await step('http: fetch through HTTP_API_URL', async () => {
    const response = await fetch(`${env.env.HTTP_API_URL}/ping`, { signal: AbortSignal.timeout(10_000) });
    const body = await response.text();
    if (body !== 'pong') throw new Error(`GET /ping answered ${response.status} ${body}`);
  });
} finally {
  await call('DELETE', `/environments/${env.id}`, undefined, env.token);
}
