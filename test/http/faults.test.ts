// Fault actions at point `request` of the http twin, seen by fetch over a real socket.
import { afterEach, describe, expect, it } from 'vitest';
import { httpTwin } from '../../twins/http/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const harnesses: TwinHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

const ORDER = { id: 'o-1', items: [{ sku: 'book', qty: 2 }], total: 4200 };

async function start(seed = 1): Promise<{ url: string; h: TwinHarness }> {
  const h = await startTwin(
    httpTwin,
    {
      stubs: [
        { id: 'order', request: { method: 'GET', path: '/orders/:id' }, response: { body: ORDER } },
        { id: 'ping', request: { path: '/ping' }, response: { body: 'pong' } },
      ],
    },
    { seed, name: 'shop' },
  );
  harnesses.push(h);
  return { url: h.twin.endpoints.url as string, h };
}

describe('http twin faults at point request', () => {
  it('delay answers at least the delay later, only for matching requests', async () => {
    const { url, h } = await start();
    h.addRule({ point: 'request', match: { method: 'GET', path: '/orders/:id' }, action: { delay: { ms: 500 } } });
    let t = performance.now();
    const res = await fetch(`${url}/orders/1`);
    expect(await res.json()).toEqual(ORDER);
    expect(performance.now() - t).toBeGreaterThanOrEqual(495);
    t = performance.now();
    await (await fetch(`${url}/ping`)).text();
    expect(performance.now() - t).toBeLessThan(400);
    const events = h.journal.query({ type: 'request' }).events;
    expect(events[0]?.fault).toEqual({ rule: 'r1', action: 'delay' });
    expect(events[1]?.fault).toBeUndefined();
  });

  it('hang never answers, so the client timeout fires', async () => {
    const { url, h } = await start();
    h.addRule({ point: 'request', match: { path: '/ping' }, action: { hang: {} } });
    await expect(fetch(`${url}/ping`, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(h.journal.query({ type: 'request' }).events[0]?.data).toMatchObject({ status: null, answeredBy: 'fault' });
  });

  it('error answers with the given status, body and headers', async () => {
    const { url, h } = await start();
    h.addRule({
      point: 'request',
      match: { method: 'GET', pathPattern: '/orders/\\d+' },
      action: { error: { status: 503, body: { message: 'try later' }, headers: { 'Retry-After': '2' } } },
      trigger: { times: 1 },
    });
    const first = await fetch(`${url}/orders/12`);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(await first.json()).toEqual({ message: 'try later' });
    const second = await fetch(`${url}/orders/12`);
    expect(second.status).toBe(200);
    h.addRule({ id: 'plain', point: 'request', match: { path: '/ping' }, action: { error: { status: 500 } } });
    expect(await (await fetch(`${url}/ping`)).json()).toEqual({ error: 'Internal Server Error', standinFault: 'plain' });
  });

  it('matches rules on query, headers and a body substring', async () => {
    const { url, h } = await start();
    h.addRule({
      point: 'request',
      match: { query: { mode: 'slow' }, headers: { 'X-Tenant': 'acme' }, body: 'boom' },
      action: { error: { status: 418 } },
    });
    const send = (query: string, tenant: string, body: string): Promise<number> =>
      fetch(`${url}/ping${query}`, { method: 'POST', headers: { 'x-tenant': tenant }, body }).then((r) => r.status);
    expect(await send('?mode=slow', 'acme', 'a boom b')).toBe(418);
    expect(await send('?mode=fast', 'acme', 'a boom b')).toBe(200);
    expect(await send('?mode=slow', 'other', 'a boom b')).toBe(200);
    expect(await send('?mode=slow', 'acme', 'quiet')).toBe(200);
  });

  it('disconnect before the response makes fetch reject, with and without reset', async () => {
    const { url, h } = await start();
    h.addRule({ id: 'close', point: 'request', match: { path: '/ping' }, action: { disconnect: {} } });
    await expect(fetch(`${url}/ping`)).rejects.toThrow(TypeError);
    h.faults.remove('close');
    h.addRule({ point: 'request', match: { path: '/ping' }, action: { disconnect: { after: 'request', reset: true } } });
    const error = await fetch(`${url}/ping`).then(
      () => undefined,
      (e: Error & { cause?: { code?: string } }) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.cause?.code).toBe('ECONNRESET');
  });

  it('disconnect after part of the body: headers arrive, reading the body fails', async () => {
    const { url, h } = await start();
    h.addRule({ id: 'cut', point: 'request', action: { disconnect: { after: 'partial-response', bytes: 10 } } });
    const res = await fetch(`${url}/orders/1`);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(JSON.stringify(ORDER).length);
    await expect(res.text()).rejects.toThrow();
    h.faults.remove('cut');
    h.addRule({ point: 'request', action: { disconnect: { after: 'partial-response', reset: true } } });
    await expect(fetch(`${url}/orders/1`).then((r) => r.text())).rejects.toThrow();
    expect(h.journal.query({ type: 'request' }).events.map((e) => e.data?.status)).toEqual([null, null]);
  });

  it('corrupt truncate: a complete response whose JSON body is cut short', async () => {
    const { url, h } = await start();
    h.addRule({ point: 'request', action: { corrupt: { how: 'truncate' } } });
    const res = await fetch(`${url}/orders/1`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeLessThan(JSON.stringify(ORDER).length);
    expect(JSON.stringify(ORDER).startsWith(text)).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('corrupt malformed-json: the JSON client fails to parse', async () => {
    const { url, h } = await start();
    h.addRule({ point: 'request', action: { corrupt: { how: 'malformed-json' } } });
    const res = await fetch(`${url}/orders/1`);
    expect(res.headers.get('content-type')).toBe('application/json');
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it('corrupt wrong-content-type: same bytes under another content type', async () => {
    const { url, h } = await start();
    h.addRule({ point: 'request', action: { corrupt: { how: 'wrong-content-type' } } });
    const res = await fetch(`${url}/orders/1`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(JSON.parse(await res.text())).toEqual(ORDER);
  });

  it('faults apply to unmatched requests too, and a rule removed under traffic stops applying', async () => {
    const { url, h } = await start();
    h.addRule({ id: 'e', point: 'request', action: { error: { status: 502 } } });
    expect((await fetch(`${url}/no-such-thing`)).status).toBe(502);
    h.faults.remove('e');
    expect((await fetch(`${url}/no-such-thing`)).status).toBe(404);
  });

  it('a rule fires only for its methods, in any case; a rule without one for every method; removing it stops it', async () => {
    const { url, h } = await start();
    const post = h.addRule({ point: 'request', match: { method: ['put', 'post'] }, action: { error: { status: 503 } } });
    expect((await fetch(`${url}/orders/1`)).status).toBe(200);
    expect((await fetch(`${url}/orders/1`, { method: 'POST' })).status).toBe(503);
    expect(h.faults.get(post.id)).toMatchObject({ matched: 1, fired: 1 });
    const any = h.addRule({ point: 'request', match: { path: '/orders/2' }, action: { error: { status: 502 } } });
    expect((await fetch(`${url}/orders/2`)).status).toBe(502);
    expect((await fetch(`${url}/orders/1`)).status).toBe(200);
    h.faults.remove(any.id);
    expect((await fetch(`${url}/orders/2`)).status).toBe(200);
    h.faults.remove(post.id);
    expect((await fetch(`${url}/orders/1`, { method: 'POST' })).status).toBe(404);
  });

  it('probability draws from the seed: same seed, same faults; other seed, other faults', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const { url, h } = await start(seed);
      h.addRule({ id: 'flaky', point: 'request', action: { error: { status: 503 } }, trigger: { probability: 0.3 } });
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await fetch(`${url}/ping`)).status);
      return statuses;
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const failures = a.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
  });

  it('stop() ends requests that hang', async () => {
    const { url, h } = await start();
    h.addRule({ point: 'request', action: { hang: {} } });
    const pending = fetch(`${url}/ping`).then(
      () => 'answered',
      () => 'failed',
    );
    while (h.journal.query({ type: 'request' }).events.length === 0) await new Promise((r) => setTimeout(r, 10));
    const t = performance.now();
    await h.stop();
    expect(performance.now() - t).toBeLessThan(1000);
    expect(await pending).toBe('failed');
  });
});

describe('http twin fault rule validation', () => {
  it('refuses a rule whose match has a bad regular expression, naming the field', async () => {
    const h = await startTwin(httpTwin, {}, { name: 'shop' });
    harnesses.push(h);
    expect(() => h.addRule({ point: 'request', match: { pathPattern: '/a/(' }, action: { hang: {} } })).toThrow(
      /^match\.pathPattern: invalid regular expression \(RE2 syntax\)/,
    );
    expect(() => h.addRule({ point: 'request', match: { headers: { x: { matches: '[' } } }, action: { hang: {} } })).toThrow(
      /^match\.headers\.x/,
    );
  });

  it('refuses a path the shared glob syntax cannot mean, naming the field', async () => {
    const h = await startTwin(httpTwin, {}, { name: 'shop' });
    harnesses.push(h);
    for (const path of ['orders', '/orders/a**', '/orders/:1']) {
      expect(() => h.addRule({ point: 'request', match: { path }, action: { hang: {} } }), path).toThrow(/^match\.path/);
    }
    expect(() => h.addRule({ point: 'request', match: { path: ['/ok', 'bad'] }, action: { hang: {} } })).toThrow(/^match\.path/);
  });
});
