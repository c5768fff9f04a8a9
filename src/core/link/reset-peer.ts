// reset_peer {timeout}: the first bytes (or the end) in this direction arm a timer; `timeout` ms
// later the connection is reset (RST, "connection reset by peer"), 0 = at once. What arrives in
// the meantime is held, not sent, as Toxiproxy's reset toxic never sends it; if the rule is
// removed first, it is handed on instead so nothing is lost.
import { Type } from '@sinclair/typebox';
import { longTimeout, type LongTimer } from '../timers.ts';
import { defineToxic, type Toxic, type ToxicOutlet } from './toxic.ts';

class ResetPeer implements Toxic {
  private readonly pending: Buffer[] = [];
  private ended = false;
  private bytes = 0;
  private timer: LongTimer | undefined;
  private armed = false;

  constructor(
    private readonly out: ToxicOutlet,
    private readonly timeout: number,
  ) {}

  get held(): number {
    return this.bytes;
  }

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.bytes += chunk.length;
    this.arm();
  }

  end(): void {
    this.ended = true;
    this.arm();
  }

  flush(): void {
    this.disarm();
    for (const chunk of this.pending.splice(0)) this.out.push(chunk);
    this.bytes = 0;
    if (this.ended) this.out.end();
  }

  destroy(): void {
    this.disarm();
    this.pending.length = 0;
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    if (this.timeout <= 0) this.out.close('reset');
    else this.timer = longTimeout(() => this.out.close('reset'), this.timeout);
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

export const resetPeer = defineToxic({
  name: 'reset_peer',
  description: 'reset the connection (TCP RST) `timeout` ms after data arrives',
  attributes: Type.Object(
    { timeout: Type.Optional(Type.Number({ minimum: 0, default: 0, description: 'ms; 0 resets at once' })) },
    { additionalProperties: false },
  ),
  create: (attributes, _rng, out) => new ResetPeer(out, attributes.timeout ?? 0),
});
