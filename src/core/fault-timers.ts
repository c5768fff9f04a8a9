// The waits a fault makes — `delay` before answering, `hang` until the client gives up — owned by
// the twin that makes them, so stopping the twin (or resetting its environment) cancels every wait at
// once instead of leaving timers and parked requests behind. Each twin holds one FaultTimers.
import { longTimeout, type LongTimer } from './timers.ts';

/** Resolves `true` when the wait ran its course, `false` when the twin stopped first. */
export type Wait = Promise<boolean>;

export class FaultTimers {
  private readonly pending = new Map<LongTimer | symbol, (ran: boolean) => void>();
  private stopped = false;

  /** Waits `ms` (however long; see longTimeout). */
  delay(ms: number): Wait {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = longTimeout(() => {
        this.pending.delete(timer);
        resolve(true);
      }, ms).unref();
      this.pending.set(timer, resolve);
    });
  }

  /**
   * Waits until the twin stops: the answer never comes; the client's own timeout must fire. Pass
   * `gone` to end the wait early when the client gives up, so a long-lived twin does not keep one
   * entry per abandoned request (e.g. `(end) => socket.once('close', end)`).
   */
  hang(gone?: (end: () => void) => void): Wait {
    if (this.stopped) return Promise.resolve(false);
    const key = Symbol('hang');
    return new Promise((resolve) => {
      this.pending.set(key, resolve);
      gone?.(() => {
        if (this.pending.delete(key)) resolve(false);
      });
    });
  }

  /** How many waits are in progress. */
  get size(): number {
    return this.pending.size;
  }

  /** Ends every wait (each resolves `false`) and refuses new ones: for a twin's stop(). */
  stop(): void {
    this.stopped = true;
    for (const [key, resolve] of this.pending) {
      if (typeof key !== 'symbol') key.cancel();
      resolve(false);
    }
    this.pending.clear();
  }
}
