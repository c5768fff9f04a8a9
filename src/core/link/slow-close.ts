// slow_close {delay}: the end of this direction (the FIN) goes out `delay` ms late; data is untouched.
import { Type } from '@sinclair/typebox';
import { longTimeout, type LongTimer } from '../timers.ts';
import { defineToxic, PassThrough, type ToxicOutlet } from './toxic.ts';

class SlowClose extends PassThrough {
  private timer: LongTimer | undefined;

  constructor(
    out: ToxicOutlet,
    private readonly delay: number,
  ) {
    super(out);
  }

  override end(): void {
    if (this.timer) return;
    this.timer = longTimeout(() => {
      this.timer = undefined;
      this.out.end();
    }, this.delay);
  }

  override flush(): void {
    if (!this.timer) return;
    this.destroy();
    this.out.end();
  }

  override destroy(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

export const slowClose = defineToxic({
  name: 'slow_close',
  description: 'delay the close of the connection by `delay` ms',
  attributes: Type.Object(
    { delay: Type.Optional(Type.Number({ minimum: 0, default: 0, description: 'ms' })) },
    { additionalProperties: false },
  ),
  create: (attributes, _rng, out) => new SlowClose(out, attributes.delay ?? 0),
});
