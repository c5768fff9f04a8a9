// slicer {average_size, size_variation, delay}: cuts each chunk into slices of average_size ±
// size_variation bytes, sent `delay` µs apart, the way a real network fragments a write.
import { Type } from '@sinclair/typebox';
import type { Rng } from '../rng.ts';
import { TimedQueue } from './timed-queue.ts';
import { defineToxic, type Toxic } from './toxic.ts';

export const slicer = defineToxic({
  name: 'slicer',
  description: 'slice data into average_size ± size_variation byte pieces, delay µs apart',
  attributes: Type.Object(
    {
      average_size: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'bytes; 0 leaves chunks whole' })),
      size_variation: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'bytes, should be below average_size' })),
      delay: Type.Optional(Type.Number({ minimum: 0, default: 0, description: 'µs between slices' })),
    },
    { additionalProperties: false },
  ),
  create(attributes, rng, out): Toxic {
    const average = attributes.average_size ?? 0;
    const variation = Math.min(attributes.size_variation ?? 0, Math.max(0, average - 1));
    const gapMs = (attributes.delay ?? 0) / 1000;
    const queue = new TimedQueue(out);
    return {
      get held() {
        return queue.held;
      },
      push(chunk) {
        let at = Math.max(queue.now(), queue.lastAt);
        for (const size of sliceSizes(chunk.length, average, variation, rng)) {
          queue.add(chunk.subarray(0, size), at);
          chunk = chunk.subarray(size);
          at += gapMs;
        }
      },
      end: () => queue.add(null, queue.lastAt),
      flush: () => queue.flush(),
      destroy: () => queue.destroy(),
    };
  },
});

/** Sizes summing to `length`, each average ± variation (the last one whatever is left). */
export function sliceSizes(length: number, average: number, variation: number, rng: Rng): number[] {
  if (average <= 0) return [length];
  const sizes: number[] = [];
  let left = length;
  while (left > 0) {
    const size = Math.min(left, Math.max(1, average + (variation > 0 ? rng.between(-variation, variation) : 0)));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}
