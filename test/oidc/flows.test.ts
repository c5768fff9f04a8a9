// The oidc twin's normal behaviour, driven by openid-client over real HTTP: discovery,
// client_credentials, headless authorization code + PKCE, refresh, userinfo, introspection,
// revocation, and the login choices (login_hint, default user, the page for browsers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { CLIENT_ID, callbackServer, codeGrant, discover, headlessLogin, rejection } from './oidc-kit.ts';

describe('oidc twin: default config', () => {
  let h: TwinHarness;
  let issuer: string;
  let rp: Awaited<ReturnType<typeof callbackServer>>;

  beforeAll(async () => {
    h = await startTwin(oidcTwin, {}, { seed: 7 });
    issuer = h.twin.endpoints.issuer as string;
    rp = await callbackServer();
  });
  afterAll(async () => {
    await rp?.close();
    await h?.stop();
  });

  it('exports the issuer and the default client in env', () => {
    expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.twin.env).toMatchObject({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: 'standin-secret' });
    expect(h.twin.env.OIDC_CLIENT_STANDIN_CLIENT_SECRET).toBe('standin-secret');
  });

  it('serves discovery that openid-client accepts', async () => {
    const config = await discover(issuer);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(issuer);
    expect(meta.token_endpoint).toBe(`${issuer}/token`);
    expect(meta.jwks_uri).toBe(h.twin.endpoints.jwks);
    expect(meta.code_challenge_methods_supported).toContain('S256');
  });

  it('issues client_credentials tokens that introspect as active', async () => {
    const config = await discover(issuer);
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(3600);
    const info = await client.tokenIntrospection(config, tokens.access_token);
    expect(info.active).toBe(true);
    expect(info.client_id).toBe(CLIENT_ID);
  });

  it('runs authorization code + PKCE headlessly, with an ID token signed by the JWKS', async () => {
    const config = await discover(issuer);
    const { tokens } = await codeGrant(config, rp.redirectUri);
    const claims = tokens.claims();
    expect(claims?.sub).toBe('user-1');
    expect(claims?.email).toBe('alice@example.test');
    const jwks = createRemoteJWKSet(new URL(h.twin.endpoints.jwks as string));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token as string, jwks, { issuer, audience: CLIENT_ID });
    expect(payload.sub).toBe('user-1');
    expect(protectedHeader.alg).toBe('RS256');
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('refreshes, serves userinfo, and revokes', async () => {
    const config = await discover(issuer);
    const { tokens } = await codeGrant(config, rp.redirectUri);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const userinfo = await client.fetchUserInfo(config, refreshed.access_token, 'user-1');
    expect(userinfo).toMatchObject({ sub: 'user-1', email: 'alice@example.test', name: 'Alice Example' });

    await client.tokenRevocation(config, refreshed.access_token);
    expect((await client.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);
    const error = await rejection(client.fetchUserInfo(config, refreshed.access_token, 'user-1'));
    expect(String(error.message) + JSON.stringify(error.cause ?? '')).toMatch(/invalid_token/);
  });

  it('picks the user named by login_hint, and refuses an unknown one with access_denied', async () => {
    const twoUsers = await startTwin(
      oidcTwin,
      { users: [{ sub: 'u-a', username: 'ann' }, { sub: 'u-b', username: 'bob', claims: { email: 'bob@example.test' } }] },
      { seed: 1 },
    );
    try {
      const config = await discover(twoUsers.twin.endpoints.issuer as string);
      const byUsername = await codeGrant(config, rp.redirectUri, { login_hint: 'bob' });
      expect(byUsername.tokens.claims()?.sub).toBe('u-b');
      const byEmail = await codeGrant(config, rp.redirectUri, { login_hint: 'bob@example.test' });
      expect(byEmail.tokens.claims()?.sub).toBe('u-b');
      const byDefault = await codeGrant(config, rp.redirectUri);
      expect(byDefault.tokens.claims()?.sub).toBe('u-a');

      const unknown = await headlessLogin(config, rp.redirectUri, { login_hint: 'mallory' });
      expect(unknown.callbackUrl.searchParams.get('error')).toBe('access_denied');
      const error = await rejection(client.authorizationCodeGrant(config, unknown.callbackUrl, { pkceCodeVerifier: unknown.codeVerifier, expectedState: unknown.state }));
      expect(error.error).toBe('access_denied');
    } finally {
      await twoUsers.stop();
    }
  });

  it('shows browsers a page listing the users, and completes with the one chosen', async () => {
    const config = await discover(issuer);
    const url = client.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const auth = await fetch(url, { redirect: 'manual' });
    const interaction = new URL(auth.headers.get('location') as string, issuer);
    const cookies = auth.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const page = await fetch(interaction, { headers: { accept: 'text/html', cookie: cookies } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('alice');
    expect(html).toContain(`action="${interaction.pathname}/login"`);
    const chosen = await fetch(`${interaction.href}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
      body: 'sub=user-1',
      redirect: 'follow',
    });
    expect(new URL(chosen.url).searchParams.get('code')).toBeTruthy();
  });

  it('runs the device flow headlessly: approve-device answers for the user, or denies', async () => {
    const config = await discover(issuer);
    const pending = await client.initiateDeviceAuthorization(config, { scope: 'openid email' });
    expect(pending.verification_uri).toBe(`${issuer}/device`);
    const approve = h.twin.actions?.['approve-device'];
    const answered = approve?.({ userCode: pending.user_code.toLowerCase() });
    const tokens = await client.pollDeviceAuthorizationGrant(config, { ...pending, interval: 0.1 } as typeof pending);
    expect(await answered).toMatchObject({ clientId: CLIENT_ID, sub: 'user-1' });
    expect(tokens.claims()?.sub).toBe('user-1');
    expect(tokens.claims()?.email).toBe('alice@example.test');

    const refused = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    await approve?.({ userCode: refused.user_code, deny: true });
    const error = await rejection(client.pollDeviceAuthorizationGrant(config, { ...refused, interval: 0.1 } as typeof refused));
    expect(error.error).toBe('access_denied');
    await expect(approve?.({ userCode: 'NOPE-NOPE' })).rejects.toThrow(/no pending device authorization/);
  });

  it('ends the session through RP-initiated logout and returns to post_logout_redirect_uri', async () => {
    const config = await discover(issuer);
    const { tokens } = await codeGrant(config, rp.redirectUri);
    const back = rp.redirectUri.replace('/callback', '/');
    const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token as string, post_logout_redirect_uri: back, state: 'bye' });
    // The provider answers with a self-submitting form (xsrf bound to its session cookie): do what a browser does.
    const page = await fetch(url, { redirect: 'manual' });
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const html = await page.text();
    const action = /action="([^"]+)"/.exec(html)?.[1] as string;
    const fields = new URLSearchParams([...html.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m): [string, string] => [m[1] as string, m[2] as string]));
    const done = await fetch(action, { method: 'POST', body: fields, headers: { cookie }, redirect: 'manual' });
    expect(done.status).toBe(303);
    const landed = new URL(done.headers.get('location') as string);
    expect(`${landed.origin}${landed.pathname}`).toBe(back);
    expect(landed.searchParams.get('state')).toBe('bye');
  });

  it('journals each request with its point, status and client', async () => {
    const config = await discover(issuer);
    await client.clientCredentialsGrant(config);
    const tokenEvents = h.journal.query({ point: 'token', type: 'request' }).events;
    expect(tokenEvents.at(-1)?.data).toMatchObject({ method: 'POST', path: '/token', status: 200, clientId: CLIENT_ID });
    expect(h.journal.query({ point: 'discovery', type: 'request' }).events.length).toBeGreaterThan(0);
    // Only fault points name a point: a path without one says its route, and actions carry a type only.
    await fetch(`${issuer}/token/revocation`, { method: 'POST' });
    await h.twin.actions?.['set-clock']?.({ offsetSeconds: 0 });
    const pointless = h.journal.query({}).events.filter((e) => e.point === undefined);
    expect(pointless.map((e) => [e.type, e.data?.route])).toEqual(expect.arrayContaining([['request', 'revocation'], ['action', undefined]]));
    const points = new Set(h.journal.query({}).events.map((e) => e.point).filter((p) => p !== undefined));
    expect([...points].every((p) => oidcTwin.points.some((point) => point.name === p))).toBe(true);
  });

  it('inspects and resets', async () => {
    const before = (await h.twin.inspect()) as Record<string, unknown>;
    expect(before).toMatchObject({ issuer, defaultUser: 'user-1', signingAlg: 'RS256', clockSkewSeconds: 0 });
    expect((before.issued as Record<string, number>).ClientCredentials).toBeGreaterThan(0);
    const config = await discover(issuer);
    const tokens = await client.clientCredentialsGrant(config);
    await h.twin.reset();
    const after = (await h.twin.inspect()) as Record<string, unknown>;
    expect(after.issued).toEqual({ minted: 0 });
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });
});
