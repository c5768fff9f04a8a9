// Issue 11, items 8 and 19: a journal's memory follows what it holds, not what it may hold; it is
// bounded by estimated bytes as well as by events; and whatever leaves it, by eviction or reset,
// is counted in `dropped` so that events + dropped always add up to lastSeq.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, Journal } from '../../src/core/index.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

const JOURNAL_BYTES = 1024 * 1024;

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane([], { limits: { ...DEFAULT_LIMITS, journalBytes: JOURNAL_BYTES } });
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

describe('journal memory', () => {
  it('costs nothing up front for a large journalCapacity', async () => {
    const before = process.memoryUsage().heapUsed;
    const envs: Array<{ id: string; token: string }> = [];
    // Preallocated, each of these held 8 MB (1e6 slots): 160 MB for twenty empty environments.
    for (let i = 0; i < 20; i++) envs.push(await cp.createEnv({ journalCapacity: 1_000_000, twins: {} }));
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(60 * 1024 * 1024);
    for (const { id, token } of envs) expect((await cp.call('DELETE', `/environments/${id}`, { token })).status).toBe(204);
  });

  it('keeps events in order as the ring grows and wraps', () => {
    const journal = new Journal({ capacity: 3000 });
    for (let i = 0; i < 5000; i++) journal.append({ twin: 't', point: 'p', type: 'x', summary: `#${i}` });
    const page = journal.query({ limit: 10_000 });
    expect(page.events.length).toBe(3000);
    expect(page.events[0]?.seq).toBe(2001);
    expect(page.events.every((e, i) => e.seq === 2001 + i && e.summary === `#${2000 + i}`)).toBe(true);
    expect(page.dropped).toBe(2000);
    expect(journal.query({ since: 4990 }).events.map((e) => e.seq)).toEqual([4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000]);
  });

  it('evicts the oldest events past journalBytes, headers and all, and counts them', async () => {
    const env = await cp.createEnv({
      twins: { api: { kind: 'http', stubs: [{ request: { path: '/hit' }, response: { status: 200, body: 'ok' } }] } },
    });
    const url = env.twins.api.endpoints.url as string;
    // 300 requests with 8 KB of headers each: about 2.4 MB of journal against a 1 MB bound.
    const headers = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`x-padding-${i}`, 'h'.repeat(1000)]));
    for (let i = 0; i < 300; i++) {
      const response = await fetch(`${url}/hit`, { headers });
      expect(response.status).toBe(200);
      await response.text();
    }
    const { body } = await cp.call('GET', `/environments/${env.id}/journal?limit=100000`, { token: env.token });
    expect(body.dropped).toBeGreaterThan(100);
    expect(body.events.length + body.dropped).toBe(body.lastSeq);
    // What is kept stays near the bound (the estimate counts characters, JSON adds quotes and keys).
    expect(JSON.stringify(body.events).length).toBeLessThan(1.5 * JOURNAL_BYTES);
    expect(body.events.at(-1).data.headers['x-padding-7']).toBe('h'.repeat(1000));
    await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
  });

  it('counts the events a reset removed in dropped', async () => {
    const env = await cp.createEnv({
      twins: { api: { kind: 'http', stubs: [{ request: { path: '/hit' }, response: { status: 200 } }] } },
    });
    const auth = { token: env.token };
    for (let i = 0; i < 5; i++) await (await fetch(`${env.twins.api.endpoints.url}/hit`)).text();
    const before = (await cp.call('GET', `/environments/${env.id}/journal`, auth)).body;
    expect(before.events.length).toBeGreaterThanOrEqual(5);
    expect((await cp.call('POST', `/environments/${env.id}/reset`, auth)).status).toBeLessThan(300);
    await (await fetch(`${env.twins.api.endpoints.url}/hit`)).text();
    const after = (await cp.call('GET', `/environments/${env.id}/journal`, auth)).body;
    expect(after.lastSeq).toBeGreaterThan(before.lastSeq);
    expect(after.dropped).toBeGreaterThanOrEqual(before.events.length);
    expect(after.events.length + after.dropped).toBe(after.lastSeq);
    // A follower that had read up to before.lastSeq can tell history went away: its next event is not dense.
    expect(after.events[0].seq).toBeGreaterThan(before.lastSeq);
    await cp.call('DELETE', `/environments/${env.id}`, auth);
  });
});
