// rotate-keys and set-clock as a relying party meets them: a new kid mid-test that jose's remote
// JWKS refetches for, old tokens valid through the grace period and rejected after it, sessions
// and refresh tokens surviving the rebuilt provider; a skewed issuer clock caught by openid-client.
import { afterEach, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { CLIENT_ID, callbackServer, codeGrant, discover, rejection } from './oidc-kit.ts';

const harnesses: TwinHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

async function start(config: Record<string, unknown> = {}): Promise<TwinHarness> {
  const h = await startTwin(oidcTwin, config, { seed: 11 });
  harnesses.push(h);
  return h;
}

const act = (h: TwinHarness, verb: string, params: Record<string, unknown> = {}) =>
  h.twin.actions?.[verb]?.(params) as Promise<Record<string, unknown>>;

describe('oidc twin rotate-keys', () => {
  it('the client meets an unknown kid, refetches the JWKS and succeeds; old tokens verify through the grace period', async () => {
    const h = await start();
    const issuer = h.twin.endpoints.issuer as string;
    const jwks = createRemoteJWKSet(new URL(h.twin.endpoints.jwks as string), { cooldownDuration: 0 });
    const verify = (token: string) => jwtVerify(token, jwks, { issuer, audience: CLIENT_ID });

    const before = (await act(h, 'mint-token')).token as string;
    await verify(before); // caches the JWKS with the first key only
    const oldKid = decodeProtectedHeader(before).kid;

    const rotation = await act(h, 'rotate-keys', { graceSeconds: 1 });
    expect(rotation.previousKid).toBe(oldKid);
    expect((rotation.jwks as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid)).toEqual([rotation.kid, oldKid]);

    const after = (await act(h, 'mint-token')).token as string;
    expect(decodeProtectedHeader(after).kid).toBe(rotation.kid);
    expect((await verify(after)).protectedHeader.kid).toBe(rotation.kid);
    expect((await verify(before)).payload.sub).toBe('user-1');

    // ID tokens from the provider itself are signed with the new key too.
    const rp = await callbackServer();
    try {
      const { tokens } = await codeGrant(await discover(issuer), rp.redirectUri);
      expect(decodeProtectedHeader(tokens.id_token as string).kid).toBe(rotation.kid);
    } finally {
      await rp.close();
    }

    await waitFor(async () => !((await h.twin.inspect()) as { jwks: string[] }).jwks.includes(oldKid as string));
    const fresh = createRemoteJWKSet(new URL(h.twin.endpoints.jwks as string));
    expect((await rejection(jwtVerify(before, fresh, { issuer }))).code).toBe('ERR_JWKS_NO_MATCHING_KEY');
    await jwtVerify(after, fresh, { issuer });
  });

  it('keeps sessions and refresh tokens valid across the rebuilt provider', async () => {
    const h = await start();
    const issuer = h.twin.endpoints.issuer as string;
    const rp = await callbackServer();
    try {
      const config = await discover(issuer);
      const { tokens } = await codeGrant(config, rp.redirectUri);
      const cc = await client.clientCredentialsGrant(config);
      await act(h, 'rotate-keys');
      expect((await client.tokenIntrospection(config, cc.access_token)).active).toBe(true);
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
      expect(refreshed.claims()?.sub).toBe('user-1');
      const jwks = createRemoteJWKSet(new URL(h.twin.endpoints.jwks as string));
      await jwtVerify(tokens.id_token as string, jwks, { issuer, audience: CLIENT_ID });
    } finally {
      await rp.close();
    }
  });

  it('reset returns to the configured key', async () => {
    const h = await start();
    const first = ((await h.twin.inspect()) as { activeKid: string }).activeKid;
    await act(h, 'rotate-keys', { alg: 'ES256' });
    expect(((await h.twin.inspect()) as { signingAlg: string }).signingAlg).toBe('ES256');
    await h.twin.reset();
    const inspected = (await h.twin.inspect()) as { activeKid: string; jwks: string[] };
    expect(inspected.activeKid).toBe(first);
    expect(inspected.jwks).toEqual([first]);
  });
});

describe('oidc twin set-clock', () => {
  it("skews the provider's own tokens, and openid-client rejects an ID token from an issuer 2 h behind", async () => {
    const h = await start({ ttl: { idToken: 3600 } });
    const issuer = h.twin.endpoints.issuer as string;
    const rp = await callbackServer();
    try {
      const config = await discover(issuer);
      const result = await act(h, 'set-clock', { offsetSeconds: -7200 });
      expect(result.offsetSeconds).toBe(-7200);
      const error = await rejection(codeGrant(config, rp.redirectUri));
      expect(error.code).toBe('OAUTH_JWT_TIMESTAMP_CHECK_FAILED');
      expect(String((error.cause as Error).message)).toMatch(/"exp"/);

      const cc = await client.clientCredentialsGrant(config);
      const info = await client.tokenIntrospection(config, cc.access_token);
      expect(Math.abs((info.iat as number) - (Date.now() / 1000 - 7200))).toBeLessThan(5);
      expect((await h.twin.inspect()) as object).toMatchObject({ clockSkewSeconds: -7200 });

      await act(h, 'set-clock', {});
      const ok = await codeGrant(config, rp.redirectUri);
      expect(Math.abs((ok.tokens.claims()?.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    } finally {
      await rp.close();
    }
  });

  it('sets an absolute time, seen in minted tokens; other code keeps the real clock', async () => {
    const h = await start();
    await act(h, 'set-clock', { at: '2030-01-01T00:00:00Z' });
    const { claims } = (await act(h, 'mint-token')) as { claims: { iat: number } };
    expect(Math.abs(claims.iat - Date.parse('2030-01-01T00:00:00Z') / 1000)).toBeLessThan(5);
    // Date.now() is wrapped while a twin is skewed; outside the twin's requests it stays real.
    expect(Date.now()).toBeLessThan(Date.parse('2029-01-01T00:00:00Z'));
    await h.twin.reset();
    expect((await h.twin.inspect()) as object).toMatchObject({ clockSkewSeconds: 0 });
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
