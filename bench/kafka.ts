// kafka twin with kafkajs 2.x, the twin in its own process so CPU is accounted apart:
//  1. throughput and latency: a producer sends 100,000 × 1 KiB in batches of 100 while a consumer
//     group reads them: messages/s, produce→consume p50/p99, and twin CPU per message vs client CPU
//     per message (goal: the twin is never the bottleneck, twin CPU < client CPU);
//  2. correctness: 1,000,000 messages fault-free across 3 partitions through a consumer group →
//     0 lost, 0 duplicated, per-partition order kept.
//   node bin/run-ts.js bench/kafka.ts     (KAFKA_BENCH_MESSAGES / KAFKA_BENCH_CORRECTNESS to resize)
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { percentile, type BenchRow } from './bench-row.ts';

const MESSAGES = Number(process.env.KAFKA_BENCH_MESSAGES ?? 100_000);
const BATCH = 100;
const CORRECTNESS = Number(process.env.KAFKA_BENCH_CORRECTNESS ?? 1_000_000);
const root = fileURLToPath(new URL('..', import.meta.url));

interface TwinProcess {
  bootstrap: string;
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

async function startTwinProcess(config: Record<string, unknown>): Promise<TwinProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['bin/run-ts.js', 'scripts/kafka/serve.ts', JSON.stringify(config)], { cwd: root });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  const lines: Interface = createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const { bootstrap } = JSON.parse(await next()) as { bootstrap: string };
  return {
    bootstrap,
    async cpu() {
      const reply = next();
      child.stdin.write('cpu\n');
      const { user, system } = JSON.parse(await reply) as { user: number; system: number };
      return user + system;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}

const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function throughput(): Promise<BenchRow[]> {
  const twin = await startTwinProcess({ topics: [{ name: 'bench', partitions: 3 }] });
  const kafka = new Kafka({ clientId: 'bench', brokers: twin.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'bench-group', maxWaitTimeInMs: 100, maxBytes: 10 * 1024 * 1024 });
  const producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: 'bench', fromBeginning: true });
  const latencies: number[] = [];
  let done: () => void = () => {};
  const allConsumed = new Promise<void>((resolve) => (done = resolve));
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ message }) => {
      latencies.push(performance.now() - Number(message.headers?.t));
      if (latencies.length === MESSAGES) done();
    },
  });
  await joined;
  const payload = Buffer.alloc(1024, 'x');
  const twinCpu0 = await twin.cpu();
  const clientCpu0 = cpuNow();
  const started = performance.now();
  for (let i = 0; i < MESSAGES; i += BATCH) {
    const t = String(performance.now());
    await producer.send({ topic: 'bench', acks: -1, messages: Array.from({ length: BATCH }, (_, j) => ({ key: String(i + j), value: payload, headers: { t } })) });
  }
  const produced = performance.now();
  await allConsumed;
  const elapsed = performance.now() - started;
  const twinCpu = (await twin.cpu()) - twinCpu0;
  const clientCpu = cpuNow() - clientCpu0;
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  await twin.stop();
  latencies.sort((a, b) => a - b);
  const twinPer = twinCpu / MESSAGES;
  const clientPer = clientCpu / MESSAGES;
  const r = (n: number, d = 1): number => Number(n.toFixed(d));
  return [
    { name: `kafka twin, kafkajs produce ${MESSAGES} × 1 KiB (batches of ${BATCH})`, unit: 'messages/s', standin: Math.round(MESSAGES / ((produced - started) / 1000)) },
    { name: `kafka twin, kafkajs produce+consume ${MESSAGES} × 1 KiB through a consumer group`, unit: 'messages/s', standin: Math.round(MESSAGES / (elapsed / 1000)) },
    { name: 'kafka twin, produce→consume latency p50', unit: 'ms', standin: r(percentile(latencies, 50)) },
    { name: 'kafka twin, produce→consume latency p99', unit: 'ms', standin: r(percentile(latencies, 99)) },
    {
      name: 'kafka twin CPU per message (own process) vs kafkajs client CPU per message',
      unit: 'µs/message',
      standin: r(twinPer, 2),
      baseline: { name: 'kafkajs producer+consumer', value: r(clientPer, 2) },
      goal: 'twin CPU < client CPU',
      met: twinPer < clientPer,
    },
  ];
}

async function correctness(): Promise<BenchRow[]> {
  const twin = await startTwinProcess({ topics: [{ name: 'exact', partitions: 3 }] });
  const kafka = new Kafka({ clientId: 'bench-exact', brokers: twin.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'exact-group', maxWaitTimeInMs: 100, maxBytes: 20 * 1024 * 1024, maxBytesPerPartition: 5 * 1024 * 1024 });
  const producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: 'exact', fromBeginning: true });
  // Key k (0..29) carries its own sequence; keys hash to partitions, so each partition's stream of
  // each key must come out in order.
  const KEYS = 30;
  const seen = new Uint8Array(CORRECTNESS);
  const lastOfKey = new Int32Array(KEYS).fill(-1);
  let received = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch, heartbeat }) => {
      for (const m of batch.messages) {
        const n = Number(m.value);
        const k = n % KEYS;
        if (seen[n]) duplicated++;
        else seen[n] = 1;
        if (n <= (lastOfKey[k] as number)) outOfOrder++;
        lastOfKey[k] = n;
        received++;
      }
      await heartbeat();
      if (received >= CORRECTNESS) done();
    },
  });
  const started = performance.now();
  const SEND = 5000;
  for (let i = 0; i < CORRECTNESS; i += SEND) {
    const messages = Array.from({ length: Math.min(SEND, CORRECTNESS - i) }, (_, j) => ({ key: `key-${(i + j) % KEYS}`, value: String(i + j) }));
    await producer.send({ topic: 'exact', compression: CompressionTypes.None, messages });
  }
  await Promise.race([finished, new Promise((r) => setTimeout(r, 10_000 + CORRECTNESS / 10))]);
  await new Promise((r) => setTimeout(r, 500));
  const elapsed = performance.now() - started;
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  await twin.stop();
  let lost = 0;
  for (let i = 0; i < CORRECTNESS; i++) if (!seen[i]) lost++;
  const name = `kafka twin, ${CORRECTNESS} messages through kafkajs, 3 partitions, consumer group`;
  return [
    { name: `${name}: lost`, unit: 'messages', standin: lost, goal: '0', met: lost === 0 },
    { name: `${name}: duplicated`, unit: 'messages', standin: duplicated, goal: '0', met: duplicated === 0 },
    { name: `${name}: out of per-partition order`, unit: 'messages', standin: outOfOrder, goal: '0', met: outOfOrder === 0 },
    { name: `${name}: end to end`, unit: 'messages/s', standin: Math.round(CORRECTNESS / (elapsed / 1000)) },
  ];
}

export default async function bench(): Promise<BenchRow[]> {
  return [...(await throughput()), ...(CORRECTNESS > 0 ? await correctness() : [])];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await bench()) {
    const ratio = row.baseline ? ` vs ${row.baseline.name} ${row.baseline.value} ${row.unit} (${(row.standin / row.baseline.value).toFixed(2)}×)` : '';
    const goal = row.goal ? `  goal ${row.goal}: ${row.met ? 'met' : 'NOT met'}` : '';
    console.log(`${row.name}: ${row.standin} ${row.unit}${ratio}${goal}`);
  }
  process.exit(0);
}
