// Captures real clients' request bytes as codec fixtures: starts a twin whose brokers advertise a
// recording proxy, drives kafkajs and kcat through it, and writes the first request of each
// (API, version) to apis/<api>/fixtures/v<N>-request.<client>.hex. test/kafka/codec-fixtures.test.ts
// decodes each and re-encodes it byte for byte. Run by hand, then review and keep the files:
//   node bin/run-ts.js scripts/kafka/capture-fixtures.ts
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { IMPLEMENTED } from '../../twins/kafka/apis/implemented.ts';
import { startTwin } from '../../test/support/twin-harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const folderOf = new Map<number, string>();
const keys: Record<string, number> = { Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3, OffsetCommit: 8, OffsetFetch: 9, FindCoordinator: 10, JoinGroup: 11, Heartbeat: 12, LeaveGroup: 13, SyncGroup: 14, DescribeGroups: 15, ListGroups: 16, SaslHandshake: 17, ApiVersions: 18, CreateTopics: 19, DeleteTopics: 20, InitProducerId: 22, AddPartitionsToTxn: 24, AddOffsetsToTxn: 25, EndTxn: 26, TxnOffsetCommit: 28, DescribeConfigs: 32, SaslAuthenticate: 36, CreatePartitions: 37, DeleteGroups: 42 };
for (const api of IMPLEMENTED) folderOf.set(keys[api.name] as number, api.folder);

let client = 'kafkajs';
const written = new Set<string>();

function record(frame: Buffer): void {
  const apiKey = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  const folder = folderOf.get(apiKey);
  if (!folder) return;
  const file = join(here, '../../twins/kafka/apis', folder, 'fixtures', `v${version}-request.${client}.hex`);
  if (written.has(file) || existsSync(file)) return;
  written.add(file);
  mkdirSync(dirname(file), { recursive: true });
  // The correlation id is zeroed so a re-capture gives the same bytes.
  const copy = Buffer.from(frame);
  copy.writeInt32BE(0, 4);
  writeFileSync(file, `${copy.toString('hex').replace(/(.{64})/g, '$1\n')}\n`);
  console.log(`wrote ${file}`);
}

async function proxy(target: () => number): Promise<net.Server> {
  const server = net.createServer((down) => {
    const up = net.connect(target(), '127.0.0.1');
    let pending = Buffer.alloc(0);
    down.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        record(pending.subarray(4, 4 + pending.readInt32BE(0)));
        pending = pending.subarray(4 + pending.readInt32BE(0));
      }
      up.write(chunk);
    });
    up.pipe(down);
    up.on('error', () => down.destroy());
    down.on('error', () => up.destroy());
    down.on('close', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const ports: number[] = [];
const proxies = [await proxy(() => ports[0] as number)];
const proxyPort = (proxies[0]?.address() as net.AddressInfo).port;
const h = await startTwin(kafkaTwin, { topics: [{ name: 'fixtures', partitions: 2 }], advertised: [`127.0.0.1:${proxyPort}`] });
const state = (await h.twin.inspect()) as { brokers: Array<{ port: number }> };
ports.push(state.brokers[0]?.port as number);
const bootstrap = `127.0.0.1:${proxyPort}`;

const kafka = new Kafka({ clientId: 'fixtures', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: 'fixtures-2', numPartitions: 1 }] });
await admin.describeConfigs({ resources: [{ type: 2, name: 'fixtures' }], includeSynonyms: false });
const producer = kafka.producer({ idempotent: true });
await producer.connect();
await producer.send({ topic: 'fixtures', messages: [{ key: 'k', value: 'hello', headers: { h: 'v' } }] });
await producer.disconnect();
const tx = kafka.producer({ transactionalId: 'fixtures-tx', maxInFlightRequests: 1, idempotent: true });
await tx.connect();
const t = await tx.transaction();
await t.send({ topic: 'fixtures', messages: [{ value: 'in-tx' }] });
await t.sendOffsets({ consumerGroupId: 'fixtures-group', topics: [{ topic: 'fixtures', partitions: [{ partition: 0, offset: '1' }] }] });
await t.commit();
await tx.disconnect();
const consumer = kafka.consumer({ groupId: 'fixtures-group', maxWaitTimeInMs: 100 });
await consumer.connect();
await consumer.subscribe({ topic: 'fixtures', fromBeginning: true });
let got = 0;
await consumer.run({ eachMessage: async () => void got++ });
while (got < 1) await new Promise((r) => setTimeout(r, 50));
await consumer.disconnect();
await admin.describeGroups(['fixtures-group']);
await admin.listGroups();
await admin.deleteGroups(['fixtures-group']).catch(() => {});
await admin.createPartitions({ topicPartitions: [{ topic: 'fixtures-2', count: 2 }] });
await admin.deleteTopics({ topics: ['fixtures-2'] });
await admin.disconnect();

client = 'librdkafka';
// Asynchronous: the proxy and the twin run in this process.
const kcat = (args: string[], input?: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = execFile('kcat', ['-b', bootstrap, ...args], { timeout: 20_000 }, (e) => (e ? reject(e) : resolve()));
    child.stdin?.end(input ?? '');
  });
await kcat(['-L']);
await kcat(['-P', '-t', 'fixtures', '-K', ':'], 'a:1\nb:2\n');
await kcat(['-G', 'rd-group', '-X', 'auto.offset.reset=earliest', '-e', 'fixtures']);

await h.stop();
for (const p of proxies) p.close();
process.exit(0);
