// FaultTimers: every wait ends when the twin stops; a hang also ends when its client gives up, so a
// long-lived twin does not hold one entry per abandoned request.
import { describe, expect, it } from 'vitest';
import { FaultTimers } from './fault-timers.ts';

describe('FaultTimers', () => {
  it('stop() ends delays and hangs with false, and refuses new ones', async () => {
    const timers = new FaultTimers();
    const delay = timers.delay(60_000);
    const hang = timers.hang();
    expect(timers.size).toBe(2);
    timers.stop();
    expect(await Promise.all([delay, hang])).toEqual([false, false]);
    expect(timers.size).toBe(0);
    expect(await timers.hang()).toBe(false);
  });

  it('a hang ends when its client is gone, leaving nothing behind', async () => {
    const timers = new FaultTimers();
    let gone: () => void = () => {};
    const hang = timers.hang((end) => (gone = end));
    expect(timers.size).toBe(1);
    gone();
    expect(await hang).toBe(false);
    expect(timers.size).toBe(0);
    // Ending twice, or after stop, is harmless.
    gone();
    timers.stop();
  });
});
