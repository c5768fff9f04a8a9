// Record-batch compression codecs, by attribute bits 0–2 of a RecordBatch v2: none, gzip
// (node:zlib), snappy (`snappy`, napi-rs), lz4 frames (`lz4-napi`) and zstd (`fzstd`, pure JS,
// decompression only — Node 20's zlib has no zstd). Stored batches keep the producer's compression;
// the twin only decompresses to inspect records or apply record faults, and a batch it must rebuild
// without a compressor for its codec is rebuilt uncompressed.
// @see https://kafka.apache.org/documentation/#recordbatch
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { compressFrameSync as lz4Compress, decompressFrameSync as lz4Decompress } from 'lz4-napi';
import { decompress as zstdDecompress } from 'fzstd';

export const COMPRESSION = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof COMPRESSION;

export class UnsupportedCompressionError extends Error {
  override name = 'UnsupportedCompressionError';
}

interface Codec {
  compress?(data: Buffer): Buffer;
  decompress(data: Buffer): Buffer;
}

/** Java clients frame snappy the xerial way: a 16-byte header, then [length:int32 block]… */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function snappyDecompress(data: Buffer): Buffer {
  if (data.length < 16 || !data.subarray(0, 8).equals(XERIAL_MAGIC)) return snappyUncompress(data) as Buffer;
  const blocks: Buffer[] = [];
  for (let at = 16; at + 4 <= data.length; ) {
    const size = data.readInt32BE(at);
    blocks.push(snappyUncompress(data.subarray(at + 4, at + 4 + size)) as Buffer);
    at += 4 + size;
  }
  return Buffer.concat(blocks);
}

const codecs: Partial<Record<number, Codec>> = {
  [COMPRESSION.none]: { compress: (d) => d, decompress: (d) => d },
  [COMPRESSION.gzip]: { compress: (d) => gzipSync(d), decompress: (d) => gunzipSync(d) },
  [COMPRESSION.snappy]: { compress: (d) => snappyCompress(d), decompress: snappyDecompress },
  [COMPRESSION.lz4]: { compress: (d) => lz4Compress(d), decompress: (d) => lz4Decompress(d) },
  [COMPRESSION.zstd]: { decompress: (d) => Buffer.from(zstdDecompress(d)) },
};

export function isSupportedCompression(type: number): boolean {
  return codecs[type] !== undefined;
}

/** Whether batches of this codec can be rebuilt compressed the same way. */
export function canCompress(type: number): boolean {
  return codecs[type]?.compress !== undefined;
}

export function compress(type: number, data: Buffer): Buffer {
  const codec = codecs[type]?.compress;
  if (!codec) throw new UnsupportedCompressionError(`compression type ${type}`);
  return codec(data);
}

export function decompress(type: number, data: Buffer): Buffer {
  const codec = codecs[type];
  if (!codec) throw new UnsupportedCompressionError(`compression type ${type}`);
  try {
    return codec.decompress(data);
  } catch (e) {
    throw new UnsupportedCompressionError(`cannot decompress (type ${type}): ${(e as Error).message}`);
  }
}
