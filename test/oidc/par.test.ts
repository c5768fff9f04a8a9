// Pushed authorization requests (RFC 9126) through openid-client: the endpoint in discovery, a
// request_uri that works once and expires, PAR required for every client or for one, and faults at
// the `par` point.
import { afterEach, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { callbackServer, discover, rejection } from './oidc-kit.ts';

const harnesses: TwinHarness[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all([...harnesses.splice(0).map((h) => h.stop()), ...closers.splice(0).map((close) => close())]);
});

async function setup(config: Record<string, unknown> = {}) {
  const h = await startTwin(oidcTwin, config, { seed: 13 });
  harnesses.push(h);
  const rp = await callbackServer();
  closers.push(rp.close);
  const issuer = h.twin.endpoints.issuer as string;
  return { h, rp, issuer, config: await discover(issuer) };
}

/** The authorization parameters of a code + PKCE request. */
async function authorizationParams(redirectUri: string) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  return {
    codeVerifier,
    state,
    params: {
      redirect_uri: redirectUri,
      scope: 'openid email',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    },
  };
}

/** What the authorization endpoint answers a request_uri with, followed as a headless agent would. */
async function follow(url: URL): Promise<{ landed: URL; status: number; body: string }> {
  const response = await fetch(url, { redirect: 'follow' });
  return { landed: new URL(response.url), status: response.status, body: await response.text() };
}

describe('pushed authorization requests', () => {
  it('lists the endpoint, and a pushed request completes the code flow', async () => {
    const { h, rp, issuer, config } = await setup();
    expect(config.serverMetadata().pushed_authorization_request_endpoint).toBe(`${issuer}/request`);
    const { params, codeVerifier, state } = await authorizationParams(rp.redirectUri);
    const url = await client.buildAuthorizationUrlWithPAR(config, params);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const { landed } = await follow(url);
    const tokens = await client.authorizationCodeGrant(config, landed, { pkceCodeVerifier: codeVerifier, expectedState: state });
    expect(tokens.claims()?.email).toBe('alice@example.test');
    const pushed = h.journal.query({ point: 'par', type: 'request' }).events;
    expect(pushed.at(-1)?.data).toMatchObject({ method: 'POST', path: '/request', status: 201, clientId: 'standin-client' });
  });

  it('a request_uri works once', async () => {
    const { rp, config } = await setup();
    const url = await client.buildAuthorizationUrlWithPAR(config, (await authorizationParams(rp.redirectUri)).params);
    expect((await follow(url)).landed.searchParams.get('code')).toBeTruthy();
    const again = await follow(url);
    expect(again.status).toBe(400);
    // No redirect_uri it can trust: the provider shows the error on its own page (RFC 6749 §4.1.2.1).
    expect(again.body).toContain('invalid_request_uri');
    expect(again.body).toContain('request_uri is invalid, expired, or was already used');
  });

  it('a request_uri expires after 60 s of issuer time', async () => {
    const { h, rp, config } = await setup();
    const url = await client.buildAuthorizationUrlWithPAR(config, (await authorizationParams(rp.redirectUri)).params);
    await h.twin.actions?.['set-clock']?.({ offsetSeconds: 61 });
    const late = await follow(url);
    expect(late.status).toBe(400);
    expect(late.body).toContain('invalid_request_uri');
  });

  it('requirePushedAuthorizationRequests refuses a plain authorization request', async () => {
    const { rp, config } = await setup({ features: { requirePushedAuthorizationRequests: true } });
    expect(config.serverMetadata().require_pushed_authorization_requests).toBe(true);
    const { params } = await authorizationParams(rp.redirectUri);
    const plain = await follow(client.buildAuthorizationUrl(config, params));
    expect(plain.landed.searchParams.get('error')).toBe('invalid_request');
    expect(plain.landed.searchParams.get('error_description')).toMatch(/Pushed Authorization Request must be used/);
    expect((await follow(await client.buildAuthorizationUrlWithPAR(config, params))).landed.searchParams.get('code')).toBeTruthy();
  });

  it('require_pushed_authorization_requests binds one client only', async () => {
    const { rp, issuer } = await setup({
      clients: [
        { client_id: 'strict', client_secret: 's1', require_pushed_authorization_requests: true },
        { client_id: 'lax', client_secret: 's2' },
      ],
    });
    const { params } = await authorizationParams(rp.redirectUri);
    const strict = await discover(issuer, { clientId: 'strict', clientSecret: 's1' });
    expect((await follow(client.buildAuthorizationUrl(strict, params))).landed.searchParams.get('error')).toBe('invalid_request');
    const lax = await discover(issuer, { clientId: 'lax', clientSecret: 's2' });
    expect((await follow(client.buildAuthorizationUrl(lax, params))).landed.searchParams.get('code')).toBeTruthy();
  });

  it('faults at the par point, matched by path and client', async () => {
    const { h, rp, config } = await setup();
    const { params } = await authorizationParams(rp.redirectUri);
    h.addRule({ point: 'par', match: { path: '/request', clientId: 'standin-client' }, action: { error: { error: 'invalid_request', error_description: 'pushed too fast' } }, trigger: { times: 1 } });
    const refused = await rejection(client.buildAuthorizationUrlWithPAR(config, params));
    expect(refused).toMatchObject({ error: 'invalid_request', error_description: 'pushed too fast' });
    h.addRule({ point: 'par', action: { disconnect: {} }, trigger: { times: 1 } });
    await expect(client.buildAuthorizationUrlWithPAR(config, params)).rejects.toThrow();
    expect((await follow(await client.buildAuthorizationUrlWithPAR(config, params))).landed.searchParams.get('code')).toBeTruthy();
    const faulted = h.journal.query({ point: 'par', type: 'request' }).events.filter((e) => e.fault !== undefined);
    expect(faulted.map((e) => e.fault?.action)).toEqual(['error', 'disconnect']);
  });

  it('features.pushedAuthorizationRequests: false removes the endpoint', async () => {
    const { config } = await setup({ features: { pushedAuthorizationRequests: false } });
    expect(config.serverMetadata().pushed_authorization_request_endpoint).toBeUndefined();
  });
});
