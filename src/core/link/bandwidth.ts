// bandwidth {rate}: at most `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy) in this direction. Big
// chunks are cut into 100 ms worth of bytes so the flow is smooth rather than bursty.
import { Type } from '@sinclair/typebox';
import { TimedQueue } from './timed-queue.ts';
import { defineToxic, type Toxic } from './toxic.ts';

export const bandwidth = defineToxic({
  name: 'bandwidth',
  description: 'limit the rate to `rate` KB/s',
  attributes: Type.Object(
    { rate: Type.Optional(Type.Number({ minimum: 0, default: 0, description: 'KB/s; 0 lets nothing through' })) },
    { additionalProperties: false },
  ),
  create(attributes, _rng, out): Toxic {
    const rate = attributes.rate ?? 0; // bytes per ms, since 1 KB/s = 1 byte/ms
    const queue = new TimedQueue(out);
    const piece = Math.max(1, Math.floor(rate * 100));
    let ended = false;
    return {
      get held() {
        return queue.held;
      },
      push(chunk) {
        // rate 0 is Toxiproxy's "nothing gets through": hold everything until the rule goes.
        if (rate <= 0) return queue.add(chunk, Number.POSITIVE_INFINITY);
        const now = queue.now();
        let at = Math.max(now, queue.lastAt);
        for (let offset = 0; offset < chunk.length; offset += piece) {
          const part = chunk.subarray(offset, offset + piece);
          at += part.length / rate;
          queue.add(part, at);
        }
      },
      end() {
        if (ended) return;
        ended = true;
        queue.add(null, queue.lastAt);
      },
      flush: () => queue.flush(),
      destroy: () => queue.destroy(),
    };
  },
});
