// Several issuers in one twin (`issuers: [...]`), as a multi-tenant IdP serves them: each under its
// own path with its own keys, clients and users, discovered and used through openid-client; tokens
// of one are worthless at another; faults and actions aim at one issuer by path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { callbackServer, codeGrant, discover, headlessLogin, rejection } from './oidc-kit.ts';

let h: TwinHarness;
let rp: Awaited<ReturnType<typeof callbackServer>>;
let root: string;
let acme: string;
let globex: string;

beforeAll(async () => {
  h = await startTwin(
    oidcTwin,
    {
      issuers: [
        { path: '/tenants/acme', clients: [{ client_id: 'acme-web', client_secret: 'acme-secret' }], users: [{ sub: 'wile', username: 'wile', claims: { email: 'wile@acme.test' } }] },
        { path: '/tenants/globex', signingAlg: 'ES256', clients: [{ client_id: 'globex-api', client_secret: 'globex-secret', grant_types: ['client_credentials'] }] },
      ],
    },
    { seed: 23 },
  );
  root = h.twin.endpoints.issuer as string;
  acme = h.twin.endpoints['tenants/acme.issuer'] as string;
  globex = h.twin.endpoints['tenants/globex.issuer'] as string;
  rp = await callbackServer();
});
afterAll(async () => {
  await rp?.close();
  await h?.stop();
});

describe('several issuers in one twin', () => {
  it('exports each issuer and its clients under its own env names', () => {
    expect(acme).toBe(`${root}/tenants/acme`);
    expect(h.twin.env).toMatchObject({
      OIDC_ISSUER: root,
      OIDC_CLIENT_ID: 'standin-client',
      OIDC_TENANTS_ACME_ISSUER: acme,
      OIDC_TENANTS_ACME_CLIENT_ID: 'acme-web',
      OIDC_TENANTS_ACME_CLIENT_SECRET: 'acme-secret',
      OIDC_TENANTS_GLOBEX_CLIENT_GLOBEX_API_ID: 'globex-api',
    });
  });

  it('serves each issuer its own discovery, keys and endpoints under its path', async () => {
    const config = await discover(acme, { clientId: 'acme-web', clientSecret: 'acme-secret' });
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(acme);
    expect(meta.token_endpoint).toBe(`${acme}/token`);
    expect(meta.pushed_authorization_request_endpoint).toBe(`${acme}/request`);
    const kids = async (issuer: string) => ((await (await fetch(`${issuer}/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    const [rootKids, acmeKids] = await Promise.all([kids(root), kids(acme)]);
    expect(acmeKids.some((kid) => rootKids.includes(kid))).toBe(false);
  });

  it('runs the headless code flow at a tenant, with its users, and ID tokens its JWKS verifies', async () => {
    const config = await discover(acme, { clientId: 'acme-web', clientSecret: 'acme-secret' });
    const { tokens } = await codeGrant(config, rp.redirectUri);
    expect(tokens.claims()).toMatchObject({ iss: acme, sub: 'wile', aud: 'acme-web' });
    await jwtVerify(tokens.id_token as string, createRemoteJWKSet(new URL(`${acme}/jwks`)), { issuer: acme });
    await expect(jwtVerify(tokens.id_token as string, createRemoteJWKSet(new URL(`${root}/jwks`)))).rejects.toThrow();
    expect(await client.fetchUserInfo(config, tokens.access_token, 'wile')).toMatchObject({ email: 'wile@acme.test' });
  });

  it('keeps clients and tokens apart: a client of one issuer is unknown at another, a token inactive there', async () => {
    const globexConfig = await discover(globex, { clientId: 'globex-api', clientSecret: 'globex-secret' });
    const tokens = await client.clientCredentialsGrant(globexConfig);
    expect((await client.tokenIntrospection(globexConfig, tokens.access_token)).active).toBe(true);
    const atRoot = await discover(root, { clientId: 'globex-api', clientSecret: 'globex-secret' });
    const unknown = await rejection(client.clientCredentialsGrant(atRoot));
    expect(unknown.status).toBe(401);
    expect(JSON.stringify(unknown.cause)).toContain('invalid_client');
    const rootConfig = await discover(root);
    expect((await client.tokenIntrospection(rootConfig, tokens.access_token)).active).toBe(false);
  });

  it('journals requests with their issuer; a rule matched by path hits one issuer only', async () => {
    h.addRule({ point: 'token', match: { path: '/tenants/globex/token' }, action: { error: { error: 'temporarily_unavailable', status: 400 } }, trigger: { times: 1 } });
    const rootConfig = await discover(root);
    expect((await client.clientCredentialsGrant(rootConfig)).access_token).toBeTruthy();
    const globexConfig = await discover(globex, { clientId: 'globex-api', clientSecret: 'globex-secret' });
    expect((await rejection(client.clientCredentialsGrant(globexConfig))).error).toBe('temporarily_unavailable');
    const last = h.journal.query({ point: 'token', type: 'request' }).events.at(-1);
    expect(last?.data).toMatchObject({ path: '/tenants/globex/token', issuer: '/tenants/globex', status: 400 });
  });

  it("corrupts a tenant's authorization redirect (wrong-state) across its headless interaction", async () => {
    h.addRule({ point: 'authorize', match: { path: '/tenants/acme/auth' }, action: { corrupt: { how: 'wrong-state' } }, trigger: { times: 1 } });
    const config = await discover(acme, { clientId: 'acme-web', clientSecret: 'acme-secret' });
    const login = await headlessLogin(config, rp.redirectUri);
    expect(login.callbackUrl.searchParams.get('code')).toBeTruthy();
    expect(login.callbackUrl.searchParams.get('state')).not.toBe(login.state);
    expect(login.callbackUrl.searchParams.get('state')?.startsWith(login.state)).toBe(true);
  });

  it('aims actions at one issuer: mint-token and rotate-keys by issuer path', async () => {
    const minted = (await h.twin.actions?.['mint-token']?.({ issuer: '/tenants/globex', sub: 'someone' })) as { token: string };
    const { protectedHeader } = await jwtVerify(minted.token, createRemoteJWKSet(new URL(`${globex}/jwks`)), { issuer: globex });
    expect(protectedHeader.alg).toBe('ES256');
    const rotated = (await h.twin.actions?.['rotate-keys']?.({ issuer: '/tenants/acme', graceSeconds: 0 })) as { kid: string };
    const inspected = (await h.twin.inspect()) as { activeKid: string; issuers: Array<{ path: string; activeKid: string }> };
    expect(inspected.issuers.find((i) => i.path === '/tenants/acme')?.activeKid).toBe(rotated.kid);
    expect(inspected.activeKid).not.toBe(rotated.kid);
    await expect(h.twin.actions?.['mint-token']?.({ issuer: '/tenants/nobody' })).rejects.toThrow(/no issuer at \/tenants\/nobody/);
  });

  it.each([
    [{ issuers: [{ path: '/token' }] }, /issuers\[0\]\.path: \/token is a route of the issuer at \//],
    [{ issuers: [{ path: '/a' }, { path: '/a/b' }] }, /issuers\[1\]\.path: \/a\/b overlaps the issuer at \/a/],
    [{ issuers: [{ path: '/a-b' }, { path: '/a_b' }] }, /issuers\[1\]\.path: \/a_b gives the same env names/],
    [{ issuers: [{ path: '/x', defaultUser: 'ghost' }] }, /issuers\[0\]\.defaultUser: no user with sub ghost/],
  ])('refuses issuers that cannot work: %j', async (config, message) => {
    const error = await rejection(startTwin(oidcTwin, config));
    expect(error.message).toMatch(message);
  });
});
