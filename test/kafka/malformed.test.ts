// Bad input never crashes the twin: a malformed frame, a wrong size, an unknown API key, an
// unsupported version or an undecodable body closes that connection only; ApiVersions at an
// unsupported version gets the KIP-511 answer. A fuzz run sends ≥100,000 random and mutated frames.
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { createRng, DEFAULT_LIMITS, FaultTimers } from '../../src/core/index.ts';
import { Writer } from '../../twins/kafka/protocol/primitives.ts';
import { writeRequestHeader } from '../../twins/kafka/protocol/request-header.ts';
import { REGISTRY } from '../../twins/kafka/apis/registry.ts';
import { versionTable } from '../../twins/kafka/kafka-version.ts';
import { encodeRequest, isFlexible } from '../../twins/kafka/protocol/schema.ts';
import { Cluster } from '../../twins/kafka/cluster/cluster.ts';
import { FetchSessionCache } from '../../twins/kafka/cluster/fetch-sessions.ts';
import { serveConnection } from '../../twins/kafka/server/connection.ts';
import { encodeBatch } from '../../twins/kafka/protocol/record-batch.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

let h: TwinHarness;
let broker: string;

beforeAll(async () => {
  h = await startTwin(kafkaTwin, { topics: [{ name: 'solid', partitions: 2 }] }, { seed: 9 });
  broker = h.twin.endpoints.bootstrap!;
});
afterAll(async () => {
  await h?.stop();
});

const frame = (payload: Buffer): Buffer => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
};

async function closesAfter(bytes: Buffer): Promise<boolean> {
  const c = await RawClient.connect(broker);
  c.writeRaw(bytes);
  const closed = await Promise.race([c.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
  c.close();
  return closed;
}

async function stillServes(): Promise<void> {
  const c = await RawClient.connect(broker);
  const meta = await c.request(3, 1, { topics: null });
  expect((meta.topics as Array<{ name: string }>).map((t) => t.name)).toContain('solid');
  c.close();
}

/** Valid requests of several APIs, to mutate. */
function seedRequests(): Buffer[] {
  const seeds: Buffer[] = [];
  for (const [key, version, body] of [
    [3, 4, { topics: [{ name: 'solid' }], allowAutoTopicCreation: false }],
    [18, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }],
    [1, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'solid', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] }], forgottenTopicsData: [], rackId: '' }],
    [11, 5, { groupId: 'fz', sessionTimeoutMs: 100, rebalanceTimeoutMs: 100, memberId: 'x', groupInstanceId: null, protocolType: 'consumer', protocols: [] }],
    [12, 3, { groupId: 'fz', generationId: 1, memberId: 'x', groupInstanceId: null }],
    [9, 7, { groupId: 'fz', topics: null, requireStable: false }],
    [0, 7, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'solid', partitionData: [{ index: 0, records: encodeBatch({ baseOffset: 0, baseTimestamp: 1, records: [{ attributes: 0, timestampDelta: 0, offsetDelta: 0, key: null, value: Buffer.from('fuzz'), headers: [] }] }) }] }] }],
    [19, 5, { topics: [{ name: 'fz', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 100, validateOnly: true }],
  ] as const) {
    const spec = REGISTRY.get(key)!.spec;
    const w = new Writer();
    writeRequestHeader(w, { apiKey: key, apiVersion: version, correlationId: 7, clientId: 'fuzz' }, isFlexible(spec, version));
    encodeRequest(spec, w, body as unknown as Record<string, unknown>, version);
    seeds.push(w.toBuffer());
  }
  return seeds;
}

describe('malformed input', () => {
  it('closes the connection on a negative or oversized frame size', async () => {
    expect(await closesAfter(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toBe(true);
    expect(await closesAfter(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0]))).toBe(true);
    await stillServes();
  });

  it('closes on an unknown API key, an unsupported version, a truncated header or body', async () => {
    const header = (key: number, version: number): Buffer => {
      const w = new Writer();
      writeRequestHeader(w, { apiKey: key, apiVersion: version, correlationId: 1, clientId: 'bad' }, false);
      return w.toBuffer();
    };
    expect(await closesAfter(frame(header(999, 0)))).toBe(true);
    expect(await closesAfter(frame(header(0, 99)))).toBe(true);
    expect(await closesAfter(frame(Buffer.from([0, 3, 0])))).toBe(true);
    expect(await closesAfter(frame(Buffer.concat([header(3, 1), Buffer.from([0, 0, 0, 5, 0])])))).toBe(true);
    await stillServes();
  });

  it('answers ApiVersions at an unsupported version in v0 with UNSUPPORTED_VERSION and the ranges (KIP-511)', async () => {
    const c = await RawClient.connect(broker);
    const w = new Writer();
    writeRequestHeader(w, { apiKey: 18, apiVersion: 99, correlationId: 42, clientId: 'future' }, true);
    const got = new Promise<Buffer>((resolve) => c.socket.once('data', resolve));
    c.writeFrame(Buffer.concat([w.toBuffer(), Buffer.from([0, 0, 0])]));
    const reply = await got;
    expect(reply.readInt32BE(4)).toBe(42);
    expect(reply.readInt16BE(8)).toBe(35);
    const count = reply.readInt32BE(10);
    const keys = Array.from({ length: count }, (_, i) => [reply.readInt16BE(14 + i * 6), reply.readInt16BE(16 + i * 6), reply.readInt16BE(18 + i * 6)]);
    expect(keys).toContainEqual([18, 0, 3]);
    expect(keys).toContainEqual([0, 0, 9]);
    expect(c.isOpen).toBe(true);
    c.close();
  });

  it('a malformed frame on one connection leaves another client working', async () => {
    const kafka = new Kafka({ clientId: 'neighbour', brokers: [broker], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    expect(await closesAfter(Buffer.from([0x80, 0, 0, 0]))).toBe(true);
    await producer.send({ topic: 'solid', messages: [{ value: 'still here' }] });
    await producer.disconnect();
  });

  it('survives 100,000 random and mutated frames, each on its own connection', async () => {
    const rng = createRng(2024, 'fuzz');
    const seeds = seedRequests();
    const cluster = new Cluster({
      clusterId: 'fuzz',
      autoCreateTopics: true,
      defaultPartitions: 1,
      limits: DEFAULT_LIMITS,
      now: Date.now,
      onEvent: () => {},
      rng: h.ctx.rng,
    });
    const broker = { nodeId: 0, host: '127.0.0.1', port: 1, up: true };
    cluster.brokers.push(broker);
    cluster.createTopic({ name: 'solid', partitions: 2 });
    const rt = { cluster, broker, twin: h.ctx, config: {}, apis: REGISTRY, versions: versionTable('3.9', REGISTRY), faultTimers: new FaultTimers(), fetchSessions: new FetchSessionCache({ sessions: 1000, partitions: 100_000 }, createRng('fetch-session')) };
    let closed = 0;
    let answered = 0;
    const total = 100_000;
    for (let i = 0; i < total; i++) {
      let payload: Buffer;
      if (rng.next() < 0.3) payload = rng.bytes(rng.int(64));
      else {
        payload = Buffer.from(rng.pick(seeds));
        const mutations = 1 + rng.int(4);
        for (let m = 0; m < mutations; m++) payload[rng.int(payload.length)] = rng.int(256);
        if (rng.next() < 0.2) payload = payload.subarray(0, rng.int(payload.length));
      }
      // An in-memory connection through the same serveConnection the brokers use.
      const socket = new Duplex({ read() {}, write(_chunk, _enc, cb) { answered++; cb(); } });
      socket.on('close', () => closed++);
      serveConnection(socket, { id: i, remoteAddress: '127.0.0.1', remotePort: 0 }, rt);
      socket.push(rng.next() < 0.05 ? rng.bytes(4 + rng.int(8)) : frame(payload));
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
      socket.destroy();
    }
    cluster.stop();
    expect(closed).toBe(total);
    // Sessions a mutated Fetch made went with their connections.
    expect(rt.fetchSessions.size).toBe(0);
    expect(answered).toBeGreaterThan(0);
    await stillServes();
  }, 120_000);

  it('survives mutated frames over TCP', async () => {
    const rng = createRng(7, 'fuzz-tcp');
    const seeds = seedRequests();
    for (let c = 0; c < 200; c++) {
      const client = await RawClient.connect(broker);
      const payload = Buffer.from(rng.pick(seeds));
      payload[rng.int(payload.length)] = rng.int(256);
      client.writeRaw(frame(payload));
      await Promise.race([client.closed, new Promise((r) => setTimeout(r, 5))]);
      client.close();
    }
    await stillServes();
  });
});
