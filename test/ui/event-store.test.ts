// The timeline's columnar store (src/ui/public/event-store.js, a browser module without types):
// events kept in seq order however they arrive — live batches appended, older pages put in front,
// repeats ignored — with the layout growing underneath.
import { describe, expect, it } from 'vitest';

const modulePath = new URL('../../src/ui/public/event-store.js', import.meta.url).href;
const { EventStore } = (await import(modulePath)) as { EventStore: new (capacity?: number) => any };

function event(seq: number) {
  const fault = seq % 7 === 0 ? { rule: `r${seq % 3}`, action: 'error' } : undefined;
  return { seq, time: 1_000_000 + seq * 10, twin: seq % 2 ? 'db' : 'api', type: fault ? 'fault' : 'request', point: 'request', summary: `event ${seq}`, fault };
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => event(from + k));

describe('EventStore', () => {
  it('holds live batches and older pages in seq order across relayouts, ignoring repeats', () => {
    const store = new EventStore(16);
    store.append(range(5001, 5100));
    store.append(range(5050, 5200)); // a stream that replays what was already held
    for (let top = 5000; top > 0; top -= 937) store.prepend(range(Math.max(1, top - 936), top));
    store.prepend(range(1, 10)); // already held
    store.append(range(5201, 9000));

    expect(store.count).toBe(9000);
    expect([store.firstSeq, store.lastSeq]).toEqual([1, 9000]);
    const seqs: number[] = Array.from(store.seq.subarray(store.start, store.end) as Float64Array);
    expect(seqs.every((seq, k) => seq === k + 1)).toBe(true);
    expect(store.describe(store.start + 6)).toEqual({ seq: 7, time: 1_000_070, twin: 'db', type: 'fault', point: 'request', summary: 'event 7', fault: { rule: 'r1', action: 'error' } });
    expect(store.describe(store.start + 7).fault).toBeUndefined();
  });

  it('finds the first event at or after a time by binary search', () => {
    const store = new EventStore();
    store.append(range(1, 1000));
    expect(store.seq[store.lowerBound(0)]).toBe(1);
    expect(store.seq[store.lowerBound(1_000_055)]).toBe(6);
    expect(store.seq[store.lowerBound(1_000_060)]).toBe(6);
    expect(store.lowerBound(2_000_000)).toBe(store.end);
  });
});
