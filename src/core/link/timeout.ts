// timeout {timeout}: no data gets through in this direction; after `timeout` ms the connection is
// closed, or never with 0. Dropped bytes leave the stream broken, so removing the rule after it
// dropped some closes the connection, as Toxiproxy's cleanup does; before that it just goes away.
import { Type } from '@sinclair/typebox';
import { longTimeout, type LongTimer } from '../timers.ts';
import { defineToxic, type Toxic, type ToxicOutlet } from './toxic.ts';

class Timeout implements Toxic {
  private timer: LongTimer | undefined;
  private dropped = false;
  readonly held = 0;

  constructor(
    private readonly out: ToxicOutlet,
    timeout: number,
  ) {
    if (timeout > 0) this.timer = longTimeout(() => this.out.close('close'), timeout);
  }

  push(): void {
    this.dropped = true;
  }

  end(): void {
    this.out.end();
  }

  flush(): void {
    this.destroy();
    if (this.dropped) this.out.close('close');
  }

  destroy(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

export const timeout = defineToxic({
  name: 'timeout',
  description: 'drop all data, close the connection after `timeout` ms (0 = never)',
  attributes: Type.Object(
    { timeout: Type.Optional(Type.Number({ minimum: 0, default: 0, description: 'ms; 0 keeps the connection open' })) },
    { additionalProperties: false },
  ),
  create: (attributes, _rng, out) => new Timeout(out, attributes.timeout ?? 0),
});
