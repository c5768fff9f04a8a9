// The `mint-token` action: a JWT for any subject and claims, signed like the issuer's own tokens, or
// deliberately broken so a test can prove its relying party rejects it. Each variant breaks exactly
// one thing a verifier must check; everything else stays valid.
//
// @see https://www.rfc-editor.org/rfc/rfc8725 (JWT best current practices: alg none, confusion)
// @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
import { createHmac } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { SignJWT, base64url, type JWTPayload } from 'jose';
import type { Rng } from '../../src/core/index.ts';
import type { ResolvedConfig } from './config.ts';
import type { SigningKey } from './key-ring.ts';

export const TOKEN_VARIANTS = [
  'valid',
  'expired',
  'not-yet-valid',
  'wrong-issuer',
  'wrong-audience',
  'bad-nonce',
  'foreign-key',
  'unknown-kid',
  'alg-none',
  'alg-confusion',
  'tampered',
] as const;
export type TokenVariant = (typeof TOKEN_VARIANTS)[number];

export const MintTokenParams = Type.Object(
  {
    sub: Type.Optional(Type.String({ description: 'subject; default: the default user' })),
    client: Type.Optional(Type.String({ description: 'client_id (aud of an ID token, client_id of an access token); default: the first client' })),
    audience: Type.Optional(Type.String({ description: 'aud; default: the client id' })),
    type: Type.Optional(Type.Union([Type.Literal('access_token'), Type.Literal('id_token')], { description: 'default access_token' })),
    scope: Type.Optional(Type.String()),
    nonce: Type.Optional(Type.String({ description: 'nonce claim; with bad-nonce, the nonce the token must NOT carry' })),
    claims: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'extra claims, over the defaults' })),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, description: 'default: the configured access/ID token TTL' })),
    variant: Type.Optional(
      Type.Union(
        TOKEN_VARIANTS.map((v) => Type.Literal(v)),
        { description: 'valid (default) or one broken property' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type MintTokenInput = Static<typeof MintTokenParams>;

export interface MintedToken {
  token: string;
  variant: TokenVariant;
  header: Record<string, unknown>;
  claims: JWTPayload;
}

export interface MintContext {
  issuer: string;
  config: ResolvedConfig;
  active: SigningKey;
  /** A key of the same algorithm that is not in the JWKS. */
  foreignKey(): Promise<SigningKey>;
  /** The issuer's clock, ms. */
  now(): number;
  rng: Rng;
}

const WRONG_ISSUER = 'https://wrong-issuer.standin.invalid';
const WRONG_AUDIENCE = 'standin-wrong-audience';

export async function mintToken(input: MintTokenInput, mint: MintContext): Promise<MintedToken> {
  const variant = input.variant ?? 'valid';
  const type = input.type ?? 'access_token';
  const clientId = input.client ?? mint.config.clients[0]?.client_id ?? 'standin-client';
  const ttl = input.ttlSeconds ?? (type === 'id_token' ? mint.config.ttl.idToken : mint.config.ttl.accessToken);
  const now = Math.floor(mint.now() / 1000);
  const claims: JWTPayload = {
    iss: mint.issuer,
    sub: input.sub ?? mint.config.defaultUser.sub,
    aud: input.audience ?? clientId,
    iat: now,
    exp: now + ttl,
    jti: randomId(mint.rng),
    ...(type === 'access_token' ? { client_id: clientId, ...(input.scope ? { scope: input.scope } : {}) } : { azp: clientId }),
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    ...input.claims,
  };
  switch (variant) {
    case 'expired':
      claims.iat = now - ttl - 120;
      claims.exp = now - 120;
      break;
    case 'not-yet-valid':
      claims.iat = now + 3600;
      claims.nbf = now + 3600;
      claims.exp = now + 3600 + ttl;
      break;
    case 'wrong-issuer':
      claims.iss = WRONG_ISSUER;
      break;
    case 'wrong-audience':
      claims.aud = WRONG_AUDIENCE;
      break;
    case 'bad-nonce':
      // With a nonce to break, carry a different one; without, carry none at all.
      if (input.nonce !== undefined) claims.nonce = `${input.nonce}-${randomId(mint.rng)}`;
      else delete claims.nonce;
      break;
    default:
      break;
  }
  const typ = type === 'access_token' ? 'at+jwt' : 'JWT';
  const { active } = mint;
  switch (variant) {
    case 'foreign-key': {
      // The active kid on a signature by another key: the verifier finds the key and the signature fails.
      const foreign = await mint.foreignKey();
      const header = { alg: active.alg, kid: active.kid, typ };
      return { token: await sign(claims, header, foreign), variant, header, claims };
    }
    case 'unknown-kid': {
      const header = { alg: active.alg, kid: `unknown-${randomId(mint.rng)}`, typ };
      return { token: await sign(claims, header, active), variant, header, claims };
    }
    case 'alg-none': {
      const header = { alg: 'none', typ };
      return { token: `${encode(header)}.${encode(claims)}.`, variant, header, claims };
    }
    case 'alg-confusion': {
      // HS256 keyed with the issuer's public key, which every verifier can read from the JWKS.
      const header = { alg: 'HS256', kid: active.kid, typ };
      const input = `${encode(header)}.${encode(claims)}`;
      const pem = active.publicKey.export({ type: 'spki', format: 'pem' });
      const signature = createHmac('sha256', pem).update(input).digest('base64url');
      return { token: `${input}.${signature}`, variant, header, claims };
    }
    case 'tampered': {
      const header = { alg: active.alg, kid: active.kid, typ };
      const signed = await sign(claims, header, active);
      const [h, , s] = signed.split('.');
      const altered = { ...claims, sub: `${String(claims.sub)}-tampered`, admin: true };
      return { token: `${h}.${encode(altered)}.${s}`, variant, header, claims: altered };
    }
    default: {
      const header = { alg: active.alg, kid: active.kid, typ };
      return { token: await sign(claims, header, active), variant, header, claims };
    }
  }
}

function sign(claims: JWTPayload, header: { alg: string; kid: string; typ: string }, key: SigningKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
}

function encode(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

function randomId(rng: Rng): string {
  return rng.bytes(12).toString('base64url');
}
