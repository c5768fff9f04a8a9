// Issue 11 item 17 (the control API's part) and the journalCapacity bound: mistakes in the shape or
// size of a request are 4xx answers that name the problem, never a 500 or a stall. A body nested
// 10,000 deep, a YAML alias bomb or depth bomb in /scenarios/run, a body over --limit-api-body-bytes,
// a journalCapacity over --limit-journal-events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/index.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';
import { rawRequest } from '../support/raw-http.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

async function post(path: string, body: string, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return rawRequest(cp.url, 'POST', path, { headers, body });
}

const billionLaughs = [
  'name: laughs',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  '',
].join('\n');

describe('request bodies: depth and size', () => {
  it('answers a stub body nested 10,000 deep with a 400 naming where, and creates nothing', async () => {
    const spec = `{"twins":{"web":{"kind":"http","stubs":[{"request":{"method":"GET","path":"/"},"response":{"status":200,"body":${nested(10_000)}}}]}}}`;
    const { status, body } = await post('/environments', spec);
    expect(status).toBe(400);
    expect(body.code).toBe('STANDIN_ERR_API_VALIDATION');
    expect(body.message).toContain('body.twins.web.stubs[0].response.body.a');
    expect(body.message).toContain(`more than ${DEFAULT_LIMITS.apiBodyDepth} levels`);
    expect((await cp.call('GET', '/environments')).body.environments).toEqual([]);
  });

  it('answers deep bodies on every route the same way (scenario as an object, twin actions, fault rules)', async () => {
    expect((await post('/scenarios/run', `{"scenario":{"name":"x","twins":${nested(10_000)}}}`)).status).toBe(400);
    const env = await cp.createEnv({ twins: { web: { kind: 'http' } } });
    try {
      const action = await post(`/environments/${env.id}/twins/web/actions/anything`, nested(10_000), env.token);
      expect(action.status).toBe(400);
      expect(action.body.message).toContain('body.a.a');
      const rule = `{"twin":"web","point":"request","match":${nested(10_000)},"action":{"error":{"status":503}}}`;
      expect((await post(`/environments/${env.id}/faults`, rule, env.token)).status).toBe(400);
    } finally {
      await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
    }
  });

  it(`answers a body over ${DEFAULT_LIMITS.apiBodyBytes} bytes with 413 STANDIN_ERR_API_BODY_TOO_LARGE`, async () => {
    const body = JSON.stringify({ twins: {}, name: 'x'.repeat(DEFAULT_LIMITS.apiBodyBytes) });
    const answer = await post('/environments', body);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ code: 'STANDIN_ERR_API_BODY_TOO_LARGE', statusCode: 413 });
    expect(answer.body.message).toContain(String(DEFAULT_LIMITS.apiBodyBytes));
  });
});

describe('scenario YAML', () => {
  it('answers a billion-laughs alias bomb with a 400 naming the field, at once', async () => {
    const { status, body } = await cp.call('POST', '/scenarios/run', { body: { scenario: billionLaughs } });
    expect(status).toBe(400);
    expect(body.code).toBe('STANDIN_ERR_SCENARIO_INVALID');
    expect(body.message).toMatch(/scenario\.yaml:\d+:\d+: [a-g]\b.*alias/);
  });

  it(`answers more than ${DEFAULT_LIMITS.yamlAliases} anchors and aliases (their count squared to resolve) with a 400`, async () => {
    const lines = ['name: many', 'x:'];
    for (let i = 0; i < DEFAULT_LIMITS.yamlAliases; i++) lines.push(`  - &a${i} v`, `  - *a${i}`);
    const { status, body } = await cp.call('POST', '/scenarios/run', { body: { scenario: lines.join('\n') } });
    expect(status).toBe(400);
    expect(body.message).toContain(`x[${DEFAULT_LIMITS.yamlAliases}]: more than ${DEFAULT_LIMITS.yamlAliases} anchors and aliases`);
  });

  it.each([
    ['a cycle', 'name: loop\na: &a [*a]\n', 'a[0]: alias *a is inside its own anchor'],
    ['an alias with no anchor', 'name: lost\na: *nowhere\n', 'a: alias *nowhere names no anchor'],
  ])('answers %s with a 400 naming the field', async (_label, scenario, message) => {
    const { status, body } = await cp.call('POST', '/scenarios/run', { body: { scenario } });
    expect(status).toBe(400);
    expect(body.message).toContain(message);
  });

  it(`answers YAML text over ${DEFAULT_LIMITS.yamlBytes} bytes with a 400 before parsing it`, async () => {
    const scenario = `name: long\nx: [${'1,'.repeat(DEFAULT_LIMITS.yamlBytes / 2)}1]\n`;
    const { status, body } = await cp.call('POST', '/scenarios/run', { body: { scenario } });
    expect(status).toBe(400);
    expect(body.message).toContain(`(document): longer than ${DEFAULT_LIMITS.yamlBytes} bytes`);
  });

  it.each([
    ['flow', `${'['.repeat(200_000)}${']'.repeat(200_000)}`],
    ['block', `${'- '.repeat(100_000)}1`],
    ['indented map', Array.from({ length: 1_000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')],
    ['flow map', `name: deep\ntwins: ${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}`],
  ])('answers a YAML %s depth bomb with a 400 naming the depth', async (_label, scenario) => {
    const { status, body } = await cp.call('POST', '/scenarios/run', { body: { scenario } });
    expect(status).toBe(400);
    expect(body.code).toBe('STANDIN_ERR_SCENARIO_INVALID');
    expect(body.message).toContain(`more than ${DEFAULT_LIMITS.apiBodyDepth} levels`);
  });
});

describe('journalCapacity', () => {
  it(`is refused above the server's journalEvents limit (${DEFAULT_LIMITS.journalEvents}) with STANDIN_ERR_LIMIT_JOURNAL`, async () => {
    const { status, body } = await cp.call('POST', '/environments', { body: { twins: {}, journalCapacity: DEFAULT_LIMITS.journalEvents + 1 } });
    expect(status).toBe(400);
    expect(body.code).toBe('STANDIN_ERR_LIMIT_JOURNAL');
    expect(body.message).toContain(`journalCapacity: ${DEFAULT_LIMITS.journalEvents + 1}`);
    const scenario = `name: big\njournalCapacity: ${DEFAULT_LIMITS.journalEvents * 5}\ntwins: {}\nrun: {command: "true"}\n`;
    const run = await cp.call('POST', '/scenarios/run', { body: { scenario } });
    expect(run.status).toBe(400);
    expect(run.body.code).toBe('STANDIN_ERR_LIMIT_JOURNAL');
    expect((await cp.call('GET', '/environments')).body.environments).toEqual([]);
    const atLimit = await cp.createEnv({ twins: {}, journalCapacity: DEFAULT_LIMITS.journalEvents });
    expect((await cp.call('DELETE', `/environments/${atLimit.id}`, { token: atLimit.token })).status).toBe(204);
  });
});
