// Splits a byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
// A size that is negative or above `maxFrameBytes` is a malformed frame: the caller closes the
// connection (Kafka's broker does the same with socket.request.max.bytes).
// @see https://kafka.apache.org/protocol.html#protocol_common
export class FrameError extends Error {
  override name = 'FrameError';
}

export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** `maxFrameBytes`: the twin's kafkaRequestBytes limit. */
  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes; returns the complete frames (without their size prefix). Throws FrameError. */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.pendingBytes < 4) break;
      const head = this.peek(4);
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.maxFrameBytes) throw new FrameError(`frame size ${size} (at most ${this.maxFrameBytes}, limit kafkaRequestBytes)`);
      if (this.pendingBytes < 4 + size) break;
      const all = this.take(4 + size);
      frames.push(all.subarray(4));
    }
    return frames;
  }

  private peek(n: number): Buffer {
    const first = this.pending[0] as Buffer;
    if (first.length >= n) return first;
    this.pending = [Buffer.concat(this.pending)];
    return this.pending[0] as Buffer;
  }

  private take(n: number): Buffer {
    let first = this.pending[0] as Buffer;
    if (first.length < n) {
      first = Buffer.concat(this.pending);
      this.pending = [first];
    }
    const out = first.subarray(0, n);
    if (first.length === n) this.pending.shift();
    else this.pending[0] = first.subarray(n);
    this.pendingBytes -= n;
    return out;
  }
}
