// Issue 11 item 1: the DNS-rebinding guard of a loopback server without an admin token answers only
// Host names that are loopback: `localhost`, a dotted quad in 127.0.0.0/8, `[::1]`, each with an
// optional port. A name that merely starts with `127.` is an attacker's domain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback, isLoopbackHostHeader } from '../../src/api/auth.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';
import { rawRequest } from '../support/raw-http.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

const refused = [
  '127.0.0.1.attacker.example',
  '127.0.0.1.attacker.example:4510',
  '127.attacker.example',
  '127.0.0.256',
  '127.0.0',
  '127.1',
  '127.0.0.1:80:80',
  '127.0.0.1:port',
  'localhost.attacker.example',
  'attacker.example',
  '10.0.0.1',
  '0.0.0.0',
  '[::2]',
  '[::1].attacker.example',
  '::1',
];
const accepted = ['localhost', 'LOCALHOST:4510', '127.0.0.1', '127.0.0.1:4510', '127.255.255.254:1', '[::1]', '[::1]:4510'];

describe('DNS-rebinding guard', () => {
  it.each(refused)('refuses Host: %s with 403 STANDIN_ERR_API_FORBIDDEN_HOST', async (host) => {
    const scenario = { scenario: { run: { command: 'echo pwned' } } };
    const response = await rawRequest(cp.url, 'POST', '/scenarios/run', {
      headers: { host, 'content-type': 'application/json' },
      body: JSON.stringify(scenario),
    });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('STANDIN_ERR_API_FORBIDDEN_HOST');
  });

  it.each(accepted)('answers Host: %s', async (host) => {
    const response = await rawRequest(cp.url, 'GET', '/health', { headers: { host } });
    expect(response.status).toBe(200);
  });

  it('keeps the --host check of `standin serve` exact', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '127.0.0.1.attacker.example', '127.0.0.300', '', '10.1.2.3']) expect(isLoopback(host)).toBe(false);
    expect(isLoopbackHostHeader(undefined)).toBe(false);
  });
});
