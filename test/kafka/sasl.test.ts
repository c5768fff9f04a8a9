// SASL PLAIN and SCRAM-SHA-256/512 with kafkajs; wrong credentials are refused, and a client that
// skips authentication is disconnected.
import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let h: TwinHarness;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { topics: [{ name: 'secure' }], sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], users: { alice: 's3cret' } } }, { seed: 2 });
});
afterAll(async () => {
  await h?.stop();
});

const client = (sasl?: SASLOptions) =>
  new Kafka({ clientId: 'sasl', brokers: h.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING, sasl, retry: { retries: 0 }, connectionTimeout: 1000, authenticationTimeout: 2000 });

describe('SASL', () => {
  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('%s with the right password produces', async (mechanism) => {
    const producer = client({ mechanism, username: 'alice', password: 's3cret' } as SASLOptions).producer();
    await producer.connect();
    await producer.send({ topic: 'secure', messages: [{ value: mechanism }] });
    await producer.disconnect();
  });

  it.each(['plain', 'scram-sha-256'] as const)('%s with a wrong password is refused', async (mechanism) => {
    const producer = client({ mechanism, username: 'alice', password: 'nope' } as SASLOptions).producer();
    await expect(producer.connect()).rejects.toThrow(/SASL|authentication/i);
  });

  it('a client without SASL is disconnected before any other request is answered', async () => {
    const admin = client().admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect();
    const s = (await h.twin.inspect({ topic: 'secure' })) as { topics: Array<{ partitions: Array<{ records: Array<{ value: string }> }> }> };
    expect(s.topics[0]!.partitions[0]!.records.map((r) => r.value)).toEqual(['plain', 'scram-sha-256', 'scram-sha-512']);
  });

  it.skipIf(spawnSync('kcat', ['-V']).status !== 0).each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])('librdkafka (kcat) authenticates with %s; a wrong password fails', async (mechanism) => {
    const kcat = (password: string): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const args = ['-b', h.twin.endpoints.bootstrap!, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', `sasl.mechanisms=${mechanism}`, '-X', 'sasl.username=alice', '-X', `sasl.password=${password}`, '-L', '-J', '-m', '3'];
        const child = execFile('kcat', args, { timeout: 15_000 }, (e, stdout) => resolve({ code: e ? 1 : 0, out: stdout }));
        child.stdin?.end();
      });
    const ok = await kcat('s3cret');
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.out) as { topics: Array<{ topic: string }> }).topics.map((t) => t.topic)).toContain('secure');
    expect((await kcat('wrong')).code).not.toBe(0);
  });
});
