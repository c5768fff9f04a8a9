// latency {latency, jitter}: every chunk leaves `latency` ± `jitter` ms after it arrived (Toxiproxy's
// latency toxic). Chunks keep their order, so a short draw never overtakes a long one before it.
import { Type } from '@sinclair/typebox';
import { TimedQueue } from './timed-queue.ts';
import { defineToxic, type Toxic } from './toxic.ts';

export const latency = defineToxic({
  name: 'latency',
  description: 'delay all data by latency ± jitter ms',
  attributes: Type.Object(
    {
      latency: Type.Optional(Type.Number({ minimum: 0, default: 0, description: 'ms' })),
      jitter: Type.Optional(Type.Number({ minimum: 0, default: 0, description: 'ms, drawn per chunk from the rule’s seeded rng' })),
    },
    { additionalProperties: false },
  ),
  create(attributes, rng, out): Toxic {
    const base = attributes.latency ?? 0;
    const jitter = attributes.jitter ?? 0;
    const queue = new TimedQueue(out);
    const delay = (): number => Math.max(0, jitter > 0 ? base + (rng.next() * 2 - 1) * jitter : base);
    return {
      get held() {
        return queue.held;
      },
      push: (chunk) => queue.add(chunk, queue.now() + delay()),
      // The end travels behind the last chunk, not `latency` after it: a FIN is not data.
      end: () => queue.add(null, queue.now()),
      flush: () => queue.flush(),
      destroy: () => queue.destroy(),
    };
  },
});
