// Chunks (and the end) waiting for their due time, handed on in order. The toxics that hold bytes
// back (latency, bandwidth, slicer) schedule into one of these; removing the toxic flushes it.
import { performance } from 'node:perf_hooks';
import { longTimeout, type LongTimer } from '../timers.ts';
import type { ToxicOutlet } from './toxic.ts';

interface Entry {
  /** null is the end of the direction. */
  chunk: Buffer | null;
  at: number;
}

export class TimedQueue {
  private readonly entries: Entry[] = [];
  private head = 0;
  private timer: LongTimer | undefined;
  private timerAt = Infinity;
  private heldBytes = 0;
  private done = false;
  /** Due time of the last entry, so later ones never overtake it. */
  lastAt = 0;

  constructor(private readonly out: ToxicOutlet) {}

  get held(): number {
    return this.heldBytes;
  }

  get idle(): boolean {
    return this.head === this.entries.length;
  }

  now(): number {
    return performance.now();
  }

  /** Schedules a chunk (or the end, as null) at `at` ms on performance.now()'s clock, kept in order. */
  add(chunk: Buffer | null, at: number): void {
    if (this.done) return;
    const due = Math.max(at, this.lastAt);
    this.lastAt = due;
    // Nothing waiting and already due (latency 0, a slicer's first slice): no timer round.
    if (this.idle && due <= this.now()) {
      if (chunk === null) this.out.end();
      else this.out.push(chunk);
      return;
    }
    this.entries.push({ chunk, at: due });
    if (chunk) this.heldBytes += chunk.length;
    this.schedule();
  }

  /** Hands on everything now. */
  flush(): void {
    this.clearTimer();
    this.release(Infinity);
  }

  destroy(): void {
    this.done = true;
    this.clearTimer();
    this.entries.length = 0;
    this.head = 0;
    this.heldBytes = 0;
  }

  private schedule(): void {
    const next = this.entries[this.head];
    // An infinite due time (bandwidth 0) waits for a flush, not a timer.
    if (next === undefined || next.at >= this.timerAt || !Number.isFinite(next.at)) return;
    this.clearTimer();
    this.timerAt = next.at;
    this.timer = longTimeout(() => this.onTimer(), next.at - this.now());
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    // setTimeout has 1 ms granularity: release what is due within half a millisecond.
    this.release(this.now() + 0.5);
    this.schedule();
  }

  private release(until: number): void {
    while (this.head < this.entries.length && !this.done) {
      const entry = this.entries[this.head] as Entry;
      if (entry.at > until) break;
      this.head++;
      if (entry.chunk === null) this.out.end();
      else {
        this.heldBytes -= entry.chunk.length;
        this.out.push(entry.chunk);
      }
    }
    if (this.head === this.entries.length) {
      this.entries.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }

  private clearTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
