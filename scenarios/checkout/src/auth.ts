// Who is placing the order: the caller's bearer token, verified against the identity provider's
// published keys (OIDC discovery + JWKS), issuer and audience checked, only asymmetric algorithms.
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';

export class Unauthorized extends Error {}

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export async function verifyCaller(token: string | undefined, issuer: string, audience: string): Promise<JWTPayload> {
  if (!token) throw new Unauthorized('no token');
  if (process.env.NAIVE === 'trust-token') {
    // The bug this variant demonstrates: reading a token's claims without checking its signature.
    const claims = decodeJwt(token);
    if (claims.exp !== undefined && claims.exp * 1000 < Date.now()) throw new Unauthorized('token expired');
    return claims;
  }
  const discovery = (await (await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`), { signal: AbortSignal.timeout(3000) })).json()) as {
    issuer: string;
    jwks_uri: string;
  };
  if (discovery.issuer !== issuer) throw new Unauthorized(`discovery names issuer ${discovery.issuer}, expected ${issuer}`);
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ALGORITHMS });
    return payload;
  } catch (error) {
    throw new Unauthorized(`token rejected: ${(error as Error).message}`);
  }
}
