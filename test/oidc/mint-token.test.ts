// mint-token: the valid token verifies with jose against the twin's JWKS; each broken variant is
// rejected by jwtVerify for its own reason (or, for bad-nonce, fails the nonce check a client does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { CLIENT_ID, rejection } from './oidc-kit.ts';

interface Minted {
  token: string;
  claims: Record<string, unknown>;
}

async function mint(h: TwinHarness, params: Record<string, unknown>): Promise<Minted> {
  return (await h.twin.actions?.['mint-token']?.(params)) as Minted;
}

describe.each(['RS256', 'ES256'] as const)('oidc twin mint-token (%s)', (alg) => {
  let h: TwinHarness;
  let issuer: string;
  let jwks: JWTVerifyGetKey;
  const verify = (token: string) => jwtVerify(token, jwks, { issuer, audience: CLIENT_ID });

  beforeAll(async () => {
    h = await startTwin(oidcTwin, { signingAlg: alg }, { seed: 3 });
    issuer = h.twin.endpoints.issuer as string;
    jwks = createRemoteJWKSet(new URL(h.twin.endpoints.jwks as string));
  });
  afterAll(() => h?.stop());

  it('mints a valid token that verifies, with the claims asked for', async () => {
    const { token } = await mint(h, { sub: 'svc-7', claims: { roles: ['admin'] }, scope: 'read' });
    const { payload, protectedHeader } = await verify(token);
    expect(payload).toMatchObject({ sub: 'svc-7', roles: ['admin'], scope: 'read', client_id: CLIENT_ID, iss: issuer });
    expect(protectedHeader).toMatchObject({ alg, typ: 'at+jwt' });
    expect(((await h.twin.inspect()) as { issued: { minted: number } }).issued.minted).toBeGreaterThan(0);
  });

  const rejected: Array<[string, string]> = [
    ['expired', 'ERR_JWT_EXPIRED'],
    ['not-yet-valid', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['wrong-issuer', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['wrong-audience', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['foreign-key', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    ['unknown-kid', 'ERR_JWKS_NO_MATCHING_KEY'],
    ['alg-confusion', 'ERR_JOSE_NOT_SUPPORTED'],
    ['tampered', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
  ];
  it.each(rejected)('%s is rejected by jwtVerify with %s', async (variant, code) => {
    const { token } = await mint(h, { variant });
    const error = await rejection(verify(token));
    expect(error.code).toBe(code);
    if (variant === 'not-yet-valid') expect(error.claim).toBe('nbf');
    if (variant === 'wrong-issuer') expect(error.claim).toBe('iss');
    if (variant === 'wrong-audience') expect(error.claim).toBe('aud');
  });

  it('alg-none is rejected (no key in the JWKS can verify alg none)', async () => {
    const { token } = await mint(h, { variant: 'alg-none' });
    expect(decodeProtectedHeader(token).alg).toBe('none');
    expect(token.endsWith('.')).toBe(true);
    const error = await rejection(verify(token));
    expect(['ERR_JOSE_NOT_SUPPORTED', 'ERR_JWS_INVALID', 'ERR_JOSE_ALG_NOT_ALLOWED', 'ERR_JWKS_NO_MATCHING_KEY']).toContain(error.code);
  });

  it('alg-confusion is an HS256 token that a naive verifier keyed with the published public key accepts', async () => {
    const { token } = await mint(h, { variant: 'alg-confusion' });
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe('HS256');
    const published = (await (await fetch(h.twin.endpoints.jwks as string)).json()) as { keys: Array<JWK & { kid: string }> };
    const key = published.keys.find((k) => k.kid === header.kid);
    expect(key).toBeDefined();
    const pem = createPublicKey({ key: key as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const [h64, p64, signature] = token.split('.');
    expect(createHmac('sha256', pem).update(`${h64}.${p64}`).digest('base64url')).toBe(signature);
  });

  it('bad-nonce carries a different nonce, or none when no nonce was given', async () => {
    const wrong = await mint(h, { type: 'id_token', variant: 'bad-nonce', nonce: 'n-123' });
    const { payload } = await verify(wrong.token);
    expect(payload.nonce).toBeTypeOf('string');
    expect(payload.nonce).not.toBe('n-123');
    const missing = await mint(h, { type: 'id_token', variant: 'bad-nonce' });
    const error = await rejection(jwtVerify(missing.token, jwks, { issuer, audience: CLIENT_ID, requiredClaims: ['nonce'] }));
    expect(error.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(error.claim).toBe('nonce');
  });

  it('draws its random parts (jti) from the seed', async () => {
    const again = await startTwin(oidcTwin, { signingAlg: alg }, { seed: 3 });
    try {
      const a = await mint(again, { variant: 'unknown-kid' });
      await h.twin.reset();
      const b = await mint(h, { variant: 'unknown-kid' });
      expect(a.claims.jti).toBe(b.claims.jti);
      expect(decodeProtectedHeader(a.token).kid).toBe(decodeProtectedHeader(b.token).kid);
    } finally {
      await again.stop();
    }
  });
});
