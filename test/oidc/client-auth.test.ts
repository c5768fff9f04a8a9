// Client authentication by JWT assertion (RFC 7523, OIDC Core §9): private_key_jwt for a client
// registered with its public keys, client_secret_jwt for one with a secret. openid-client signs the
// assertions; `modifyAssertion` bends one claim at a time, as a buggy client would, and the twin
// must refuse each with invalid_client and say why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { rejection } from './oidc-kit.ts';

const HMAC_SECRET = 'a-shared-secret-that-is-at-least-32-bytes-long';

let h: TwinHarness;
let issuer: string;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'signer-1', alg: 'ES256', use: 'sig' };
  h = await startTwin(
    oidcTwin,
    {
      clients: [
        { client_id: 'signer', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] }, grant_types: ['client_credentials'] },
        { client_id: 'hmac', client_secret: HMAC_SECRET, token_endpoint_auth_method: 'client_secret_jwt', grant_types: ['client_credentials'] },
      ],
    },
    { seed: 11 },
  );
  issuer = h.twin.endpoints.issuer as string;
});
afterAll(() => h?.stop());

type Bend = (header: Record<string, unknown>, payload: Record<string, unknown>) => void;

function signer(key: CryptoKey = signingKey, bend?: Bend): Promise<client.Configuration> {
  const options = bend ? { [client.modifyAssertion]: bend } : undefined;
  return client.discovery(new URL(issuer), 'signer', undefined, client.PrivateKeyJwt({ key, kid: 'signer-1' }, options), {
    execute: [client.allowInsecureRequests],
  });
}

describe('private_key_jwt', () => {
  it('issues tokens to a client that signs with its registered key', async () => {
    const config = await signer();
    expect(config.serverMetadata().token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['private_key_jwt', 'client_secret_jwt']));
    const tokens = await client.clientCredentialsGrant(config);
    const info = await client.tokenIntrospection(config, tokens.access_token);
    expect(info).toMatchObject({ active: true, client_id: 'signer' });
  });

  it.each<[string, Bend, string, RegExp]>([
    ['iss not the client', (_h, p) => void (p.iss = 'someone-else'), 'invalid_client', /iss \(JWT issuer\) must be the client_id/],
    // The provider finds the client by sub (RFC 7523 §3), so another sub is another client than client_id says.
    ['sub not the client', (_h, p) => void (p.sub = 'someone-else'), 'invalid_request', /client_id mismatch/],
    ['aud another server', (_h, p) => void (p.aud = 'https://elsewhere.example/token'), 'invalid_client', /audience \(aud\) must equal/],
    ['expired', (_h, p) => void (p.exp = Math.floor(Date.now() / 1000) - 600), 'invalid_client', /jwt expired/],
    ['no jti', (_h, p) => void delete p.jti, 'invalid_client', /unique jti \(JWT ID\) must be provided/],
  ])('refuses an assertion with %s', async (_name, bend, code, reason) => {
    const error = await rejection(client.clientCredentialsGrant(await signer(signingKey, bend)));
    expect(error.error).toBe(code);
    expect(String(error.error_description)).toMatch(reason);
  });

  it('refuses an assertion signed by a key it did not register', async () => {
    const error = await rejection(client.clientCredentialsGrant(await signer(strangerKey)));
    expect(error.error).toBe('invalid_client');
  });

  it('refuses a replayed assertion (the same jti twice)', async () => {
    const config = await signer(signingKey, (_h, p) => void (p.jti = 'only-once'));
    await client.clientCredentialsGrant(config);
    const error = await rejection(client.clientCredentialsGrant(config));
    expect(error.error).toBe('invalid_client');
    expect(String(error.error_description)).toMatch(/must only be used once/);
  });
});

describe('client_secret_jwt', () => {
  const hmac = (secret: string) =>
    client.discovery(new URL(issuer), 'hmac', undefined, client.ClientSecretJwt(secret), { execute: [client.allowInsecureRequests] });

  it('issues tokens to a client that signs with its secret, and refuses a wrong secret', async () => {
    expect((await client.clientCredentialsGrant(await hmac(HMAC_SECRET))).access_token).toBeTruthy();
    const error = await rejection(client.clientCredentialsGrant(await hmac(`${HMAC_SECRET}-not`)));
    expect(error.error).toBe('invalid_client');
  });

  it('does not accept the secret sent plainly instead', async () => {
    const plain = await client.discovery(new URL(issuer), 'hmac', undefined, client.ClientSecretBasic(HMAC_SECRET), { execute: [client.allowInsecureRequests] });
    const error = await rejection(client.clientCredentialsGrant(plain));
    expect(error.status).toBe(401);
    expect(JSON.stringify(error.cause)).toContain('invalid_client');
  });
});
