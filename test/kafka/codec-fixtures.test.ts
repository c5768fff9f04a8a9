// Codecs against bytes real clients sent (apis/<api>/fixtures/*.hex, captured from kafkajs and
// librdkafka by scripts/kafka/capture-fixtures.ts): every request decodes and re-encodes byte
// for byte; every record batch in a Produce passes its CRC-32C and re-encodes identically. The
// generated schema tables are checked against Kafka's JSON message definitions when present.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/index.ts';
import { REGISTRY } from '../../twins/kafka/apis/registry.ts';
import { IMPLEMENTED } from '../../twins/kafka/apis/implemented.ts';
import { Reader, Writer } from '../../twins/kafka/protocol/primitives.ts';
import { readRequestHeader, writeRequestHeader } from '../../twins/kafka/protocol/request-header.ts';
import { decodeRequest, encodeRequest, isFlexible } from '../../twins/kafka/protocol/schema.ts';
import { crc32c } from '../../twins/kafka/protocol/crc32c.ts';
import { COMPRESSION, canCompress, compress, decompress } from '../../twins/kafka/protocol/compression.ts';
import { compressSync as snappyCompress } from 'snappy';
import { decodeRecords, encodeBatch, splitBatches } from '../../twins/kafka/protocol/record-batch.ts';
import type { ProduceRequest } from '../../twins/kafka/apis/produce/schema.ts';

const apisDir = new URL('../../twins/kafka/apis/', import.meta.url).pathname;
const fixtures = IMPLEMENTED.flatMap((api) => {
  const dir = join(apisDir, api.folder, 'fixtures');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.hex')).map((f) => ({ api: api.name, file: join(dir, f), name: `${api.folder}/${f}` })) : [];
});

const bytesOf = (file: string): Buffer => Buffer.from(readFileSync(file, 'utf8').replace(/\s+/g, ''), 'hex');

describe('codec fixtures', () => {
  it('has fixtures from both kafkajs and librdkafka', () => {
    expect(fixtures.filter((f) => f.name.includes('kafkajs')).length).toBeGreaterThan(15);
    expect(fixtures.filter((f) => f.name.includes('librdkafka')).length).toBeGreaterThan(8);
  });

  it.each(fixtures)('$name decodes and re-encodes byte for byte', ({ file }) => {
    const bytes = bytesOf(file);
    const r = new Reader(bytes);
    const header = readRequestHeader(r);
    const api = REGISTRY.get(header.apiKey)!;
    const flexible = isFlexible(api.spec, header.apiVersion);
    if (flexible) r.taggedFields();
    const body = decodeRequest(api.spec, r, header.apiVersion);
    expect(r.remaining).toBe(0);
    const w = new Writer();
    writeRequestHeader(w, header, flexible);
    encodeRequest(api.spec, w, body, header.apiVersion);
    expect(w.toBuffer().toString('hex')).toBe(bytes.toString('hex'));
  });

  it('produce fixtures: batches pass CRC-32C and re-encode identically', () => {
    const produce = fixtures.filter((f) => f.name.startsWith('produce/'));
    expect(produce.length).toBeGreaterThanOrEqual(2);
    for (const f of produce) {
      const r = new Reader(bytesOf(f.file));
      const header = readRequestHeader(r);
      const req = decodeRequest(REGISTRY.get(0)!.spec, r, header.apiVersion) as unknown as ProduceRequest;
      for (const t of req.topicData) {
        for (const p of t.partitionData) {
          for (const batch of splitBatches(p.records!)) {
            const h = batch.header;
            expect(crc32c(batch.bytes, 21)).toBe(h.crc);
            const records = decodeRecords(batch, DEFAULT_LIMITS.kafkaBatchBytes);
            expect(records).toHaveLength(h.count);
            const again = encodeBatch({
              baseOffset: h.baseOffset,
              baseTimestamp: h.baseTimestamp,
              records,
              attributes: h.attributes,
              partitionLeaderEpoch: h.partitionLeaderEpoch,
              producerId: h.producerId,
              producerEpoch: h.producerEpoch,
              baseSequence: h.baseSequence,
              lastOffsetDelta: h.lastOffsetDelta,
            });
            if ((h.attributes & 7) === 0) expect(again.toString('hex')).toBe(batch.bytes.toString('hex'));
            else expect(decodeRecords({ header: h, bytes: again }, DEFAULT_LIMITS.kafkaBatchBytes)).toEqual(records);
          }
        }
      }
    }
  });

  it('snappy: raw blocks and Java clients\' xerial framing both decompress; lz4 frames and gzip round-trip', () => {
    const data = Buffer.from('record batch body '.repeat(200));
    expect(decompress(COMPRESSION.snappy, compress(COMPRESSION.snappy, data), DEFAULT_LIMITS.kafkaBatchBytes)).toEqual(data);
    const half = data.length / 2;
    const blocks = [data.subarray(0, half), data.subarray(half)].map((b) => {
      const block = snappyCompress(b);
      const size = Buffer.alloc(4);
      size.writeInt32BE(block.length);
      return Buffer.concat([size, block]);
    });
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(decompress(COMPRESSION.snappy, Buffer.concat([header, ...blocks]), DEFAULT_LIMITS.kafkaBatchBytes)).toEqual(data);
    expect(decompress(COMPRESSION.lz4, compress(COMPRESSION.lz4, data), DEFAULT_LIMITS.kafkaBatchBytes)).toEqual(data);
    expect(decompress(COMPRESSION.gzip, compress(COMPRESSION.gzip, data), DEFAULT_LIMITS.kafkaBatchBytes)).toEqual(data);
    expect(canCompress(COMPRESSION.zstd)).toBe(false);
  });

  it('CRC-32C matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});

const { defsDir, generate } = await import('../../scripts/kafka/gen-schemas.ts');
describe.skipIf(!existsSync(defsDir))('schema tables', () => {
  it.each(IMPLEMENTED.map((a) => ({ ...a })))('$folder/schema.ts matches the $definition definitions', (api) => {
    expect(readFileSync(join(apisDir, api.folder, 'schema.ts'), 'utf8')).toBe(generate(api));
  });
});
