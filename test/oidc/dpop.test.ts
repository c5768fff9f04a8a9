// DPoP-bound tokens (RFC 9449) through openid-client's DPoP handle: token_type DPoP and cnf.jkt,
// userinfo that wants the proof with the token, clients bound to DPoP, server nonces, and proofs
// a careless client gets wrong.
import { afterEach, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { callbackServer, discover, headlessLogin, rejection } from './oidc-kit.ts';

const harnesses: TwinHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

async function start(config: Record<string, unknown> = {}): Promise<{ h: TwinHarness; issuer: string; config: client.Configuration }> {
  const h = await startTwin(oidcTwin, config, { seed: 17 });
  harnesses.push(h);
  const issuer = h.twin.endpoints.issuer as string;
  return { h, issuer, config: await discover(issuer) };
}

async function dpopKey() {
  const keyPair = await client.randomDPoPKeyPair('ES256');
  return { keyPair, jkt: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)) };
}

describe('DPoP', () => {
  it('binds client_credentials tokens to the proof key: token_type DPoP, cnf.jkt on introspection', async () => {
    const { config } = await start();
    expect(config.serverMetadata().dpop_signing_alg_values_supported).toContain('ES256');
    const { keyPair, jkt } = await dpopKey();
    const tokens = await client.clientCredentialsGrant(config, {}, { DPoP: client.getDPoPHandle(config, keyPair) });
    expect(tokens.token_type).toBe('dpop');
    const info = await client.tokenIntrospection(config, tokens.access_token);
    expect(info).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });

  it('userinfo answers a DPoP-bound token only with a proof of the same key', async () => {
    const { config } = await start();
    const rp = await callbackServer();
    try {
      const { keyPair } = await dpopKey();
      const DPoP = client.getDPoPHandle(config, keyPair);
      const fresh = await headlessLogin(config, rp.redirectUri);
      const tokens = await client.authorizationCodeGrant(
        config,
        fresh.callbackUrl,
        { pkceCodeVerifier: fresh.codeVerifier, expectedState: fresh.state, expectedNonce: fresh.nonce },
        undefined,
        { DPoP },
      );
      expect(tokens.token_type).toBe('dpop');
      expect(await client.fetchUserInfo(config, tokens.access_token, 'user-1', { DPoP })).toMatchObject({ sub: 'user-1' });

      const asBearer = await fetch(config.serverMetadata().userinfo_endpoint as string, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(asBearer.status).toBe(401);
      expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_token"/);

      const otherKey = client.getDPoPHandle(config, (await dpopKey()).keyPair);
      const error = await rejection(client.fetchUserInfo(config, tokens.access_token, 'user-1', { DPoP: otherKey }));
      expect(JSON.stringify(error.cause)).toMatch(/invalid_token/);
    } finally {
      await rp.close();
    }
  });

  it('a client registered with dpop_bound_access_tokens must send a proof', async () => {
    const { issuer } = await start({
      clients: [{ client_id: 'bound', client_secret: 's', grant_types: ['client_credentials'], dpop_bound_access_tokens: true }],
    });
    const config = await discover(issuer, { clientId: 'bound', clientSecret: 's' });
    const refused = await rejection(client.clientCredentialsGrant(config));
    expect(refused).toMatchObject({ error: 'invalid_grant', error_description: 'grant request is invalid: DPoP proof JWT not provided' });
    const tokens = await client.clientCredentialsGrant(config, {}, { DPoP: client.getDPoPHandle(config, (await dpopKey()).keyPair) });
    expect(tokens.token_type).toBe('dpop');
  });

  it('with dpopNonce, a proof without the server nonce gets use_dpop_nonce; openid-client retries with the DPoP-Nonce it got', async () => {
    const { h, config } = await start({ features: { dpopNonce: true } });
    const tokens = await client.clientCredentialsGrant(config, {}, { DPoP: client.getDPoPHandle(config, (await dpopKey()).keyPair) });
    expect(tokens.token_type).toBe('dpop');
    const answers = h.journal.query({ point: 'token', type: 'request' }).events.map((e) => e.data?.status);
    expect(answers).toEqual([400, 200]);
  });

  it('refuses proofs a careless client gets wrong (wrong htu, htm, a stale iat, typ), and a replayed one', async () => {
    const { issuer } = await start();
    const token = `${issuer}/token`;
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const proof = (claims: Record<string, unknown>, typ = 'dpop+jwt') =>
      new SignJWT({ jti: crypto.randomUUID(), htm: 'POST', htu: token, iat: Math.floor(Date.now() / 1000), ...claims })
        .setProtectedHeader({ alg: 'ES256', typ, jwk })
        .sign(privateKey);
    const basic = `Basic ${Buffer.from('standin-client:standin-secret').toString('base64')}`;
    const send = async (dpop: string) => {
      const response = await fetch(token, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', dpop },
        body: 'grant_type=client_credentials',
      });
      return { status: response.status, body: (await response.json()) as Record<string, string> };
    };
    for (const bad of [
      await proof({ htu: `${issuer}/elsewhere` }),
      await proof({ htm: 'GET' }),
      await proof({ iat: Math.floor(Date.now() / 1000) - 3600 }),
      await proof({}, 'JWT'),
    ]) {
      const answer = await send(bad);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_dpop_proof');
    }
    const replayed = await proof({ jti: 'once' });
    expect((await send(replayed)).status).toBe(200);
    // The provider's own answer to a replayed proof at the token endpoint.
    expect((await send(replayed)).body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/DPoP proof JWT Replay detected/) });
  });

  it('features.dpop: false leaves tokens Bearer and drops the metadata', async () => {
    const { config } = await start({ features: { dpop: false } });
    expect(config.serverMetadata().dpop_signing_alg_values_supported).toBeUndefined();
  });
});
