// Config beyond the defaults: several clients and their env vars, public clients and PKCE,
// signing algorithms, token TTLs, feature switches, and configs that cannot work.
import { afterEach, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { callbackServer, codeGrant, discover, headlessLogin, rejection } from './oidc-kit.ts';

const harnesses: TwinHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

async function start(config: Record<string, unknown>): Promise<TwinHarness> {
  const h = await startTwin(oidcTwin, config, { seed: 2 });
  harnesses.push(h);
  return h;
}

describe('oidc twin config', () => {
  it('exports every client as OIDC_CLIENT_<NAME>_ID/_SECRET, the first also as OIDC_CLIENT_ID/_SECRET', async () => {
    const h = await start({
      clients: [
        { client_id: 'web-app', client_secret: 's1', redirect_uris: ['http://127.0.0.1:3000/cb'] },
        { client_id: 'billing.worker', client_secret: 's2', grant_types: ['client_credentials'] },
        { client_id: 'spa', token_endpoint_auth_method: 'none' },
      ],
    });
    expect(h.twin.env).toEqual({
      OIDC_ISSUER: h.twin.endpoints.issuer,
      OIDC_CLIENT_ID: 'web-app',
      OIDC_CLIENT_SECRET: 's1',
      OIDC_CLIENT_WEB_APP_ID: 'web-app',
      OIDC_CLIENT_WEB_APP_SECRET: 's1',
      OIDC_CLIENT_BILLING_WORKER_ID: 'billing.worker',
      OIDC_CLIENT_BILLING_WORKER_SECRET: 's2',
      OIDC_CLIENT_SPA_ID: 'spa',
    });
    const worker = await discover(h.twin.endpoints.issuer as string, { clientId: 'billing.worker', clientSecret: 's2' });
    expect((await client.clientCredentialsGrant(worker)).access_token).toBeTruthy();
    // billing.worker may use client_credentials only.
    const web = await discover(h.twin.endpoints.issuer as string, { clientId: 'billing.worker', clientSecret: 's2' });
    const refused = await rejection(client.refreshTokenGrant(web, 'x'));
    expect(refused.error_description).toBe('requested grant type is not allowed for this client');
  });

  it('a public client must use PKCE and authenticates with none', async () => {
    const h = await start({ clients: [{ client_id: 'spa', token_endpoint_auth_method: 'none' }] });
    const rp = await callbackServer();
    try {
      const config = await client.discovery(new URL(h.twin.endpoints.issuer as string), 'spa', undefined, client.None(), {
        execute: [client.allowInsecureRequests],
      });
      const { tokens } = await codeGrant(config, rp.redirectUri);
      expect(tokens.claims()?.sub).toBe('user-1');
      const withoutPkce = await fetch(
        client.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri, scope: 'openid', state: 's' }),
        { redirect: 'follow' },
      );
      const landed = new URL(withoutPkce.url);
      expect(landed.searchParams.get('error')).toBe('invalid_request');
      expect(landed.searchParams.get('error_description')).toMatch(/requires PKCE/);
    } finally {
      await rp.close();
    }
  });

  it.each(['PS256', 'ES256', 'EdDSA'] as const)('signs the provider’s ID tokens with %s', async (alg) => {
    const h = await start({ signingAlg: alg });
    const rp = await callbackServer();
    try {
      const issuer = h.twin.endpoints.issuer as string;
      const config = await client.discovery(new URL(issuer), 'standin-client', { id_token_signed_response_alg: alg }, client.ClientSecretBasic('standin-secret'), {
        execute: [client.allowInsecureRequests],
      });
      expect(config.serverMetadata().id_token_signing_alg_values_supported).toEqual([alg, 'RS256']);
      const { tokens } = await codeGrant(config, rp.redirectUri);
      expect(decodeProtectedHeader(tokens.id_token as string).alg).toBe(alg);
      await jwtVerify(tokens.id_token as string, createRemoteJWKSet(new URL(h.twin.endpoints.jwks as string)), { issuer });
    } finally {
      await rp.close();
    }
  });

  it('applies token TTLs, extra claims per scope, and switches features off', async () => {
    const h = await start({
      ttl: { clientCredentials: 120 },
      users: [{ sub: 'u-9', claims: { groups: ['ops'], email: 'ops@example.test' } }],
      claims: { groups: ['groups'] },
      features: { introspection: false, userinfo: false },
    });
    const rp = await callbackServer();
    try {
      const config = await discover(h.twin.endpoints.issuer as string);
      expect((await client.clientCredentialsGrant(config)).expires_in).toBe(120);
      expect(config.serverMetadata().introspection_endpoint).toBeUndefined();
      expect(config.serverMetadata().userinfo_endpoint).toBeUndefined();
      const { tokens } = await codeGrant(config, rp.redirectUri, { scope: 'openid groups' });
      expect(tokens.claims()).toMatchObject({ sub: 'u-9', groups: ['ops'] });
      expect(tokens.claims()?.email).toBeUndefined();
      const login = await headlessLogin(config, rp.redirectUri, { scope: 'openid unknown-scope' });
      expect(login.callbackUrl.searchParams.get('code')).toBeTruthy();
    } finally {
      await rp.close();
    }
  });

  it.each([
    [{ clients: [{ client_id: 'a', client_secret: 'x' }, { client_id: 'a', client_secret: 'y' }] }, /clients\[1\]\.client_id: duplicate/],
    [{ clients: [{ client_id: 'a', token_endpoint_auth_method: 'client_secret_post' }] }, /clients\[0\]\.client_secret: required/],
    [{ defaultUser: 'ghost' }, /defaultUser: no user with sub ghost/],
    [{ clients: [{ client_id: 'a', token_endpoint_auth_method: 'private_key_jwt' }] }, /clients\[0\]\.jwks: required with token_endpoint_auth_method private_key_jwt/],
    [{ clients: [{ client_id: 'a', token_endpoint_auth_method: 'client_secret_jwt' }] }, /clients\[0\]\.client_secret: required/],
    [
      { clients: [{ client_id: 'a', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', d: 'AA' }] } }] },
      /clients\[0\]\.jwks\.keys\[0\]: a private or symmetric key/,
    ],
    [{ clients: [{ client_id: 'a', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-256' }] } }] }, /clients\[0\]\.jwks\.keys\[0\]: not a public JWK/],
    [{ clients: [{ client_id: 'a', client_secret: 's', token_endpoint_auth_signing_alg: 'ES256' }] }, /token_endpoint_auth_signing_alg: ES256 goes with token_endpoint_auth_method private_key_jwt/],
    [{ features: { tokenExchange: false }, clients: [{ client_id: 'a', client_secret: 's', grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange'] }] }, /clients\[0\]\.grant_types: .* needs features\.tokenExchange/],
    [{ features: { pushedAuthorizationRequests: false, requirePushedAuthorizationRequests: true } }, /features\.requirePushedAuthorizationRequests: needs features\.pushedAuthorizationRequests/],
    [{ features: { dpop: false, dpopNonce: true } }, /features\.dpopNonce: needs features\.dpop/],
    [{ features: { dpop: false }, clients: [{ client_id: 'a', client_secret: 's', dpop_bound_access_tokens: true }] }, /clients\[0\]\.dpop_bound_access_tokens: needs features\.dpop/],
  ])('refuses a config that cannot work: %j', async (config, message) => {
    const error = await rejection(start(config));
    expect(error.code).toBe('STANDIN_ERR_TWIN_CONFIG_INVALID');
    expect(error.message).toMatch(message);
  });
});
