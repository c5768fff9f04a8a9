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
import { KafkaDecodeError } from './primitives.ts';
import { lz4DecompressedBound, snappyDecompressedBound, zstdDecompressedBound } from './decompressed-size.ts';

export const COMPRESSION = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof COMPRESSION;

export class UnsupportedCompressionError extends Error {
  override name = 'UnsupportedCompressionError';
}

interface Codec {
  compress?(data: Buffer): Buffer;
  /** Throws DecompressedTooLarge rather than produce more than `maxBytes`. */
  decompress(data: Buffer, maxBytes: number): Buffer;
}

/** A batch that would decompress past kafkaBatchBytes: refused like any batch that does not decode. */
export class DecompressedTooLarge extends KafkaDecodeError {
  override name = 'DecompressedTooLarge';
}

/** Checks a codec's framing bound before decompressing. */
function within(bound: number, maxBytes: number): void {
  if (bound > maxBytes) throw new DecompressedTooLarge(`decompresses to more than ${maxBytes} bytes (limit kafkaBatchBytes)`);
}

/** Java clients frame snappy the xerial way: a 16-byte header, then [length:int32 block]… */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  const xerial = data.length >= 16 && data.subarray(0, 8).equals(XERIAL_MAGIC);
  within(snappyDecompressedBound(data, xerial), maxBytes);
  if (!xerial) return snappyUncompress(data) as Buffer;
  const blocks: Buffer[] = [];
  for (let at = 16; at + 4 <= data.length; ) {
    const size = data.readInt32BE(at);
    blocks.push(snappyUncompress(data.subarray(at + 4, at + 4 + size)) as Buffer);
    at += 4 + size;
  }
  return Buffer.concat(blocks);
}

function gzipDecompress(data: Buffer, maxBytes: number): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') within(Number.POSITIVE_INFINITY, maxBytes);
    throw e;
  }
}

const codecs: Partial<Record<number, Codec>> = {
  [COMPRESSION.none]: { compress: (d) => d, decompress: (d) => d },
  [COMPRESSION.gzip]: { compress: (d) => gzipSync(d), decompress: gzipDecompress },
  [COMPRESSION.snappy]: { compress: (d) => snappyCompress(d), decompress: snappyDecompress },
  [COMPRESSION.lz4]: {
    compress: (d) => lz4Compress(d),
    decompress: (d, maxBytes) => {
      within(lz4DecompressedBound(d), maxBytes);
      return lz4Decompress(d);
    },
  },
  [COMPRESSION.zstd]: {
    decompress: (d, maxBytes) => {
      within(zstdDecompressedBound(d), maxBytes);
      return Buffer.from(zstdDecompress(d));
    },
  },
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

/** Decompresses a batch body; one that would exceed `maxBytes` (kafkaBatchBytes) throws DecompressedTooLarge first. */
export function decompress(type: number, data: Buffer, maxBytes: number): Buffer {
  const codec = codecs[type];
  if (!codec) throw new UnsupportedCompressionError(`compression type ${type}`);
  try {
    return codec.decompress(data, maxBytes);
  } catch (e) {
    if (e instanceof DecompressedTooLarge) throw e;
    throw new UnsupportedCompressionError(`cannot decompress (type ${type}): ${(e as Error).message}`);
  }
}
