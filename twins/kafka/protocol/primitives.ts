// Kafka's primitive types: fixed-width big-endian integers, zig-zag varints, (compact) strings,
// bytes and arrays, UUIDs and tagged-field sections.
// @see https://kafka.apache.org/protocol.html#protocol_types
//
// The Reader throws `KafkaDecodeError` on any read past the end, so a malformed frame surfaces as
// one error the connection turns into "close this connection" (never a crash).

export class KafkaDecodeError extends Error {
  override name = 'KafkaDecodeError';
}

export class Reader {
  offset: number;
  /**
   * Array elements this reader may still decode. A request's reader gets the kafkaRequestElements
   * limit: an element can be one byte on the wire and a whole object once decoded, so the frame
   * size alone does not bound memory.
   */
  elementBudget = Number.POSITIVE_INFINITY;
  constructor(readonly buf: Buffer, offset = 0, readonly end = buf.length) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) throw new KafkaDecodeError(`read of ${n} bytes at ${at} past end ${this.end}`);
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  /** int64 as a number: offsets, timestamps and producer ids all fit in 53 bits here. */
  int64(): number {
    return Number(this.buf.readBigInt64BE(this.need(8)));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }

  /** Unsigned LEB128 varint (up to 32 bits). */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.need(1)] as number;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new KafkaDecodeError('varint too long');
    }
  }
  /** Zig-zag signed varint (32 bits). */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  /** Zig-zag signed varlong (64 bits, as a number). */
  varlong(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.need(1)] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new KafkaDecodeError('varlong too long');
    }
    return Number((result >> 1n) ^ -(result & 1n));
  }

  raw(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  string(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    return this.buf.toString('utf8', this.need(n), this.offset);
  }
  compactString(): string | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    return this.buf.toString('utf8', this.need(n), this.offset);
  }
  bytes(): Buffer | null {
    const n = this.int32();
    return n < 0 ? null : this.raw(n);
  }
  compactBytes(): Buffer | null {
    const n = this.uvarint() - 1;
    return n < 0 ? null : this.raw(n);
  }
  /** Array length: -1 (null) or the count; each element needs at least one byte, so a huge count fails fast. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n > this.remaining) throw new KafkaDecodeError(`array of ${n} elements in ${this.remaining} bytes`);
    if (n > 0) {
      this.elementBudget -= n;
      if (this.elementBudget < 0) throw new KafkaDecodeError(`more array elements than one request may hold (limit kafkaRequestElements)`);
    }
    return n;
  }
  uuid(): Buffer {
    return Buffer.from(this.raw(16));
  }

  /** A tagged-field section: calls `onTag` for each, skipping the ones it does not consume. */
  taggedFields(onTag?: (tag: number, reader: Reader) => void): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      const start = this.need(size);
      if (!onTag) continue;
      const field = new Reader(this.buf, start, start + size);
      field.elementBudget = this.elementBudget;
      onTag(tag, field);
      this.elementBudget = field.elementBudget;
    }
  }
}

const SCRATCH = 64 * 1024;
/** Buffers at least this large are passed by reference instead of copied (record batches). */
const BY_REFERENCE = 2048;

/**
 * Writes into a list of chunks: small fields go through a scratch buffer, large byte fields (record
 * batches in a Fetch response) are referenced, not copied.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(SCRATCH);
  private pos = 0;
  private start = 0;
  private flushed = 0;

  get length(): number {
    return this.flushed + this.pos - this.start;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.cut();
    this.buf = Buffer.allocUnsafe(Math.max(SCRATCH, n));
    this.pos = 0;
    this.start = 0;
  }
  private cut(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.flushed += this.pos - this.start;
      this.start = this.pos;
    }
  }

  int8(v: number): this {
    this.room(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  int16(v: number): this {
    this.room(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  uint16(v: number): this {
    this.room(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  int32(v: number): this {
    this.room(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  uint32(v: number): this {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  int64(v: number | bigint): this {
    this.room(8);
    this.buf.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }
  float64(v: number): this {
    this.room(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }
  uvarint(v: number): this {
    this.room(5);
    let n = v >>> 0;
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
    return this;
  }
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }
  varlong(v: number | bigint): this {
    const big = BigInt(v);
    let u = BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
    this.room(10);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
    return this;
  }
  raw(b: Buffer): this {
    if (b.length >= BY_REFERENCE) {
      this.cut();
      this.chunks.push(b);
      this.flushed += b.length;
      return this;
    }
    this.room(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    return this;
  }
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const b = Buffer.from(v, 'utf8');
    return this.int16(b.length).raw(b);
  }
  compactString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const b = Buffer.from(v, 'utf8');
    return this.uvarint(b.length + 1).raw(b);
  }
  bytes(v: Buffer | null): this {
    return v === null ? this.int32(-1) : this.int32(v.length).raw(v);
  }
  compactBytes(v: Buffer | null): this {
    return v === null ? this.uvarint(0) : this.uvarint(v.length + 1).raw(v);
  }
  uuid(v: Buffer): this {
    return this.raw(v.length === 16 ? v : Buffer.alloc(16));
  }

  /** The chunks written so far (the writer must not be used afterwards). */
  finish(): Buffer[] {
    this.cut();
    return this.chunks;
  }
  toBuffer(): Buffer {
    const chunks = this.finish();
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }
}
