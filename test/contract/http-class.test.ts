// The contract of the request-level fault actions on the HTTP-speaking twin kinds (http, stripe,
// oidc): the same rule at each kind's request-class point has the same effect on the wire, seen
// through a raw socket — the status of `error {status}`, at least `ms` of `delay`, the body bytes
// before a partial-response cut and whether the cut is a FIN or an RST, `hang` until the client
// gives up, `corrupt`, and which paths a `path` glob matches. A new HTTP-speaking kind joins the
// table below and inherits every check.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwinKind } from '../../src/core/index.ts';
import { httpTwin } from '../../twins/http/index.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { stripeTwin } from '../../twins/stripe/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

interface Subject {
  kind: string;
  start(): Promise<TwinHarness>;
  /** The point every check below puts its rule at, and a request its normal answer is a 200 JSON body. */
  point: string;
  target(h: TwinHarness): { url: string; headers: Record<string, string> };
  /** A point whose paths the glob check can vary, and the request paths it sees. */
  globPoint: string;
  globBase: string;
}

const start = (kind: TwinKind, config: Record<string, unknown> = {}) => () => startTwin(kind, config, { seed: 11 });

const SUBJECTS: Subject[] = [
  {
    kind: 'http',
    start: start(httpTwin, {
      stubs: [{ request: { method: 'GET', path: '/contract' }, response: { status: 200, body: { items: Array.from({ length: 20 }, (_, i) => `item-${i}`) } } }],
    }),
    point: 'request',
    target: (h) => ({ url: `${h.twin.endpoints.url}/contract`, headers: {} }),
    globPoint: 'request',
    globBase: '/auth',
  },
  {
    kind: 'stripe',
    start: start(stripeTwin),
    point: 'request',
    target: (h) => ({ url: `${h.twin.endpoints.url}/v1/balance`, headers: { authorization: `Bearer ${h.twin.env.STRIPE_SECRET_KEY}` } }),
    globPoint: 'request',
    globBase: '/auth',
  },
  {
    kind: 'oidc',
    start: start(oidcTwin),
    point: 'discovery',
    target: (h) => ({ url: `${h.twin.endpoints.issuer}/.well-known/openid-configuration`, headers: {} }),
    // The authorization endpoint is /auth and its resumes /auth/<uid>: the one point with many paths.
    globPoint: 'authorize',
    globBase: '/auth',
  },
];

interface WireResult {
  /** Status of the answer, or null when no head arrived. */
  status: number | null;
  /** Content-Length the head announced. */
  contentLength: number | null;
  /** Body bytes that arrived after the head. */
  body: Buffer;
  /** How the connection ended: a FIN, an RST, or still open when the client gave up. */
  end: 'fin' | 'reset' | 'client-gave-up';
  elapsedMs: number;
}

/** One GET over a raw socket, read until the twin ends the connection or `giveUpMs` passes. */
function rawGet(target: { url: string; headers: Record<string, string> }, giveUpMs = 20_000): Promise<WireResult> {
  const url = new URL(target.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // Half-open, so that after the twin's end the client may still write: a write after a FIN
    // succeeds, a write after an RST fails. Node reports an RST that arrives with unread data as a
    // plain end (libuv's POLLHUP), so the end event alone cannot tell them apart.
    const socket = net.connect({ port: Number(url.port), host: url.hostname, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (end: WireResult['end']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const headEnd = all.indexOf('\r\n\r\n');
      const head = headEnd < 0 ? '' : all.subarray(0, headEnd).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
      resolve({
        status: status === undefined ? null : Number(status),
        contentLength: length === undefined ? null : Number(length),
        body: headEnd < 0 ? Buffer.alloc(0) : all.subarray(headEnd + 4),
        end,
        elapsedMs: performance.now() - started,
      });
    };
    const timer = setTimeout(() => finish('client-gave-up'), giveUpMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => socket.write('x', (error) => finish(error ? 'reset' : 'fin')));
    socket.on('error', (error: NodeJS.ErrnoException) => (['ECONNRESET', 'EPIPE'].includes(error.code ?? '') ? finish('reset') : reject(error)));
    const headers = Object.entries({ host: url.host, connection: 'close', ...target.headers }).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\n${headers.join('')}\r\n`);
  });
}

describe.each(SUBJECTS)('request actions on the wire: $kind', (subject) => {
  let h: TwinHarness;
  let normal: WireResult;
  const ruleAt = (action: Record<string, unknown>, point = subject.point, match: Record<string, unknown> = {}) =>
    h.addRule({ point, match, action, trigger: { times: 1 } });

  beforeAll(async () => {
    h = await subject.start();
    normal = await rawGet(subject.target(h));
  }, 60_000);
  afterAll(async () => h?.stop());

  it('answers the target normally: 200, a JSON body, a clean end', () => {
    expect(normal).toMatchObject({ status: 200, end: 'fin' });
    expect(normal.body.length).toBe(normal.contentLength);
    expect(normal.body.length).toBeGreaterThan(20);
  });

  it('error {status}: that status', async () => {
    ruleAt({ error: { status: 503 } });
    expect((await rawGet(subject.target(h))).status).toBe(503);
  });

  it('delay {ms}: the answer no sooner than ms later', async () => {
    ruleAt({ delay: { ms: 400 } });
    const delayed = await rawGet(subject.target(h));
    expect(delayed.status).toBe(200);
    expect(delayed.elapsedMs).toBeGreaterThanOrEqual(400);
  });

  it('hang: nothing arrives and the connection stays open until the client gives up', async () => {
    ruleAt({ hang: {} });
    expect(await rawGet(subject.target(h), 500)).toMatchObject({ status: null, body: Buffer.alloc(0), end: 'client-gave-up' });
  });

  it('disconnect (after: request): cut before a byte, FIN or RST', async () => {
    ruleAt({ disconnect: {} });
    expect(await rawGet(subject.target(h))).toMatchObject({ status: null, end: 'fin' });
    ruleAt({ disconnect: { after: 'request', reset: true } });
    expect(await rawGet(subject.target(h))).toMatchObject({ status: null, end: 'reset' });
  });

  it('disconnect partial-response {bytes}: the head, exactly that many body bytes, then the cut', async () => {
    ruleAt({ disconnect: { after: 'partial-response', bytes: 10 } });
    const cut = await rawGet(subject.target(h));
    expect(cut).toMatchObject({ status: 200, contentLength: normal.contentLength, end: 'fin' });
    expect(cut.body.equals(normal.body.subarray(0, 10))).toBe(true);
  });

  it('disconnect partial-response without bytes: half the body; reset: an RST after it', async () => {
    ruleAt({ disconnect: { after: 'partial-response' } });
    const half = await rawGet(subject.target(h));
    expect(half).toMatchObject({ status: 200, end: 'fin' });
    expect(half.body.length).toBe(Math.floor(normal.body.length / 2));
    ruleAt({ disconnect: { after: 'partial-response', bytes: 10_000_000, reset: true } });
    const reset = await rawGet(subject.target(h));
    expect(reset.end).toBe('reset');
    // Never the whole body, however many bytes the rule names.
    expect(reset.body.length).toBeLessThan(normal.body.length);
  });

  it('corrupt: truncate keeps Content-Length true to a shorter body; empty is a 200 with none', async () => {
    ruleAt({ corrupt: { how: 'truncate' } });
    const truncated = await rawGet(subject.target(h));
    expect(truncated).toMatchObject({ status: 200, end: 'fin' });
    expect(truncated.body.length).toBe(truncated.contentLength);
    expect(truncated.body.length).toBeLessThan(normal.body.length);
    expect(normal.body.subarray(0, truncated.body.length).equals(truncated.body)).toBe(true);
    ruleAt({ corrupt: { how: 'empty' } });
    expect(await rawGet(subject.target(h))).toMatchObject({ status: 200, contentLength: 0, body: Buffer.alloc(0) });
    ruleAt({ corrupt: { how: 'malformed-json' } });
    const malformed = await rawGet(subject.target(h));
    expect(() => JSON.parse(malformed.body.toString('utf8'))).toThrow(SyntaxError);
  });
});

describe('path globs match the same paths on every HTTP-speaking kind', () => {
  const GLOBS = ['/auth', '/auth/*', '/auth/:uid', '/auth/**', '/**', '/auth/x*'] as const;
  const PATHS = ['/auth', '/auth/x1', '/auth/x1/y', '/auth/'] as const;
  // What the README says each glob means: `*` and `:name` one segment, `**` any number.
  const EXPECTED: Record<(typeof GLOBS)[number], Array<(typeof PATHS)[number]>> = {
    '/auth': ['/auth'],
    '/auth/*': ['/auth/x1'],
    '/auth/:uid': ['/auth/x1'],
    '/auth/**': ['/auth', '/auth/x1', '/auth/x1/y', '/auth/'],
    '/**': ['/auth', '/auth/x1', '/auth/x1/y', '/auth/'],
    '/auth/x*': ['/auth/x1'],
  };

  it.each(SUBJECTS)('$kind', async (subject) => {
    await using h = await subject.start();
    const base = subject.target(h).url;
    const origin = new URL(base).origin;
    const matched: Record<string, string[]> = {};
    for (const glob of GLOBS) {
      // One rule at a time, removed before the next: a 418 means this glob matched.
      const rule = h.addRule({ point: subject.globPoint, match: { method: 'GET', path: glob }, action: { error: { status: 418 } } });
      matched[glob] = [];
      for (const path of PATHS) {
        const answer = await rawGet({ url: `${origin}${path}`, headers: {} });
        if (answer.status === 418) matched[glob].push(path);
      }
      h.faults.remove(rule.id);
    }
    expect(matched).toEqual(EXPECTED);
  }, 60_000);
});
