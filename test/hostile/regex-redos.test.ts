// Issue 11, item 11: user regular expressions run on a linear-time engine (RE2), so `(a+)+` against
// a run of `a`s no longer freezes every environment for 10–20 s; a pattern that does not compile is
// a 400 naming its field (postgres `regex` used to be accepted and never match), and one larger than
// patternLength (as written or once compiled) is refused the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePattern, DEFAULT_LIMITS, FaultEngine, Journal } from '../../src/core/index.ts';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

const EVIL = '(a+)+$';
const RUN = 'a'.repeat(31);

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane([], { limits: { ...DEFAULT_LIMITS, patternLength: 50 } });
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

describe('user regular expressions', () => {
  it('match in linear time in http stubs and fault rules', async () => {
    const env = await cp.createEnv({
      twins: {
        api: {
          kind: 'http',
          stubs: [
            { request: { pathPattern: '/(a+)+' }, response: { status: 200 } },
            { request: { path: '/h', headers: { 'x-evil': { matches: EVIL } } }, response: { status: 200 } },
          ],
        },
      },
      faults: [{ twin: 'api', point: 'request', match: { query: { q: { matches: EVIL } } }, action: { error: { status: 503 } } }],
    });
    const url = env.twins.api.endpoints.url as string;
    const started = performance.now();
    // Each of these took 10–20 s of a blocked event loop with backtracking JavaScript RegExps.
    expect((await fetch(`${url}/${RUN}!`)).status).toBe(404);
    expect((await fetch(`${url}/h`, { headers: { 'x-evil': `${RUN}!` } })).status).toBe(404);
    expect((await fetch(`${url}/h?q=${RUN}!`)).status).toBe(404);
    expect(performance.now() - started).toBeLessThan(5000);
    // And they still match what they should.
    expect((await fetch(`${url}/${RUN}`)).status).toBe(200);
    expect((await fetch(`${url}/x?q=${RUN}`)).status).toBe(503);
    await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
  });

  it('match in linear time in postgres query rules', () => {
    const faults = new FaultEngine({ seed: 1, journal: new Journal(), twins: { kindOf: () => postgresTwin, names: () => ['db'] } });
    faults.add({ twin: 'db', point: 'query', match: { regex: `select ${EVIL}` }, action: { hang: {} } });
    const started = performance.now();
    const event = { sql: `SELECT ${RUN}!`, kind: 'select', table: [], inTransaction: false };
    expect(faults.decide('db', 'query', event)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(faults.decide('db', 'query', { ...event, sql: `SELECT ${RUN}` })?.action).toBe('hang');
  });

  it('refuses a postgres regex that does not compile with STANDIN_ERR_FAULT_INVALID naming match.regex', async () => {
    // Rules are checked before any twin starts, so this needs no database.
    const refused = await cp.call('POST', '/environments', {
      body: { twins: { db: { kind: 'postgres' } }, faults: [{ twin: 'db', point: 'query', match: { regex: 'select (' }, action: { hang: {} } }] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('STANDIN_ERR_FAULT_INVALID');
    expect(refused.body.message).toMatch(/^faults\[0\]\.match\.regex: invalid regular expression \(RE2 syntax\): missing closing \)/);
  });

  it('refuses patterns over patternLength, written or compiled, and RE2-only syntax errors', async () => {
    const env = await cp.createEnv({ twins: { api: { kind: 'http' } } });
    const add = (match: unknown) => cp.call('POST', `/environments/${env.id}/faults`, { token: env.token, body: { twin: 'api', point: 'request', match, action: { hang: {} } } });
    const long = await add({ pathPattern: `/${'x'.repeat(60)}` });
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ code: 'STANDIN_ERR_FAULT_INVALID' });
    expect(long.body.message).toMatch(/^body\.match\.pathPattern: regular expression longer than 50 characters/);
    const big = await add({ headers: { 'x-a': { matches: 'a{1000}' } } });
    expect(big.status).toBe(400);
    expect(big.body.message).toMatch(/^body\.match\.headers\.x-a\.matches: regular expression compiles to \d+ instructions, more than 50/);
    const lookahead = await add({ pathPattern: '/(?=a)a' });
    expect(lookahead.status).toBe(400);
    expect(lookahead.body.message).toContain('match.pathPattern: invalid regular expression (RE2 syntax)');
    expect((await add({ pathPattern: '/(?<id>[0-9]+)' })).status).toBe(201);
    await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });

    // Stubs are held to the same server limit.
    const stub = await cp.call('POST', '/environments', {
      body: { twins: { api: { kind: 'http', stubs: [{ request: { pathPattern: '/[a-z]{100}' }, response: {} }] } } },
    });
    expect(stub.status).toBe(400);
    expect(stub.body).toMatchObject({ code: 'STANDIN_ERR_TWIN_CONFIG_INVALID' });
    expect(stub.body.message).toMatch(/^twins\.api\.stubs\[0\]\.request\.pathPattern: regular expression compiles to \d+ instructions, more than 50/);
  });

  it('compiles with the flags each site needs', () => {
    expect(compilePattern('^two$', { multiline: true }).test('one\ntwo\nthree')).toBe(true);
    expect(compilePattern('select', { ignoreCase: true }).test('SELECT 1')).toBe(true);
    expect(compilePattern('/a', { whole: true }).test('/ab')).toBe(false);
    expect(() => compilePattern('a)|(b', { whole: true })).toThrow(/invalid regular expression/);
    expect(compilePattern('/(?<id>\\d+)', { whole: true }).groups('/42')).toEqual({ id: '42' });
  });
});
