// limit_data {bytes}: lets `bytes` bytes through in this direction, then closes the connection.
import { Type } from '@sinclair/typebox';
import { defineToxic, PassThrough, type ToxicOutlet } from './toxic.ts';

class LimitData extends PassThrough {
  private left: number;
  private closed = false;

  constructor(out: ToxicOutlet, bytes: number) {
    super(out);
    this.left = bytes;
  }

  override push(chunk: Buffer): void {
    if (this.closed) return;
    if (chunk.length > this.left) chunk = chunk.subarray(0, this.left);
    if (chunk.length > 0) {
      this.left -= chunk.length;
      this.out.push(chunk);
    }
    if (this.left <= 0) {
      this.closed = true;
      this.out.close('close');
    }
  }
}

export const limitData = defineToxic({
  name: 'limit_data',
  description: 'close the connection once `bytes` bytes went through',
  attributes: Type.Object(
    { bytes: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'bytes let through before closing' })) },
    { additionalProperties: false },
  ),
  create: (attributes, _rng, out) => new LimitData(out, attributes.bytes ?? 0),
});
