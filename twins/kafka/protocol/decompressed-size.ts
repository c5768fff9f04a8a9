// An upper bound on what a compressed record batch body decompresses to, read from the codec's own
// framing without decompressing: a few kilobytes of gzip, lz4 or zstd can expand to gigabytes, and
// the twin decompresses batches only to inspect them or apply record faults — that must not be a
// way to exhaust memory. gzip needs no walk (zlib stops at maxOutputLength itself).
// @see https://github.com/google/snappy/blob/main/format_description.txt
// @see https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md
// @see https://github.com/facebook/zstd/blob/dev/doc/zstd_compression_format.md
const LZ4_MAGIC = 0x184d2204;
const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames of lz4 and zstd: 0x184D2A50–0x184D2A5F, then a 4-byte size. */
const isSkippable = (magic: number): boolean => magic >>> 4 === 0x184d2a5;
const ZSTD_MAX_BLOCK = 128 * 1024;
const XERIAL_HEADER = 16;

class Truncated extends Error {}

function u32le(b: Buffer, at: number): number {
  if (at + 4 > b.length) throw new Truncated();
  return b.readUInt32LE(at);
}

function uvarint(b: Buffer, at: number): number {
  let value = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    const byte = b[at++];
    if (byte === undefined) throw new Truncated();
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return value;
  }
  throw new Truncated();
}

function snappyBound(data: Buffer, xerial: boolean): number {
  if (!xerial) return uvarint(data, 0);
  let total = 0;
  for (let at = XERIAL_HEADER; at + 4 <= data.length; ) {
    const size = data.readInt32BE(at);
    total += uvarint(data, at + 4);
    at += 4 + size;
  }
  return total;
}

/**
 * Walks the concatenated frames of lz4 or zstd (both carry a magic number and may hold skippable
 * frames), summing what `frame` bounds each one to; `frame` reads the frame at `at` and says where
 * the next one starts.
 */
function sumFrames(data: Buffer, magic: number, frame: (at: number) => { next: number; bytes: number }): number {
  let total = 0;
  for (let at = 0; at < data.length; ) {
    const found = u32le(data, at);
    if (isSkippable(found)) {
      at += 8 + u32le(data, at + 4);
      continue;
    }
    if (found !== magic) throw new Truncated();
    const { next, bytes } = frame(at);
    total += bytes;
    at = next;
  }
  return total;
}

function lz4Bound(data: Buffer): number {
  return sumFrames(data, LZ4_MAGIC, (start) => {
    let bytes = 0;
    const flg = data[start + 4] ?? 0;
    const blockMax = 1 << (8 + 2 * (((data[start + 5] ?? 0) >> 4) & 7));
    const blockChecksum = (flg & 0x10) !== 0;
    let at = start + 6 + ((flg & 0x08) !== 0 ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0) + 1;
    for (;;) {
      const word = u32le(data, at);
      at += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      bytes += word & 0x80000000 ? size : blockMax;
      at += size + (blockChecksum ? 4 : 0);
    }
    if ((flg & 0x04) !== 0) at += 4;
    return { next: at, bytes };
  });
}

function zstdBound(data: Buffer): number {
  return sumFrames(data, ZSTD_MAGIC, (start) => {
    let bytes = 0;
    const fhd = data[start + 4] ?? 0;
    const singleSegment = (fhd & 0x20) !== 0;
    const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fhd >> 6] as number;
    const dictBytes = [0, 1, 2, 4][fhd & 3] as number;
    let at = start + 5 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
    for (let last = false; !last; ) {
      if (at + 3 > data.length) throw new Truncated();
      const header = data.readUIntLE(at, 3);
      at += 3;
      last = (header & 1) !== 0;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 0) (bytes += size), (at += size);
      else if (type === 1) (bytes += size), (at += 1);
      else if (type === 2) (bytes += ZSTD_MAX_BLOCK), (at += size);
      else throw new Truncated();
    }
    if ((fhd & 0x04) !== 0) at += 4;
    return { next: at, bytes };
  });
}

/**
 * Runs a bound, turning unreadable framing into Infinity (the decompressor would fail on it anyway).
 */
function bounded(bound: (data: Buffer) => number, data: Buffer): number {
  try {
    return bound(data);
  } catch (e) {
    if (e instanceof Truncated) return Number.POSITIVE_INFINITY;
    throw e;
  }
}

/** At most how many bytes a snappy body (raw, or xerial-framed as Java clients send it) decompresses to. */
export const snappyDecompressedBound = (data: Buffer, xerial: boolean): number => bounded((d) => snappyBound(d, xerial), data);
/** At most how many bytes lz4 frames decompress to. */
export const lz4DecompressedBound = (data: Buffer): number => bounded(lz4Bound, data);
/** At most how many bytes zstd frames decompress to. */
export const zstdDecompressedBound = (data: Buffer): number => bounded(zstdBound, data);
