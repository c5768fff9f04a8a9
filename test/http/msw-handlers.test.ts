// msw handlers loaded from a module file, answered by the http twin over HTTP.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesUnder } from '../../src/core/index.ts';
import { httpTwin } from '../../twins/http/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let harness: TwinHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(config: Record<string, unknown>): Promise<{ url: string; h: TwinHarness }> {
  // Paths resolve in the working directory, as under `standin run` from a scenario there.
  harness = await startTwin(httpTwin, config, { name: 'users', files: filesUnder(process.cwd()) });
  return { url: harness.twin.endpoints.url as string, h: harness };
}

describe('http twin with msw handlers', () => {
  it('answers requests with the handlers of a module (path relative to the working directory)', async () => {
    const { url, h } = await start({ handlers: 'test/http/fixtures/handlers.ts' });
    const user = await fetch(`${url}/user/7`);
    expect(user.status).toBe(200);
    expect(await user.json()).toEqual({ id: '7', name: 'Ada Lovelace' });

    const session = await fetch(`${url}/session`);
    expect(session.status).toBe(204);
    expect(session.headers.getSetCookie()).toEqual(['a=1', 'b=2']);

    // HttpResponse.error() is a network error for the client.
    await expect(fetch(`${url}/offline`)).rejects.toThrow(TypeError);

    // {once: true}: the second request falls through to the 404, reset re-arms it.
    expect(await (await fetch(`${url}/greeting`)).text()).toBe('hello once');
    expect((await fetch(`${url}/greeting`)).status).toBe(404);
    await h.twin.reset();
    expect(await (await fetch(`${url}/greeting`)).text()).toBe('hello once');

    // passthrough() falls through to the twin's 404.
    const passed = await fetch(`${url}/not-mine`);
    expect(passed.status).toBe(404);
    expect(((await passed.json()) as { error: string }).error).toBe('no stub or msw handler matched GET /not-mine');

    const broken = await fetch(`${url}/broken`);
    expect(broken.status).toBe(500);
    expect(await broken.json()).toMatchObject({ message: 'resolver bug' });

    const inspected = (await h.twin.inspect()) as { handlers: string[] };
    expect(inspected.handlers).toContain('GET /user/:id');
    expect(h.journal.query({ type: 'request' }).events[0]?.data).toMatchObject({ path: '/user/7', status: 200, answeredBy: 'msw' });
  });

  it('presents requests at handlersOrigin so handlers written for the real API match', async () => {
    const { url } = await start({
      handlers: join(process.cwd(), 'test/http/fixtures/handlers.ts'),
      handlersOrigin: 'https://api.example.com',
    });
    const res = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'book' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-handler')).toBe('msw');
    expect(await res.json()).toEqual({ sku: 'book', status: 'created' });
    // Relative handlers resolve against the same origin.
    expect((await fetch(`${url}/user/1`)).status).toBe(200);
  });

  it('without handlersOrigin, absolute-URL handlers of another origin do not match', async () => {
    const { url } = await start({ handlers: 'test/http/fixtures/handlers.ts' });
    expect((await fetch(`${url}/orders`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('gives stubs priority over handlers, and faults apply to handler answers', async () => {
    const { url, h } = await start({
      handlers: 'test/http/fixtures/handlers.ts',
      stubs: [{ request: { path: '/user/1' }, response: { body: { id: '1', name: 'stubbed' } } }],
    });
    expect(await (await fetch(`${url}/user/1`)).json()).toEqual({ id: '1', name: 'stubbed' });
    expect(await (await fetch(`${url}/user/2`)).json()).toEqual({ id: '2', name: 'Ada Lovelace' });
    h.addRule({ point: 'request', match: { path: '/user/:id' }, action: { corrupt: { how: 'malformed-json' } } });
    await expect((await fetch(`${url}/user/2`)).json()).rejects.toThrow(SyntaxError);
  });

  it('loads a default export', async () => {
    const { url } = await start({ handlers: 'test/http/fixtures/default-export.ts' });
    expect(await (await fetch(`${url}/default`)).text()).toBe('from default export');
  });

  it('names the field when the module is missing or exports no handlers', async () => {
    await expect(start({ handlers: 'test/http/fixtures/missing.ts' })).rejects.toMatchObject({
      code: 'STANDIN_ERR_TWIN_CONFIG_INVALID',
      message: expect.stringMatching(/^twins\.users\.handlers: cannot load msw handlers from .*missing\.ts/),
    });
    await expect(start({ handlers: 'test/http/fixtures/not-handlers.ts' })).rejects.toMatchObject({
      message: expect.stringMatching(/^twins\.users\.handlers: .*handlers\[0\] is not an msw request handler/),
    });
  });
});
