// Issue 11 item 7, the rest of it: every number a Kafka client chooses that sizes memory or work in
// the twin is bounded, each by a limit of src/core/limits.ts answered the way Kafka answers —
// request frame bytes and decoded array elements (connection closed, as for a request Kafka cannot
// read), repeated topics in Metadata (answered once, as Kafka does), Fetch max_bytes (capped like
// Kafka's fetch.max.bytes), group members (GROUP_MAX_SIZE_REACHED), groups (COORDINATOR_NOT_AVAILABLE)
// and what a record batch may decompress to when the twin opens it (kafkaBatchBytes).
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { Limits } from '../../src/core/index.ts';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { ERR } from '../../twins/kafka/protocol/error-codes.ts';
import { Writer } from '../../twins/kafka/protocol/primitives.ts';
import { writeRequestHeader } from '../../twins/kafka/protocol/request-header.ts';
import { gzipSync } from 'node:zlib';
import { compressFrameSync as lz4Compress } from 'lz4-napi';
import { compressSync as snappyCompress } from 'snappy';
import { COMPRESSION, DecompressedTooLarge, decompress } from '../../twins/kafka/protocol/compression.ts';
import { encodeBatch } from '../../twins/kafka/protocol/record-batch.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from '../kafka/support/raw-client.ts';

/** Heap growth allowed around a refused or trimmed request. */
const HEAP_SLACK = 150 * 1024 * 1024;

let h: TwinHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function twin(config: Record<string, unknown>, limits: Partial<Limits> = {}): Promise<{ h: TwinHarness; broker: string }> {
  h = await startTwin(kafkaTwin, config, { limits });
  return { h, broker: h.twin.endpoints.bootstrap! };
}

function closedWithin(c: RawClient, ms: number): Promise<boolean> {
  return Promise.race([c.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

const joinBody = (groupId: string, sessionTimeoutMs = 30_000) => ({
  groupId,
  sessionTimeoutMs,
  rebalanceTimeoutMs: 30_000,
  memberId: '',
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
});

describe('kafka request bounds', () => {
  it('closes a connection whose frame announces more than kafkaRequestBytes, before buffering it', async () => {
    const { broker } = await twin({}, { kafkaRequestBytes: 1024 * 1024 });
    const c = await RawClient.connect(broker);
    const size = Buffer.alloc(4);
    size.writeInt32BE(2 * 1024 * 1024);
    c.writeRaw(Buffer.concat([size, Buffer.alloc(64 * 1024)]));
    expect(await closedWithin(c, 5000)).toBe(true);
    expect(h!.journal.query({}).events.some((e) => e.type === 'malformed' && e.summary.includes('limit kafkaRequestBytes'))).toBe(true);
  });

  it('closes a connection whose request decodes into more than kafkaRequestElements elements; the heap stays small', async () => {
    const { broker } = await twin({});
    // DescribeGroups v5: 8,000,000 empty group ids, one byte each on the wire.
    const n = 8_000_000;
    const w = new Writer();
    writeRequestHeader(w, { apiKey: 15, apiVersion: 5, correlationId: 1, clientId: 'hostile' }, true);
    w.uvarint(n + 1);
    const payload = Buffer.concat([w.toBuffer(), Buffer.alloc(n, 0x01), Buffer.from([0, 0])]);
    const c = await RawClient.connect(broker);
    const before = process.memoryUsage().heapUsed;
    c.writeFrame(payload);
    expect(await closedWithin(c, 10_000)).toBe(true);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(HEAP_SLACK);
    expect(h!.journal.query({}).events.some((e) => e.type === 'malformed' && e.summary.includes('limit kafkaRequestElements'))).toBe(true);
    // The twin still answers other connections.
    const ok = await RawClient.connect(broker);
    expect((await ok.request(15, 5, { groups: ['g'], includeAuthorizedOperations: false })).groups).toHaveLength(1);
    ok.close();
  });

  it('answers a topic repeated 20,000 times in one Metadata request once', async () => {
    const { broker } = await twin({ topics: [{ name: 'wide', partitions: 1000 }] });
    const c = await RawClient.connect(broker);
    const before = process.memoryUsage().heapUsed;
    const meta = await c.request(3, 4, { topics: Array.from({ length: 20_000 }, () => ({ name: 'wide' })), allowAutoTopicCreation: false });
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(HEAP_SLACK);
    expect(meta.topics).toHaveLength(1);
    expect((meta.topics as Array<{ partitions: unknown[] }>)[0]?.partitions).toHaveLength(1000);
    c.close();
  });

  it('caps a Fetch answer at kafkaFetchBytes whatever max_bytes the client asks for', async () => {
    const fetchCap = 64 * 1024;
    const { broker } = await twin({ topics: [{ name: 'big', partitions: 1 }] }, { kafkaFetchBytes: fetchCap });
    const producer = new Kafka({ clientId: 'filler', brokers: [broker], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'big', messages: [{ value: Buffer.alloc(16 * 1024, i) }] });
    await producer.disconnect();
    const c = await RawClient.connect(broker);
    const max = 2 ** 31 - 1;
    const res = await c.request(1, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: max,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'big', partitions: Array.from({ length: 50 }, () => ({ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: max })) }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const parts = (res.responses as Array<{ partitions: Array<{ errorCode: number; records: Buffer | null }> }>)[0]!.partitions;
    const total = parts.reduce((n, p) => n + (p.records?.length ?? 0), 0);
    expect(parts[0]?.errorCode).toBe(ERR.NONE);
    expect(parts[0]?.records?.length).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(fetchCap);
    c.close();
  });

  it('refuses a member past kafkaGroupMembers with GROUP_MAX_SIZE_REACHED; unused MEMBER_ID_REQUIRED ids lapse', async () => {
    const { broker } = await twin({}, { kafkaGroupMembers: 3 });
    const c = await RawClient.connect(broker);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await c.request(11, 5, joinBody('crowd', 200))).errorCode as number);
    expect(codes).toEqual([ERR.MEMBER_ID_REQUIRED, ERR.MEMBER_ID_REQUIRED, ERR.MEMBER_ID_REQUIRED, ERR.GROUP_MAX_SIZE_REACHED]);
    // Ids handed out and never used lapse after the session timeout, as in Kafka: room again.
    let code = ERR.GROUP_MAX_SIZE_REACHED;
    for (const deadline = Date.now() + 5000; code === ERR.GROUP_MAX_SIZE_REACHED && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 100));
      code = (await c.request(11, 5, joinBody('crowd', 200))).errorCode as number;
    }
    expect(code).toBe(ERR.MEMBER_ID_REQUIRED);
    c.close();
  });

  it('refuses a new group past kafkaGroups with COORDINATOR_NOT_AVAILABLE, journaled', async () => {
    const { broker } = await twin({}, { kafkaGroups: 2 });
    const c = await RawClient.connect(broker);
    const codes: number[] = [];
    for (const g of ['one', 'two', 'three']) codes.push((await c.request(11, 5, joinBody(g))).errorCode as number);
    expect(codes).toEqual([ERR.MEMBER_ID_REQUIRED, ERR.MEMBER_ID_REQUIRED, ERR.COORDINATOR_NOT_AVAILABLE]);
    expect(h!.journal.query({}).events.some((e) => e.summary.includes('group three refused') && e.summary.includes('limit kafkaGroups'))).toBe(true);
    c.close();
  });

  it('refuses to decompress a batch body past kafkaBatchBytes, for every codec, before allocating it', () => {
    const max = 1024 * 1024;
    const mib = Buffer.alloc(1024 * 1024);
    // 1 GiB of zeros in about 1 MB: gzip members concatenated.
    const gzipBomb = Buffer.concat(Array.from({ length: 1024 }, () => gzipSync(mib)));
    // lz4: many frames of 4 MiB-block zeros; snappy: a raw block announcing 1 GiB; zstd: 8,192 RLE blocks of 128 KiB.
    const lz4Bomb = Buffer.concat(Array.from({ length: 64 }, () => lz4Compress(mib)));
    const snappyBomb = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04, 0x00]);
    const rle = Buffer.alloc(4);
    rle.writeUIntLE((128 * 1024) << 3 | (1 << 1), 0, 3);
    const blocks = Array.from({ length: 8192 }, (_, i) => (i === 8191 ? Buffer.from([rle[0]! | 1, rle[1]!, rle[2]!, 0]) : rle));
    const zstdBomb = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]), ...blocks]);
    const before = process.memoryUsage();
    for (const [type, bomb] of [[COMPRESSION.gzip, gzipBomb], [COMPRESSION.lz4, lz4Bomb], [COMPRESSION.snappy, snappyBomb], [COMPRESSION.zstd, zstdBomb]] as const) {
      expect(() => decompress(type, bomb, max), `codec ${type}`).toThrow(DecompressedTooLarge);
    }
    const after = process.memoryUsage();
    expect(after.rss - before.rss).toBeLessThan(HEAP_SLACK);
    // Within the limit each codec still decompresses.
    const small = Buffer.from('fits '.repeat(1000));
    expect(decompress(COMPRESSION.gzip, gzipSync(small), max)).toEqual(small);
    expect(decompress(COMPRESSION.lz4, lz4Compress(small), max)).toEqual(small);
    expect(decompress(COMPRESSION.snappy, snappyCompress(small), max)).toEqual(small);
  });

  it('forgets the least recently initialised producer id past kafkaProducerIds: its next batch gets UNKNOWN_PRODUCER_ID', async () => {
    const { broker } = await twin({ topics: [{ name: 'p', partitions: 1 }] }, { kafkaProducerIds: 2 });
    const c = await RawClient.connect(broker);
    const init = async () => (await c.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60_000 })) as { producerId: number; producerEpoch: number };
    const produce = async (p: { producerId: number; producerEpoch: number }, baseSequence: number): Promise<number> => {
      const records = encodeBatch({
        baseOffset: 0,
        baseTimestamp: Date.now(),
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        baseSequence,
        records: [{ attributes: 0, timestampDelta: 0, offsetDelta: 0, key: null, value: Buffer.from('v'), headers: [] }],
      });
      const res = await c.request(0, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'p', partitionData: [{ index: 0, records }] }] });
      return (res.responses as Array<{ partitionResponses: Array<{ errorCode: number }> }>)[0]!.partitionResponses[0]!.errorCode;
    };
    const first = await init();
    expect(await produce(first, 0)).toBe(ERR.NONE);
    const second = await init();
    await init();
    expect(await produce(first, 1)).toBe(ERR.UNKNOWN_PRODUCER_ID);
    expect(await produce(second, 0)).toBe(ERR.NONE);
    c.close();
  });
});

describe('log bytes per twin', () => {
  it('a full log answers KAFKA_STORAGE_ERROR as a full disk would; retention and deleted topics give the room back', async () => {
    const { broker } = await twin({ topics: [{ name: 'fill', partitions: 1 }, { name: 'kept', partitions: 1, config: { 'retention.bytes': '2000' } }] }, { kafkaLogBytes: 64 * 1024 });
    const kafka = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      const value = 'x'.repeat(8 * 1024);
      // A topic whose retention keeps it small never fills the twin.
      for (let i = 0; i < 20; i++) await producer.send({ topic: 'kept', messages: [{ value }] });
      let refused: unknown;
      for (let i = 0; i < 20 && refused === undefined; i++) {
        await producer.send({ topic: 'fill', messages: [{ value }] }).catch((error: unknown) => (refused = error));
      }
      expect((refused as { cause?: { type?: string } }).cause?.type).toBe('KAFKA_STORAGE_ERROR');
      // The twin's own produce action is held to the same bound.
      await expect(h!.twin.actions!.produce!({ topic: 'fill', value: value })).rejects.toThrow(/KAFKA_STORAGE_ERROR/);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: ['fill'] });
      await admin.disconnect();
      await producer.send({ topic: 'kept', messages: [{ value }] });
    } finally {
      await producer.disconnect();
    }
  });
});
