// Splits a byte stream into protocol messages. Before a session is up, packets are untyped
// (int32 length, then the body); afterwards every message is a type byte, an int32 length that
// counts itself, then the body. A bad length is a protocol violation, reported, never thrown past.
// @see https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-MESSAGE-CONCEPTS

export interface Frame {
  /** Type byte, or -1 for an untyped startup packet. */
  type: number;
  /** The body: the bytes after the length. */
  body: Buffer;
  /** The whole message as received (type, length and body), for forwarding untouched. */
  raw: Buffer;
}

export class FrameError extends Error {}

export class WireReader {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(
    public typed: boolean,
    /** Largest message accepted; the handshake reads with a small limit, the session with a large one. */
    public maxBytes: number,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  get buffered(): number {
    return this.size;
  }

  /** The next whole message, or undefined when more bytes are needed; throws FrameError on garbage. */
  next(limit = this.maxBytes): Frame | undefined {
    const header = this.typed ? 5 : 4;
    if (this.size < header) return undefined;
    let head = this.chunks[0] as Buffer;
    if (head.length < header) head = this.flatten();
    const length = head.readInt32BE(this.typed ? 1 : 0);
    const min = this.typed ? 4 : 8;
    if (length < min || length > limit) {
      throw new FrameError(`invalid message length ${length}`);
    }
    const total = length + (this.typed ? 1 : 0);
    if (this.size < total) return undefined;
    if (head.length < total) head = this.flatten();
    const raw = head.subarray(0, total);
    if (head.length === total) this.chunks.shift();
    else this.chunks[0] = head.subarray(total);
    this.size -= total;
    return { type: this.typed ? (raw[0] as number) : -1, body: raw.subarray(header), raw };
  }

  /** Bytes received but not yet taken as messages (e.g. pipelined after a handshake). */
  drain(): Buffer {
    const rest = this.flatten();
    this.chunks = [];
    this.size = 0;
    return rest;
  }

  private flatten(): Buffer {
    const one = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
    this.chunks = [one];
    return one;
  }
}

/** Reads NUL-terminated strings and integers from a message body. */
export class BodyReader {
  offset = 0;
  constructor(private readonly body: Buffer) {}

  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw new FrameError('unterminated string');
    const text = this.body.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }

  byte(): number {
    if (this.offset + 1 > this.body.length) throw new FrameError('message too short');
    return this.body[this.offset++] as number;
  }

  int16(): number {
    if (this.offset + 2 > this.body.length) throw new FrameError('message too short');
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    if (this.offset + 4 > this.body.length) throw new FrameError('message too short');
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  bytes(n: number): Buffer {
    if (n < 0 || this.offset + n > this.body.length) throw new FrameError('message too short');
    const v = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  rest(): Buffer {
    const v = this.body.subarray(this.offset);
    this.offset = this.body.length;
    return v;
  }
}
