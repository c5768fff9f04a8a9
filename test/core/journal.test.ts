import { describe, expect, it } from 'vitest';
import { estimateBytes, Journal } from '../../src/core/index.ts';

const entry = (i: number) => ({ twin: i % 2 ? 'a' : 'b', point: 'request', type: i % 3 ? 'request' : 'fault', summary: `#${i}` });

describe('journal', () => {
  it('numbers events from 1 and filters by twin, type and since', () => {
    const journal = new Journal({ capacity: 100 });
    for (let i = 0; i < 10; i++) journal.append(entry(i));
    expect(journal.query().events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(journal.query({ twin: 'a' }).events.every((e) => e.twin === 'a')).toBe(true);
    expect(journal.query({ type: 'fault' }).events.map((e) => e.summary)).toEqual(['#0', '#3', '#6', '#9']);
    expect(journal.query({ since: 7 }).events.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(journal.query({ since: 2, limit: 2 }).events.map((e) => e.seq)).toEqual([3, 4]);
  });

  it('gives a point only to fault-point events, and a point filter skips the others', () => {
    const journal = new Journal({ capacity: 10 });
    journal.append({ twin: 'a', point: 'query', type: 'request', summary: 'select 1' });
    journal.append({ twin: 'a', type: 'state', summary: 'reset' });
    const [atPoint, stateChange] = journal.query().events;
    expect(atPoint?.point).toBe('query');
    expect(stateChange && 'point' in stateChange).toBe(false);
    expect(journal.query({ point: 'query' }).events.map((e) => e.summary)).toEqual(['select 1']);
    expect(journal.query({ type: 'state' }).events.map((e) => e.summary)).toEqual(['reset']);
  });

  it('keeps the newest events past its capacity and counts the dropped ones', () => {
    const journal = new Journal({ capacity: 5 });
    for (let i = 0; i < 12; i++) journal.append(entry(i));
    const page = journal.query();
    expect(page.events.map((e) => e.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(page.dropped).toBe(7);
    expect(page.lastSeq).toBe(12);
    expect(journal.query({ since: 2 }).events[0]?.seq).toBe(8);
    expect(journal.query({ since: 10 }).events.map((e) => e.seq)).toEqual([11, 12]);
  });

  it('streams appended events to subscribers that match the filter', () => {
    const journal = new Journal({ capacity: 10 });
    const seen: number[] = [];
    const off = journal.subscribe((e) => seen.push(e.seq), { twin: 'a' });
    for (let i = 0; i < 4; i++) journal.append(entry(i));
    off();
    journal.append(entry(5));
    expect(seen).toEqual([2, 4]);
  });

  it('clear empties the journal but sequence numbers go on, and counts what it removed as dropped', () => {
    const journal = new Journal({ capacity: 10 });
    journal.append(entry(1));
    journal.clear();
    expect(journal.query()).toEqual({ events: [], dropped: 1, lastSeq: 1 });
    expect(journal.append(entry(2)).seq).toBe(2);
    expect(journal.query().dropped).toBe(1);
  });

  it('evicts the oldest past maxBytes, but always keeps the newest', () => {
    const big = { twin: 'a', point: 'p', type: 't', summary: 's', data: { headers: { 'x-pad': 'x'.repeat(1000) } } };
    const size = estimateBytes({ ...big, seq: 1, time: 0 });
    expect(size).toBeGreaterThan(1000);
    const journal = new Journal({ capacity: 100, maxBytes: size * 3 });
    for (let i = 0; i < 10; i++) journal.append(big);
    expect(journal.query().events.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(journal.query().dropped).toBe(7);
    const tiny = new Journal({ maxBytes: 10 });
    tiny.append(big);
    tiny.append(big);
    expect(tiny.query()).toMatchObject({ dropped: 1, lastSeq: 2 });
    expect(tiny.query().events.map((e) => e.seq)).toEqual([2]);
  });

  it('grows its ring as events come, in order, up to the same bound, wrapped or not', () => {
    // Past the first slots the ring doubles; with the byte bound evicting meanwhile, the oldest kept
    // event sits mid-ring when it grows.
    const one = estimateBytes({ ...entry(1), seq: 1, time: 0 });
    const journal = new Journal({ capacity: 5000, maxBytes: one * 3000 });
    for (let i = 1; i <= 4000; i++) journal.append(entry(i));
    const kept = journal.query({ limit: 5000 }).events;
    expect(kept.length).toBeGreaterThan(2000);
    expect(kept.at(-1)?.seq).toBe(4000);
    expect(kept.every((e, i) => i === 0 || e.seq === (kept[i - 1] as { seq: number }).seq + 1)).toBe(true);
    expect(journal.query().dropped).toBe(4000 - kept.length);
    const full = new Journal({ capacity: 3000 });
    for (let i = 1; i <= 7000; i++) full.append(entry(i));
    expect(full.query({ limit: 5000 }).events.map((e) => e.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => 4001 + i));
    expect(full.query({ since: 6990 }).events.map((e) => e.seq)).toEqual([6991, 6992, 6993, 6994, 6995, 6996, 6997, 6998, 6999, 7000]);
  });
});
