// TLS listeners (security protocols SSL and SASL_SSL) with the twin's self-signed certificate as the
// client's CA: kafkajs `ssl.ca` and kcat `security.protocol=ssl` / `sasl_ssl` with `ssl.ca.location`.
// A client that does not trust the certificate, or speaks plaintext to the listener, is refused.
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const hasKcat = spawnSync('kcat', ['-V']).status === 0;
let ssl: TwinHarness;
let saslSsl: TwinHarness;

beforeAll(async () => {
  ssl = await startTwin(kafkaTwin, { brokers: 2, tls: true, topics: [{ name: 'sealed', partitions: 2 }] }, { seed: 40 });
  saslSsl = await startTwin(kafkaTwin, { tls: true, topics: [{ name: 'sealed' }], sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-512'], users: { alice: 's3cret' } } }, { seed: 41, name: 'secure' });
});
afterAll(async () => {
  await ssl?.stop();
  await saslSsl?.stop();
});

const client = (h: TwinHarness, extra: Partial<KafkaConfig>): Kafka =>
  new Kafka({ clientId: 'tls', brokers: h.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000, ...extra });
const ca = (h: TwinHarness): Buffer => readFileSync(h.twin.endpoints.caCert!);

async function roundTrip(kafka: Kafka, topic: string, values: string[]): Promise<string[]> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value, i) => ({ key: `k${i}`, value })) });
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const total = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `g-${topic}-${values[0]}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          seen.push(String(message.value));
          if (seen.length === total) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return seen;
}

describe('TLS listeners', () => {
  it('export the certificate as the CA (endpoint caCert, KAFKA_SSL_CA_LOCATION) and the security protocol', () => {
    expect(ssl.twin.env).toMatchObject({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_LOCATION: ssl.twin.endpoints.caCert, NODE_EXTRA_CA_CERTS: ssl.twin.endpoints.caCert });
    expect(saslSsl.twin.env.KAFKA_SECURITY_PROTOCOL).toBe('SASL_SSL');
    expect(ca(ssl).toString()).toContain('BEGIN CERTIFICATE');
  });

  it('SSL: kafkajs trusting the CA produces and consumes across both brokers (names verified)', async () => {
    const seen = await roundTrip(client(ssl, { ssl: { ca: [ca(ssl)] } }), 'sealed', ['s1', 's2', 's3', 's4']);
    expect(seen.sort()).toEqual(['s1', 's2', 's3', 's4']);
  }, 60_000);

  it('SSL: a client that does not trust the certificate, or speaks plaintext, is refused', async () => {
    const untrusting = client(ssl, { ssl: { ca: [] as Buffer[] } }).admin();
    await expect(untrusting.connect()).rejects.toThrow(/certificate/i);
    const plaintext = client(ssl, {}).admin();
    await expect(plaintext.connect().then(() => plaintext.listTopics())).rejects.toThrow();
    await plaintext.disconnect();
  }, 30_000);

  it('SASL_SSL: kafkajs authenticates over TLS (PLAIN, SCRAM-SHA-512); a wrong password is refused', async () => {
    for (const mechanism of ['plain', 'scram-sha-512'] as const) {
      const seen = await roundTrip(client(saslSsl, { ssl: { ca: [ca(saslSsl)] }, sasl: { mechanism, username: 'alice', password: 's3cret' } as SASLOptions }), 'sealed', [mechanism]);
      expect(seen).toContain(mechanism);
    }
    const wrong = client(saslSsl, { ssl: { ca: [ca(saslSsl)] }, sasl: { mechanism: 'plain', username: 'alice', password: 'nope' } }).admin();
    await expect(wrong.connect()).rejects.toThrow(/SASL|authentication/i);
  }, 60_000);

  it('a reset disconnect fault on a TLS connection resets it; the producer retries and delivers', async () => {
    ssl.addRule({ point: 'request', match: { api: 'Produce' }, action: { disconnect: { reset: true } }, trigger: { times: 1 } });
    const kafka = new Kafka({ clientId: 'tls-retry', brokers: ssl.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING, ssl: { ca: [ca(ssl)] } });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'sealed', messages: [{ key: 'r', value: 'after-reset' }] });
    await producer.disconnect();
    expect(ssl.journal.query({ type: 'request' }).events.some((e) => e.fault?.action === 'disconnect')).toBe(true);
    const state = (await ssl.twin.inspect({ topic: 'sealed' })) as { topics: Array<{ partitions: Array<{ records: Array<{ value: string }> }> }> };
    expect(state.topics[0]!.partitions.flatMap((p) => p.records.map((r) => r.value))).toContain('after-reset');
  }, 60_000);

  it.skipIf(!hasKcat)('kcat: security.protocol=ssl and sasl_ssl with ssl.ca.location produce and consume; without the CA it fails', async () => {
    const kcat = (h: TwinHarness, args: string[], input?: string): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const child = execFile('kcat', ['-b', h.twin.endpoints.bootstrap!, ...args], { timeout: 30_000 }, () => {});
        let out = '';
        child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        child.stdin?.end(input ?? '');
        child.on('close', (code) => resolve({ code, out }));
      });
    const sslArgs = ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ssl.twin.endpoints.caCert}`];
    expect((await kcat(ssl, [...sslArgs, '-P', '-t', 'kc-ssl', '-K:'], 'a:1\nb:2\n')).code).toBe(0);
    const read = await kcat(ssl, [...sslArgs, '-C', '-t', 'kc-ssl', '-o', 'beginning', '-e', '-f', '%k=%s\n']);
    expect(read.out.trim().split('\n').sort()).toEqual(['a=1', 'b=2']);
    const saslArgs = ['-X', 'security.protocol=sasl_ssl', '-X', `ssl.ca.location=${saslSsl.twin.endpoints.caCert}`, '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', 'sasl.username=alice', '-X', 'sasl.password=s3cret'];
    expect((await kcat(saslSsl, [...saslArgs, '-P', '-t', 'kc-sasl'], 'sealed\n')).code).toBe(0);
    expect((await kcat(saslSsl, [...saslArgs, '-C', '-t', 'kc-sasl', '-o', 'beginning', '-e'])).out.trim()).toBe('sealed');
    // Without the CA (the system's roots only), librdkafka refuses the self-signed certificate.
    expect((await kcat(ssl, ['-X', 'security.protocol=ssl', '-L', '-m', '3'])).code).not.toBe(0);
  }, 90_000);
});
