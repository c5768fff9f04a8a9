import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { latency } from './latency.ts';
import { outletRecorder } from './outlet-recorder.test-support.ts';

describe('latency toxic', () => {
  it('hands each chunk on at least `latency` ms later, in order, the end behind them', async () => {
    const out = outletRecorder();
    const toxic = latency.create({ latency: 40, jitter: 0 }, createRng(1), out);
    toxic.push(Buffer.from('a'));
    toxic.push(Buffer.from('b'));
    toxic.end();
    expect(out.events).toEqual([]);
    expect(toxic.held).toBe(2);
    await out.until(3);
    expect(out.events.map((e) => e.kind)).toEqual(['push', 'push', 'end']);
    expect(out.text()).toBe('ab');
    expect(out.events[0]!.at).toBeGreaterThanOrEqual(39);
    expect(toxic.held).toBe(0);
  });

  it('keeps order when jitter draws a shorter delay for a later chunk', async () => {
    const out = outletRecorder();
    const toxic = latency.create({ latency: 20, jitter: 19 }, createRng(3), out);
    for (const c of 'abcdefghij') toxic.push(Buffer.from(c));
    await out.until(10);
    expect(out.text()).toBe('abcdefghij');
  });

  it('flush hands everything held on at once', () => {
    const out = outletRecorder();
    const toxic = latency.create({ latency: 10_000 }, createRng(1), out);
    toxic.push(Buffer.from('x'));
    toxic.end();
    toxic.flush();
    expect(out.events.map((e) => e.kind)).toEqual(['push', 'end']);
    toxic.destroy();
  });
});
