import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { bandwidth } from './bandwidth.ts';
import { outletRecorder } from './outlet-recorder.test-support.ts';

describe('bandwidth toxic', () => {
  it('lets `rate` KB/s through: 20 KB at 100 KB/s takes at least ~200 ms', async () => {
    const out = outletRecorder();
    const toxic = bandwidth.create({ rate: 100 }, createRng(1), out);
    toxic.push(Buffer.alloc(20_000, 1));
    toxic.end();
    await out.settled(100);
    const early = out.events.filter((e) => e.kind === 'push').length;
    expect(early).toBeLessThan(2); // 10 KB pieces, one per 100 ms
    await out.until(3);
    const pushes = out.events.filter((e) => e.kind === 'push');
    expect(pushes.reduce((n, e) => n + e.data!.length, 0)).toBe(20_000);
    expect(pushes.at(-1)!.at).toBeGreaterThanOrEqual(195);
    expect(out.events.at(-1)!.kind).toBe('end');
  });

  it('rate 0 holds everything until the rule is removed', async () => {
    const out = outletRecorder();
    const toxic = bandwidth.create({ rate: 0 }, createRng(1), out);
    toxic.push(Buffer.from('held'));
    await out.settled(30);
    expect(out.events).toEqual([]);
    toxic.flush();
    expect(out.text()).toBe('held');
  });
});
