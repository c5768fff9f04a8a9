// `kafkaVersion`: which Kafka the twin answers as. ApiVersions lists that release's ranges (cut to
// what the twin implements), a version outside them closes the connection as Kafka's broker does,
// and clients pinned to old request versions — Produce v0–v2 with message sets, Fetch v0–v3 — work
// against 2.8 and 3.9 and break against 4.0 (KIP-896).
import { execFile, spawnSync } from 'node:child_process';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { IMPLEMENTED } from '../../twins/kafka/apis/implemented.ts';
import { REGISTRY } from '../../twins/kafka/apis/registry.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import kafka']).status === 0);
const hasKcat = spawnSync('kcat', ['-V']).status === 0;
const pinned = new URL('./clients/kafka_python_pinned.py', import.meta.url).pathname;

const twins: Record<string, TwinHarness> = {};
const bootstrap = (v: string): string => twins[v]!.twin.endpoints.bootstrap!;

beforeAll(async () => {
  for (const [i, v] of (['2.8', '3.9', '4.0'] as const).entries()) twins[v] = await startTwin(kafkaTwin, { kafkaVersion: v, topics: [{ name: 'old', partitions: 1 }] }, { seed: 20 + i });
});
afterAll(async () => {
  for (const h of Object.values(twins)) await h.stop();
});

async function apiVersions(v: string): Promise<Map<number, [number, number]>> {
  const raw = await RawClient.connect(bootstrap(v));
  try {
    const res = (await raw.request(18, 0, {})) as { errorCode: number; apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }> };
    expect(res.errorCode).toBe(0);
    return new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
  } finally {
    raw.close();
  }
}

/** One uncompressed message set of `magic` with one message, as a pre-0.11 producer sends it. */
function messageSet(magic: 0 | 1, value: string, timestamp: number): Buffer {
  const v = Buffer.from(value);
  const body = Buffer.alloc(2 + (magic === 1 ? 8 : 0) + 4 + 4 + v.length);
  let p = body.writeInt8(magic, 0);
  p = body.writeInt8(0, p);
  if (magic === 1) p = body.writeBigInt64BE(BigInt(timestamp), p);
  p = body.writeInt32BE(-1, p);
  p = body.writeInt32BE(v.length, p);
  v.copy(body, p);
  const head = Buffer.alloc(16);
  head.writeInt32BE(4 + body.length, 8);
  head.writeUInt32BE(crc32(body), 12);
  return Buffer.concat([head, body]);
}

describe('kafkaVersion', () => {
  it('3.9 (the default) lists exactly the versions the twin implements', async () => {
    const listed = await apiVersions('3.9');
    // Less KIP-848's two APIs: early access in 3.9, listed only when the twin opts in.
    expect(listed.size).toBe(IMPLEMENTED.length - 2);
    for (const [key, h] of REGISTRY) expect(listed.get(key), h.spec.name).toEqual(key === 68 || key === 69 ? undefined : IMPLEMENTED.find((a) => a.name === h.spec.name)?.versions);
    expect(listed.get(0)).toEqual([0, 9]);
    expect(listed.get(1)).toEqual([0, 17]);
  });

  it('2.8 lists what a 2.8 broker answers: Fetch to v12, Metadata to v11, DescribeCluster v0 only', async () => {
    const listed = await apiVersions('2.8');
    expect(listed.get(0)).toEqual([0, 9]);
    expect(listed.get(1)).toEqual([0, 12]);
    expect(listed.get(3)).toEqual([0, 11]);
    expect(listed.get(10)).toEqual([0, 3]);
    expect(listed.get(11)).toEqual([0, 7]);
    expect(listed.get(60)).toEqual([0, 0]);
    // Metadata v12 (Kafka 3.1) is beyond 2.8: the connection is closed.
    const raw = await RawClient.connect(bootstrap('2.8'));
    const sent = raw.request(3, 12, { topics: [{ name: 'old' }], allowAutoTopicCreation: false });
    await expect(sent).rejects.toThrow('connection closed');
    const j = twins['2.8']!.journal.query({ type: 'malformed' }).events;
    expect(j.some((e) => e.summary.includes('Metadata v12 is not served by Kafka 2.8'))).toBe(true);
  });

  it('4.0 drops the versions KIP-896 removed, but lists Produce from v0 (KAFKA-18659) and closes on v0–v2', async () => {
    const listed = await apiVersions('4.0');
    expect(listed.get(0)).toEqual([0, 9]);
    expect(listed.get(1)).toEqual([4, 17]);
    expect(listed.get(2)).toEqual([1, 9]);
    expect(listed.get(8)).toEqual([2, 9]);
    expect(listed.get(11)).toEqual([2, 9]);
    const produceV2 = { acks: 1, timeoutMs: 1000, topicData: [{ name: 'old', partitionData: [{ index: 0, records: messageSet(1, 'v2', 1) }] }] };
    const raw40 = await RawClient.connect(bootstrap('4.0'));
    await expect(raw40.request(0, 2, produceV2)).rejects.toThrow('connection closed');
    const raw39 = await RawClient.connect(bootstrap('3.9'));
    try {
      const res = (await raw39.request(0, 2, produceV2)) as { responses: Array<{ partitionResponses: Array<{ errorCode: number; baseOffset: number }> }> };
      expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    } finally {
      raw39.close();
    }
  });

  it('Produce v0–v2 message sets are stored as batches; Fetch v0–v3 gets them back as message sets of its format', async () => {
    const raw = await RawClient.connect(bootstrap('2.8'));
    try {
      const topicData = (magic: 0 | 1, value: string) => [{ name: 'sets', partitionData: [{ index: 0, records: messageSet(magic, value, 1_600_000_000_000) }] }];
      await raw.request(3, 0, { topics: [{ name: 'sets' }] });
      const p0 = (await raw.request(0, 0, { acks: 1, timeoutMs: 1000, topicData: topicData(0, 'm0') })) as { responses: Array<{ partitionResponses: Array<{ errorCode: number; baseOffset: number }> }> };
      expect(p0.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
      const p2 = (await raw.request(0, 2, { acks: 1, timeoutMs: 1000, topicData: topicData(1, 'm1') })) as typeof p0;
      expect(p2.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 1 });
      // A bad CRC is refused as Kafka refuses it.
      const bad = messageSet(1, 'bad', 1);
      bad.writeUInt32BE((bad.readUInt32BE(12) ^ 1) >>> 0, 12);
      const p3 = (await raw.request(0, 2, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'sets', partitionData: [{ index: 0, records: bad }] }] })) as typeof p0;
      expect(p3.responses[0]!.partitionResponses[0]!.errorCode).toBe(2);

      const fetch = async (v: number): Promise<Buffer> => {
        const res = (await raw.request(1, v, { replicaId: -1, maxWaitMs: 0, minBytes: 0, topics: [{ topic: 'sets', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1e6 }] }] })) as {
          responses: Array<{ partitions: Array<{ errorCode: number; records: Buffer }> }>;
        };
        return res.responses[0]!.partitions[0]!.records;
      };
      const v1 = await fetch(1);
      // Two magic-0 messages: offsets 0 and 1, each with a CRC-32 over magic to the end.
      expect([v1.readBigInt64BE(0), v1.readInt8(16)]).toEqual([0n, 0]);
      const first = 12 + v1.readInt32BE(8);
      expect([v1.readBigInt64BE(first), v1.readInt8(first + 16)]).toEqual([1n, 0]);
      expect(crc32(v1.subarray(16, first))).toBe(v1.readUInt32BE(12));
      expect(v1.subarray(first).toString()).toContain('m1');
      const v3 = await fetch(3);
      // Magic 1 carries the timestamps: none for the magic-0 message (-1), the producer's for the other.
      const second = 12 + v3.readInt32BE(8);
      expect([v3.readInt8(16), v3.readBigInt64BE(18), v3.readBigInt64BE(second + 18)]).toEqual([1, -1n, 1_600_000_000_000n]);
    } finally {
      raw.close();
    }
    const state = (await twins['2.8']!.twin.inspect({ topic: 'sets' })) as { topics: Array<{ partitions: Array<{ records: Array<{ value: string }> }> }> };
    expect(state.topics[0]!.partitions[0]!.records.map((r) => r.value)).toEqual(['m0', 'm1']);
  });

  it.skipIf(!python).each(['0.9', '0.10'])('kafka-python pinned to api_version %s produces, consumes in a group and commits', async (api) => {
    const topic = `py-${api.replace('.', '-')}`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(python!, [pinned, bootstrap('3.9'), topic, `g-${topic}`, api, '4'], { timeout: 40_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))),
    );
    const { seen } = JSON.parse(out.trim().split('\n').at(-1)!) as { seen: Array<{ offset: number; key: string; value: string; timestamp: number | null }> };
    expect(seen.map((s) => [s.offset, s.key, s.value])).toEqual([0, 1, 2, 3].map((i) => [i, `k${i}`, `old-${i}`]));
    // Message format v0 has no timestamps; v1 keeps the producer's.
    expect(seen.map((s) => s.timestamp)).toEqual(api === '0.9' ? [null, null, null, null] : [0, 1, 2, 3].map((i) => 1_700_000_000_000 + i));
    const versions = (name: string): number[] => [...new Set(twins['3.9']!.journal.query({ type: 'request' }).events.filter((e) => e.data?.api === name && String(e.data?.clientId).startsWith('kafka-python')).map((e) => e.data?.version as number))];
    expect(versions('Produce')).toContain(api === '0.9' ? 1 : 2);
    expect(versions('Fetch')).toContain(api === '0.9' ? 1 : 2);
    const state = (await twins['3.9']!.twin.inspect({ group: `g-${topic}` })) as { groups: Array<{ offsets: Array<{ offset: number }> }> };
    expect(state.groups[0]!.offsets[0]!.offset).toBe(4);
  }, 60_000);

  it.skipIf(!hasKcat)('kcat without ApiVersions (broker.version.fallback 0.9.0 and 0.10.0) produces and consumes; against 4.0 it cannot produce', async () => {
    const kcat = (v: string, args: string[], input?: string): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const child = execFile('kcat', ['-b', bootstrap(v), '-X', 'api.version.request=false', ...args], { timeout: 30_000 }, () => {});
        let out = '';
        child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        if (input !== undefined) child.stdin?.end(input);
        child.on('close', (code) => resolve({ code, out }));
      });
    expect((await kcat('3.9', ['-X', 'broker.version.fallback=0.9.0', '-P', '-t', 'kc', '-K:'], 'a:1\nb:2\n')).code).toBe(0);
    expect((await kcat('3.9', ['-X', 'broker.version.fallback=0.10.0', '-P', '-t', 'kc', '-K:', '-z', 'gzip'], 'c:3\n')).code).toBe(0);
    const old = await kcat('3.9', ['-X', 'broker.version.fallback=0.9.0', '-C', '-t', 'kc', '-o', 'beginning', '-e', '-f', '%o %k %s\n']);
    expect(old.out.trim().split('\n')).toEqual(['0 a 1', '1 b 2', '2 c 3']);
    const newer = await kcat('3.9', ['-X', 'broker.version.fallback=0.10.0', '-C', '-t', 'kc', '-o', 'beginning', '-e', '-f', '%o %k %T\n']);
    expect(newer.out.trim().split('\n').map((l) => l.split(' ')[2])).toEqual(['-1', '-1', expect.stringMatching(/^\d{13}$/)]);
    // Kafka 4.0 serves no Produce below v3: the message is never delivered.
    const refused = await kcat('4.0', ['-X', 'broker.version.fallback=0.9.0', '-X', 'message.timeout.ms=3000', '-P', '-t', 'kc', '-K:'], 'd:4\n');
    expect(refused.code).not.toBe(0);
  }, 90_000);
});
