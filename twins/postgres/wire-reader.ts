// Splits a byte stream into protocol messages. Before a session is up, packets are untyped
// (int32 length, then the body); afterwards every message is a type byte, an int32 length that
// counts itself, then the body. A bad length is a protocol violation, reported, never thrown past.
// @see https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-MESSAGE-CONCEPTS

/**
 * One message, read in place: the buffer it arrived in and where it lies there. Nothing is copied
 * or sliced until `raw` or `body` is asked for, so a relay that only looks at a few bytes of each
 * message allocates no Buffer per message.
 */
export class Frame {
  constructor(
    /** Type byte, or -1 for an untyped startup packet. */
    readonly type: number,
    private readonly buf: Buffer,
    private readonly start: number,
    private readonly bodyStart: number,
    private readonly end: number,
  ) {}

  /** The whole message as received (type, length and body), for forwarding untouched. */
  get raw(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** The body: the bytes after the length. */
  get body(): Buffer {
    return this.buf.subarray(this.bodyStart, this.end);
  }

  get length(): number {
    return this.end - this.start;
  }

  /** One byte of the body. */
  byteAt(index: number): number {
    if (this.bodyStart + index >= this.end) throw new FrameError('message too short');
    return this.buf[this.bodyStart + index] as number;
  }

  /** Reads the body from its start. */
  reader(): BodyReader {
    return new BodyReader(this.buf, this.bodyStart, this.end);
  }
}

export class FrameError extends Error {}

export class WireReader {
  private chunks: Buffer[] = [];
  /** Where the first chunk's unread bytes start. */
  private offset = 0;
  private size = 0;

  constructor(
    public typed: boolean,
    /** Largest message accepted; the handshake reads with a small limit, the session with a large one. */
    public maxBytes: number,
  ) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  get buffered(): number {
    return this.size;
  }

  /** The next unread byte, not taken; undefined when none has arrived. */
  peek(): number | undefined {
    return this.size === 0 ? undefined : (this.chunks[0] as Buffer)[this.offset];
  }

  /** Every unread byte, handed over: the reader is left empty (the stream is someone else's now). */
  take(): Buffer {
    const rest = this.size === 0 ? Buffer.alloc(0) : this.flatten();
    this.chunks = [];
    this.offset = 0;
    this.size = 0;
    return rest;
  }

  /** The next whole message, or undefined when more bytes are needed; throws FrameError on garbage. */
  next(limit = this.maxBytes): Frame | undefined {
    const header = this.typed ? 5 : 4;
    if (this.size < header) return undefined;
    let head = this.chunks[0] as Buffer;
    if (head.length - this.offset < header) head = this.flatten();
    const length = head.readInt32BE(this.offset + (this.typed ? 1 : 0));
    const min = this.typed ? 4 : 8;
    if (length < min || length > limit) {
      throw new FrameError(`invalid message length ${length}`);
    }
    const total = length + (this.typed ? 1 : 0);
    if (this.size < total) return undefined;
    if (head.length - this.offset < total) head = this.flatten();
    const at = this.offset;
    const frame = new Frame(this.typed ? (head[at] as number) : -1, head, at, at + header, at + total);
    if (head.length - at === total) {
      this.chunks.shift();
      this.offset = 0;
    } else this.offset = at + total;
    this.size -= total;
    return frame;
  }

  /** The unread bytes as one chunk. */
  private flatten(): Buffer {
    const first = this.chunks[0] as Buffer;
    const one = this.chunks.length === 1 ? first.subarray(this.offset) : Buffer.concat([first.subarray(this.offset), ...this.chunks.slice(1)], this.size);
    this.chunks = [one];
    this.offset = 0;
    return one;
  }
}

/** Reads NUL-terminated strings and integers from a message body. */
export class BodyReader {
  private offset: number;
  private readonly end: number;

  constructor(
    private readonly body: Buffer,
    start = 0,
    end = body.length,
  ) {
    this.offset = start;
    this.end = end;
  }

  cstring(): string {
    // Unnamed statements and portals: the commonest string, read without a search or a decode.
    if (this.body[this.offset] === 0 && this.offset < this.end) {
      this.offset++;
      return '';
    }
    const end = this.body.indexOf(0, this.offset);
    if (end < 0 || end >= this.end) throw new FrameError('unterminated string');
    const text = this.body.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }

  byte(): number {
    if (this.offset + 1 > this.end) throw new FrameError('message too short');
    return this.body[this.offset++] as number;
  }

  int16(): number {
    if (this.offset + 2 > this.end) throw new FrameError('message too short');
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    if (this.offset + 4 > this.end) throw new FrameError('message too short');
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  bytes(n: number): Buffer {
    if (n < 0 || this.offset + n > this.end) throw new FrameError('message too short');
    const v = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  rest(): Buffer {
    const v = this.body.subarray(this.offset, this.end);
    this.offset = this.end;
    return v;
  }
}

/** Type bytes as a lookup table for `wholeMessages`. */
export function typeTable(types: Iterable<number>): Uint8Array {
  const table = new Uint8Array(256);
  for (const t of types) table[t] = 1;
  return table;
}

/**
 * The length of the longest prefix of `chunk` made of whole typed messages whose types `allowed`
 * holds (indexed by type byte), or -1 when a message in it has another type or a bad length. Reads
 * only the five header bytes of each message, in place: the relay's check before it forwards a
 * chunk untouched.
 */
export function wholeMessages(chunk: Buffer, allowed: Uint8Array, maxBytes: number): number {
  let at = 0;
  while (chunk.length - at >= 5) {
    const length = chunk.readInt32BE(at + 1);
    if (allowed[chunk[at] as number] !== 1 || length < 4 || length > maxBytes) return -1;
    if (chunk.length - at - 1 < length) break;
    at += 1 + length;
  }
  return at;
}
