import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { outletRecorder } from './outlet-recorder.test-support.ts';
import { sliceSizes, slicer } from './slicer.ts';

describe('slicer toxic', () => {
  it('slices average_size ± size_variation bytes summing to the chunk', () => {
    const sizes = sliceSizes(1000, 10, 4, createRng(9));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1000);
    for (const size of sizes.slice(0, -1)) {
      expect(size).toBeGreaterThanOrEqual(6);
      expect(size).toBeLessThanOrEqual(14);
    }
    expect(new Set(sizes).size).toBeGreaterThan(1);
  });

  it('is deterministic for the same rng seed', () => {
    expect(sliceSizes(500, 20, 10, createRng(5))).toEqual(sliceSizes(500, 20, 10, createRng(5)));
  });

  it('sends the slices separately, `delay` µs apart, in order', async () => {
    const out = outletRecorder();
    const toxic = slicer.create({ average_size: 3, size_variation: 0, delay: 5000 }, createRng(1), out);
    toxic.push(Buffer.from('abcdefghi'));
    toxic.end();
    await out.until(4);
    const pushes = out.events.filter((e) => e.kind === 'push');
    expect(pushes.map((e) => e.data)).toEqual(['abc', 'def', 'ghi']);
    expect(pushes[0]!.at).toBeLessThan(5); // the first slice goes at once
    expect(pushes[2]!.at).toBeGreaterThanOrEqual(9);
    expect(out.events.at(-1)!.kind).toBe('end');
  });
});
