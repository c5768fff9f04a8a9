// Timers for delays a user chose (a `delay` action, a latency toxic, a trigger's `from`). Node's
// setTimeout holds at most 2³¹−1 ms (about 24.8 days); past that it fires after 1 ms, so a week-long
// "delay" would become no delay and a latency toxic would spin a 1 ms timer forever. These chain
// timers instead: any delay waits as long as it says, and an infinite one never fires.

/** The longest delay one Node timer holds. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  /** Stops the timer; the callback will not run. Safe to call more than once, or after it ran. */
  cancel(): void;
  /** Lets the process exit while this timer waits (as Timeout.unref()). */
  unref(): LongTimer;
}

/** Runs `callback` once after `ms` milliseconds, however many; NaN and negatives mean now (next turn). */
export function longTimeout(callback: () => void, ms: number): LongTimer {
  let left = ms > 0 ? ms : 0;
  let referenced = true;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const step = Math.min(left, MAX_TIMER_MS);
    left -= step; // Infinity stays Infinity: chained for ever
    timer = setTimeout(left > 0 ? arm : callback, step);
    if (!referenced) timer.unref();
  };
  arm();
  const handle: LongTimer = {
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      left = 0;
    },
    unref() {
      referenced = false;
      timer?.unref();
      return handle;
    },
  };
  return handle;
}

/** A promise that resolves after `ms` milliseconds, however many (an infinite one never resolves). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => longTimeout(resolve, ms));
}
