// A ToxicOutlet that records what a toxic hands on, for the toxics' unit tests.
import { performance } from 'node:perf_hooks';
import type { CloseHow, ToxicOutlet } from './toxic.ts';

export interface Recorded {
  kind: 'push' | 'end' | 'close';
  data?: string;
  how?: CloseHow;
  /** ms since the recorder was made. */
  at: number;
}

export interface OutletRecorder extends ToxicOutlet {
  events: Recorded[];
  text(): string;
  settled(ms: number): Promise<void>;
  /** Waits until `count` events were recorded, failing after a generous 5 s. */
  until(count: number): Promise<void>;
}

export function outletRecorder(): OutletRecorder {
  const started = performance.now();
  const events: Recorded[] = [];
  const at = (): number => performance.now() - started;
  return {
    events,
    push: (chunk) => events.push({ kind: 'push', data: chunk.toString(), at: at() }),
    end: () => events.push({ kind: 'end', at: at() }),
    close: (how) => events.push({ kind: 'close', how, at: at() }),
    text: () => events.filter((e) => e.kind === 'push').map((e) => e.data).join(''),
    settled: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    until: async (count) => {
      const deadline = performance.now() + 5000;
      while (events.length < count) {
        if (performance.now() > deadline) throw new Error(`only ${events.length} of ${count} events after 5 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}
