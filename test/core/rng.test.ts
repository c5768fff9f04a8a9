// Seeded streams are a contract: a scenario replayed with the same seed must get the same ids and
// decisions from a later Standin. These values were drawn before createRng hashed its parts one by
// one instead of joined (the same FNV-1a over the same characters), and must not move.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/index.ts';

describe('createRng', () => {
  it('draws what the same parts have always drawn', () => {
    expect(createRng(1, 'twin', 'payments', 'ids', 'pi', 1).next()).toBe(0.9917244070675224);
    expect(createRng('a', 2).int(1_000_000)).toBe(357868);
  });

  it('hands `next` on as a plain function that continues the stream', () => {
    const rng = createRng('detached');
    const next = rng.next;
    const first = next();
    const same = createRng('detached');
    expect(same.next()).toBe(first);
    expect(rng.int(1000)).toBe(same.int(1000));
  });

  it('keeps parts apart: the separator counts', () => {
    expect(createRng('ab', 'c').next()).not.toBe(createRng('a', 'bc').next());
    expect(createRng('a', '').next()).not.toBe(createRng('a').next());
  });
});
