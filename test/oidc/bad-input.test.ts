// Malformed requests get the OAuth / OIDC error the specs prescribe, never a crash: after every
// one the twin still answers normally.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { CLIENT_ID, CLIENT_SECRET } from './oidc-kit.ts';

let h: TwinHarness;
let issuer: string;
const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
const form = 'application/x-www-form-urlencoded';

beforeAll(async () => {
  h = await startTwin(oidcTwin, {}, { seed: 5 });
  issuer = h.twin.endpoints.issuer as string;
});
afterAll(() => h?.stop());

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${issuer}${path}`, { method: 'POST', headers: { 'content-type': form, ...headers }, body });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

describe('token endpoint (RFC 6749 §5.2)', () => {
  it.each([
    ['no grant_type', '', basic, 400, 'invalid_request'],
    ['an unknown grant_type', 'grant_type=password', basic, 400, 'unsupported_grant_type'],
    ['a wrong secret', 'grant_type=client_credentials', `Basic ${Buffer.from(`${CLIENT_ID}:wrong`).toString('base64')}`, 401, 'invalid_client'],
    ['an unknown client', 'grant_type=client_credentials', `Basic ${Buffer.from('nobody:x').toString('base64')}`, 401, 'invalid_client'],
    ['garbage Basic credentials', 'grant_type=client_credentials', 'Basic !!!not-base64', 400, 'invalid_request'],
    ['an unknown code', 'grant_type=authorization_code&code=nope&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback', basic, 400, 'invalid_grant'],
    ['an unknown refresh token', 'grant_type=refresh_token&refresh_token=nope', basic, 400, 'invalid_grant'],
  ])('%s', async (_name, body, authorization, status, error) => {
    const answer = await post('/token', body, { authorization });
    expect(answer.status).toBe(status);
    expect(answer.json?.error).toBe(error);
  });

  it('a JSON body is invalid_request', async () => {
    const answer = await post('/token', '{"grant_type":"client_credentials"}', { authorization: basic, 'content-type': 'application/json' });
    expect(answer.status).toBe(400);
    expect(answer.json?.error).toBe('invalid_request');
  });

  it('a body over the size limit is refused, not buffered', async () => {
    const answer = await post('/token', `grant_type=client_credentials&pad=${'a'.repeat(200_000)}`, { authorization: basic });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });
});

describe('other endpoints', () => {
  it('userinfo without a token is 401 invalid_token with a Bearer challenge (RFC 6750 §3)', async () => {
    const response = await fetch(`${issuer}/me`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('introspection without a token is invalid_request', async () => {
    const answer = await post('/token/introspection', '', { authorization: basic });
    expect(answer.status).toBe(400);
    expect(answer.json?.error).toBe('invalid_request');
  });

  it('an authorization request for an unknown client is an error page, not a redirect', async () => {
    const response = await fetch(`${issuer}/auth?client_id=nobody&response_type=code&redirect_uri=http%3A%2F%2Fevil.example%2F`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_client');
  });

  it('an authorization request with an unregistered redirect_uri is not redirected there', async () => {
    const response = await fetch(`${issuer}/auth?client_id=${CLIENT_ID}&response_type=code&scope=openid&redirect_uri=http%3A%2F%2Fevil.example%2Fcb`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('an unknown interaction is a 400 with an OAuth error body', async () => {
    const response = await fetch(`${issuer}/interaction/does-not-exist`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('broken percent-encoding and raw garbage do not take the twin down', async () => {
    const response = await fetch(`${issuer}/auth?client_id=%E0%A4%A&response_type=code`, { redirect: 'manual' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const garbage = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(issuer).port), '127.0.0.1');
      let out = '';
      socket.on('data', (chunk) => (out += chunk.toString()));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
      socket.end('NOT HTTP AT ALL\r\n\r\n');
    });
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
  });

  it('still serves discovery after all of the above', async () => {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { issuer: string }).issuer).toBe(issuer);
  });
});
