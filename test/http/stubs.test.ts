// Stubs of the http twin, driven with fetch over a real socket.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { httpTwin } from '../../twins/http/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let harness: TwinHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(config: Record<string, unknown>, name = 'api'): Promise<{ url: string; h: TwinHarness }> {
  harness = await startTwin(httpTwin, config, { name });
  return { url: harness.twin.endpoints.url as string, h: harness };
}

describe('http twin stubs', () => {
  it('serves a stub by method and path, with JSON and text bodies and headers', async () => {
    const { url, h } = await start({
      stubs: [
        { request: { method: 'GET', path: '/health' }, response: { status: 200, body: 'ok' } },
        {
          request: { method: 'POST', path: '/orders' },
          response: { status: 201, headers: { 'X-Order': 'o-1' }, body: { id: 'o-1', status: 'new' } },
        },
      ],
    });
    expect(h.twin.env).toEqual({ HTTP_API_URL: url });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await health.text()).toBe('ok');

    const created = await fetch(`${url}/orders`, { method: 'POST', body: '{}' });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-order')).toBe('o-1');
    expect(created.headers.get('content-type')).toBe('application/json');
    expect(await created.json()).toEqual({ id: 'o-1', status: 'new' });

    // Same path, other method: no stub.
    expect((await fetch(`${url}/orders`)).status).toBe(404);
  });

  it('matches path params, regex paths, query, headers and bodies', async () => {
    const { url } = await start({
      stubs: [
        { id: 'user', request: { method: 'GET', path: '/users/:id' }, response: { body: { kind: 'user' } } },
        { id: 'invoice', request: { pathPattern: '/invoices/(?<number>INV-\\d+)' }, response: { body: 'invoice' } },
        {
          id: 'page2',
          request: { path: '/items', query: { page: '2', sort: { matches: 'asc|desc' } } },
          response: { body: 'page two' },
        },
        { id: 'items', request: { path: '/items', query: { page: { absent: true } } }, response: { body: 'first page' } },
        {
          id: 'auth',
          request: { path: '/me', headers: { Authorization: { contains: 'Bearer ' } } },
          response: { body: 'me' },
        },
        {
          id: 'charge',
          request: { method: 'POST', path: '/charges', body: { json: { amount: 500, card: { brand: 'visa' } } } },
          response: { status: 201, body: 'charged' },
        },
        { id: 'note', request: { method: 'POST', path: '/notes', body: { contains: 'urgent' } }, response: { body: 'noted' } },
        { id: 'file', request: { method: 'GET', path: '/files/*' }, response: { body: 'one segment' } },
        { id: 'tree', request: { method: 'GET', path: '/files/**' }, response: { body: 'any depth' } },
      ],
    });
    expect(await (await fetch(`${url}/users/42`)).json()).toEqual({ kind: 'user' });
    expect((await fetch(`${url}/users/42/extra`)).status).toBe(404);
    // The shared path syntax: `*` is one segment, `**` any number (none included).
    expect(await (await fetch(`${url}/files/a.txt`)).text()).toBe('one segment');
    expect(await (await fetch(`${url}/files/a/b.txt`)).text()).toBe('any depth');
    expect(await (await fetch(`${url}/files`)).text()).toBe('any depth');
    expect(await (await fetch(`${url}/invoices/INV-77`)).text()).toBe('invoice');
    expect((await fetch(`${url}/invoices/INV-x`)).status).toBe(404);
    expect(await (await fetch(`${url}/items?page=2&sort=desc`)).text()).toBe('page two');
    expect((await fetch(`${url}/items?page=2&sort=random`)).status).toBe(404);
    expect(await (await fetch(`${url}/items`)).text()).toBe('first page');
    expect((await fetch(`${url}/items?page=3`)).status).toBe(404);
    expect(await (await fetch(`${url}/me`, { headers: { authorization: 'Bearer t0k' } })).text()).toBe('me');
    expect((await fetch(`${url}/me`, { headers: { authorization: 'Basic x' } })).status).toBe(404);
    const charge = (body: unknown): Promise<Response> =>
      fetch(`${url}/charges`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Extra fields in the request are ignored; a different value is not.
    expect((await charge({ amount: 500, currency: 'eur', card: { brand: 'visa', last4: '4242' } })).status).toBe(201);
    expect((await charge({ amount: 501, card: { brand: 'visa' } })).status).toBe(404);
    expect(await (await fetch(`${url}/notes`, { method: 'POST', body: 'this is urgent!' })).text()).toBe('noted');
    expect((await fetch(`${url}/notes`, { method: 'POST', body: 'whenever' })).status).toBe(404);
  });

  it('renders templates from params, query, headers and the JSON body', async () => {
    const { url } = await start({
      stubs: [
        {
          request: { method: 'POST', path: '/users/:id/greet' },
          response: {
            status: 200,
            headers: { 'X-Trace': 'trace-{{request.headers.x-request-id}}' },
            body: {
              id: '{{request.params.id}}',
              greeting: 'Hello {{request.body.name}} from {{request.query.city}}',
              age: '{{request.body.age}}',
              firstTag: '{{request.body.tags.0}}',
              literal: '{{not a template}}',
            },
          },
        },
        { request: { path: '/echo' }, response: { body: '{{request.method}} {{request.url}}' } },
      ],
    });
    const res = await fetch(`${url}/users/u%207/greet?city=Oslo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'r-9' },
      body: JSON.stringify({ name: 'Ada', age: 36, tags: ['a', 'b'] }),
    });
    expect(res.headers.get('x-trace')).toBe('trace-r-9');
    expect(await res.json()).toEqual({
      id: 'u 7',
      greeting: 'Hello Ada from Oslo',
      age: 36,
      firstTag: 'a',
      literal: '{{not a template}}',
    });
    expect(await (await fetch(`${url}/echo?x=1`)).text()).toBe('GET /echo?x=1');
  });

  it('serves response sequences, repeating the last one, and restarts them on reset', async () => {
    const { url, h } = await start({
      stubs: [
        {
          request: { path: '/status' },
          responses: [{ status: 503 }, { status: 503 }, { status: 200, body: 'up' }],
        },
      ],
    });
    const statuses = async (n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await fetch(`${url}/status`)).status);
      return out;
    };
    expect(await statuses(5)).toEqual([503, 503, 200, 200, 200]);
    await h.twin.reset();
    expect(await statuses(3)).toEqual([503, 503, 200]);
  });

  it('follows scenario states from Started through newScenarioState', async () => {
    const { url, h } = await start({
      stubs: [
        {
          scenarioName: 'cart',
          requiredScenarioState: 'Started',
          request: { method: 'GET', path: '/cart' },
          response: { body: { items: [] } },
        },
        {
          scenarioName: 'cart',
          requiredScenarioState: 'Started',
          newScenarioState: 'has-item',
          request: { method: 'POST', path: '/cart' },
          response: { status: 201 },
        },
        {
          scenarioName: 'cart',
          requiredScenarioState: 'has-item',
          request: { method: 'GET', path: '/cart' },
          response: { body: { items: ['book'] } },
        },
      ],
    });
    expect(await (await fetch(`${url}/cart`)).json()).toEqual({ items: [] });
    expect((await fetch(`${url}/cart`, { method: 'POST' })).status).toBe(201);
    expect(await (await fetch(`${url}/cart`)).json()).toEqual({ items: ['book'] });
    // In state has-item no POST stub applies.
    expect((await fetch(`${url}/cart`, { method: 'POST' })).status).toBe(404);
    expect(((await h.twin.inspect()) as { scenarios: unknown }).scenarios).toEqual({ cart: 'has-item' });
    await h.twin.reset();
    expect(((await h.twin.inspect()) as { scenarios: unknown }).scenarios).toEqual({ cart: 'Started' });
    expect(await (await fetch(`${url}/cart`)).json()).toEqual({ items: [] });
    await h.twin.actions?.['set-scenario-state']?.({ scenario: 'cart', state: 'has-item' });
    expect(await (await fetch(`${url}/cart`)).json()).toEqual({ items: ['book'] });
  });

  it('adds stubs at runtime in front of config stubs, removes them, and resets to config', async () => {
    const { url, h } = await start({
      stubs: [{ id: 'base', request: { path: '/rate' }, response: { body: { rate: 1 } } }],
    });
    const actions = h.twin.actions ?? {};
    const added = (await actions['add-stub']?.({ request: { path: '/rate' }, response: { body: { rate: 2 } } })) as { id: string };
    expect(added.id).toBe('s1');
    expect(await (await fetch(`${url}/rate`)).json()).toEqual({ rate: 2 });
    await actions['add-stub']?.({ id: 'other', request: { path: '/other' }, response: { body: 'x' } });
    expect(await actions['remove-stub']?.({ id: 's1' })).toEqual({ removed: true });
    expect(await (await fetch(`${url}/rate`)).json()).toEqual({ rate: 1 });
    expect(await (await fetch(`${url}/other`)).text()).toBe('x');
    await actions['reset-stubs']?.({});
    expect((await fetch(`${url}/other`)).status).toBe(404);
    expect(await actions['add-stub']?.({ request: { path: '/again' }, response: {} })).toEqual({ id: 's1' });
    await actions['reset-stubs']?.({});
    const inspected = (await h.twin.inspect()) as { stubs: Array<{ id: string; source: string; hits: number }> };
    expect(inspected.stubs.map((s) => [s.id, s.source, s.hits])).toEqual([['base', 'config', 0]]);
  });

  it('rejects a bad stub naming the field', async () => {
    await expect(start({ stubs: [{ request: { method: 'GET' }, response: { status: 200 } }] })).rejects.toMatchObject({
      code: 'STANDIN_ERR_TWIN_CONFIG_INVALID',
      message: 'twins.api.stubs[0].request: needs path or pathPattern',
    });
    await expect(start({ stubs: [{ request: { pathPattern: '/a/(' }, response: {} }] })).rejects.toMatchObject({
      code: 'STANDIN_ERR_TWIN_CONFIG_INVALID',
      message: expect.stringMatching(/^twins\.api\.stubs\[0\]\.request\.pathPattern: invalid regular expression/),
    });
    await expect(
      start({ stubs: [{ request: { path: '/a' }, response: { body: '{{request.parms.id}}' } }] }),
    ).rejects.toMatchObject({ message: expect.stringContaining('twins.api.stubs[0].response.body: unknown template {{request.parms.id}}') });
    const { h } = await start({});
    await expect(h.twin.actions?.['add-stub']?.({ request: { path: '/x', query: { q: { matches: '[' } } }, response: {} })).rejects.toMatchObject({
      code: 'STANDIN_ERR_TWIN_ACTION_FAILED',
      message: expect.stringContaining('request.query.q.matches: invalid regular expression'),
    });
  });

  it('answers an unmatched request with a 404 naming the closest stubs, and journals it', async () => {
    const { url, h } = await start({
      stubs: [
        { id: 'create-order', request: { method: 'POST', path: '/orders' }, response: { status: 201 } },
        { id: 'get-order', request: { method: 'GET', path: '/orders/:id', headers: { accept: 'application/json' } }, response: {} },
        { id: 'unrelated', request: { method: 'DELETE', path: '/admin/cache/everything' }, response: {} },
      ],
    });
    const res = await fetch(`${url}/orders/7`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: string; nearMisses: Array<{ id: string; score: number; differences: unknown[] }> };
    expect(body.error).toBe('no stub matched GET /orders/7');
    expect(body.nearMisses.map((m) => m.id)).toEqual(['get-order', 'create-order', 'unrelated']);
    expect(body.nearMisses[0]?.differences).toEqual([{ field: 'headers.accept', expected: 'application/json', actual: 'text/html' }]);
    expect(body.nearMisses[0]?.score).toBe(0.8); // method 1 + path 3 of method 1 + path 3 + header 1
    expect(body.nearMisses[0]?.score).toBeGreaterThan(body.nearMisses[1]?.score as number);
    const unmatched = h.journal.query({ type: 'unmatched' }).events;
    expect(unmatched).toHaveLength(1);
    expect(unmatched[0]?.data?.nearMisses).toEqual(body.nearMisses);
  });

  it('journals each request and lists them in inspect with filters', async () => {
    const { url, h } = await start({
      stubs: [{ id: 'u', request: { path: '/users/:id' }, response: { body: 'u' } }],
    });
    await fetch(`${url}/users/1?verbose=yes`);
    await fetch(`${url}/users/2`, { method: 'PUT', body: 'x'.repeat(2000) });
    await fetch(`${url}/nothing`);
    const requests = h.journal.query({ type: 'request' }).events;
    expect(requests.map((e) => e.summary)).toEqual(['GET /users/1 → 200', 'PUT /users/2 → 200', 'GET /nothing → 404']);
    expect(requests[0]?.data).toMatchObject({ method: 'GET', path: '/users/1', query: { verbose: 'yes' }, status: 200, stub: 'u' });
    expect(requests[1]?.data).toMatchObject({ bodyBytes: 2000 });
    expect((requests[1]?.data?.body as string).length).toBeLessThan(600);
    const inspect = async (q: Record<string, unknown>): Promise<Array<{ path: string }>> =>
      ((await h.twin.inspect(q)) as { requests: Array<{ path: string }> }).requests;
    expect((await inspect({ method: 'put' })).map((r) => r.path)).toEqual(['/users/2']);
    expect((await inspect({ path: '/users/:id' })).map((r) => r.path)).toEqual(['/users/1', '/users/2']);
    expect((await inspect({ status: 404 })).map((r) => r.path)).toEqual(['/nothing']);
    await h.twin.reset();
    expect(await inspect({})).toEqual([]);
  });

  it('exports the url under urlEnv too and listens on a pinned port', async () => {
    const probe = await startTwin(httpTwin, {});
    const port = Number(new URL(probe.twin.endpoints.url as string).port);
    await probe.stop();
    const { url, h } = await start({ port, urlEnv: 'PAYMENTS_BASE_URL' }, 'pay-gw');
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(h.twin.env).toEqual({ HTTP_PAY_GW_URL: url, PAYMENTS_BASE_URL: url });
    await expect(startTwin(httpTwin, { port }, { name: 'second' })).rejects.toMatchObject({ code: 'STANDIN_ERR_TWIN_PORT_IN_USE' });
  });

  it('serves clients that use it as their HTTP proxy (absolute-form request targets)', async () => {
    const { url } = await start({ stubs: [{ request: { path: '/users/:id' }, response: { body: '{{request.params.id}}' } }] });
    const { port } = new URL(url);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: 'http://api.example.com/users/9?x=1' }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(`${res.statusCode} ${text}`));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('200 9');
  });

  it('declares the request and connection fault points', () => {
    expect(httpTwin.points.map((p) => p.name)).toEqual(['request', 'connection']);
    expect(Object.keys(httpTwin.points[0]?.actions ?? {})).toEqual(['delay', 'hang', 'error', 'disconnect', 'corrupt']);
  });
});
