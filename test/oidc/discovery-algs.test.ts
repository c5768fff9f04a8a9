// OpenID Connect Discovery §3: RS256 MUST be among id_token_signing_alg_values_supported whatever
// the twin signs with, and a client registered for RS256 ID tokens gets them, verifiable against
// the published JWKS. Also what rotate-keys and set-clock {at} answer.
import { afterEach, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { CLIENT_ID, CLIENT_SECRET, callbackServer, codeGrant } from './oidc-kit.ts';

const harnesses: TwinHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

async function start(config: Record<string, unknown>): Promise<TwinHarness> {
  const h = await startTwin(oidcTwin, config, { seed: 5 });
  harnesses.push(h);
  return h;
}

const act = (h: TwinHarness, verb: string, params: Record<string, unknown> = {}) =>
  h.twin.actions?.[verb]?.(params) as Promise<Record<string, unknown>>;

function discoverAs(issuer: string, clientId: string, alg: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), clientId, { id_token_signed_response_alg: alg }, client.ClientSecretBasic(CLIENT_SECRET), {
    execute: [client.allowInsecureRequests],
    timeout: 15,
  });
}

describe('oidc twin ID token algorithms', () => {
  it('an ES256 twin lists RS256 too, and signs RS256 ID tokens for a client registered for them', async () => {
    const h = await start({
      signingAlg: 'ES256',
      clients: [
        { client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
        { client_id: 'legacy-rp', client_secret: CLIENT_SECRET, id_token_signed_response_alg: 'RS256' },
      ],
    });
    const issuer = h.twin.endpoints.issuer as string;
    const jwks = createRemoteJWKSet(new URL(h.twin.endpoints.jwks as string));
    const rp = await callbackServer();
    try {
      const modern = await discoverAs(issuer, CLIENT_ID, 'ES256');
      expect(modern.serverMetadata().id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'RS256']));
      const es = await codeGrant(modern, rp.redirectUri);
      expect(decodeProtectedHeader(es.tokens.id_token as string).alg).toBe('ES256');

      const legacy = await discoverAs(issuer, 'legacy-rp', 'RS256');
      const rs = await codeGrant(legacy, rp.redirectUri);
      const header = decodeProtectedHeader(rs.tokens.id_token as string);
      expect(header.alg).toBe('RS256');
      const verified = await jwtVerify(rs.tokens.id_token as string, jwks, { issuer, audience: 'legacy-rp', algorithms: ['RS256'] });
      expect(verified.payload.sub).toBe('user-1');
      // The RS256 key sits beside the active one; minted tokens keep the twin's own algorithm.
      const inspected = (await h.twin.inspect()) as { jwks: string[]; activeKid: string; signingAlg: string };
      expect(inspected.signingAlg).toBe('ES256');
      expect(inspected.jwks).toEqual([inspected.activeKid, header.kid]);
    } finally {
      await rp.close();
    }
  });

  it('rotating an RS256 twin to EdDSA keeps an RS256 key for RS256 clients', async () => {
    const h = await start({ clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, id_token_signed_response_alg: 'RS256' }] });
    const issuer = h.twin.endpoints.issuer as string;
    const rotation = await act(h, 'rotate-keys', { alg: 'EdDSA', graceSeconds: 0 });
    const rp = await callbackServer();
    try {
      const config = await discoverAs(issuer, CLIENT_ID, 'RS256');
      expect(config.serverMetadata().id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['EdDSA', 'RS256']));
      const { tokens } = await codeGrant(config, rp.redirectUri);
      const header = decodeProtectedHeader(tokens.id_token as string);
      expect(header.alg).toBe('RS256');
      expect(header.kid).not.toBe(rotation.previousKid);
      await jwtVerify(tokens.id_token as string, createRemoteJWKSet(new URL(h.twin.endpoints.jwks as string)), { issuer, audience: CLIENT_ID });
    } finally {
      await rp.close();
    }
  });
});

describe('oidc twin action answers', () => {
  it('rotate-keys answers the published JWK Set, which verifies tokens of the new key', async () => {
    const h = await start({});
    const rotation = (await act(h, 'rotate-keys', { graceSeconds: 60 })) as { kid: string; previousKid: string; jwks: JSONWebKeySet };
    expect(rotation.jwks.keys.map((k) => k.kid)).toEqual([rotation.kid, rotation.previousKid]);
    for (const key of rotation.jwks.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(key).not.toHaveProperty('d'); // public halves only
    }
    const published = (await (await fetch(h.twin.endpoints.jwks as string)).json()) as JSONWebKeySet;
    expect(published.keys.map((k) => k.kid)).toEqual(rotation.jwks.keys.map((k) => k.kid));
    const { token } = (await act(h, 'mint-token')) as { token: string };
    const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(rotation.jwks));
    expect(protectedHeader.kid).toBe(rotation.kid);
  });

  it('set-clock {at} answers a whole-second offset and the instant asked for', async () => {
    const h = await start({});
    const result = (await act(h, 'set-clock', { at: '2031-06-01T12:00:00.000Z' })) as { offsetSeconds: number; issuerTime: string };
    expect(Number.isInteger(result.offsetSeconds)).toBe(true);
    expect(Math.abs(Date.parse(result.issuerTime) - Date.parse('2031-06-01T12:00:00Z'))).toBeLessThan(5000);
    expect((await h.twin.inspect()) as object).toMatchObject({ clockSkewSeconds: result.offsetSeconds });
  });
});
