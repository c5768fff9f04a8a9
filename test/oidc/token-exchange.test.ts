// Token exchange (RFC 8693) through openid-client's genericGrantRequest: a gateway exchanges a
// user's access token (or ID token, or a minted JWT) for one of its own, narrower in scope, for
// another audience, naming itself as the actor; what it must not get; DPoP on the new token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { TOKEN_EXCHANGE_GRANT } from '../../twins/oidc/config.ts';
import { callbackServer, codeGrant, discover, rejection } from './oidc-kit.ts';

const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';

let h: TwinHarness;
let app: client.Configuration;
let gateway: client.Configuration;
let user: { access_token: string; id_token: string };

beforeAll(async () => {
  h = await startTwin(
    oidcTwin,
    {
      clients: [
        { client_id: 'app', client_secret: 'app-secret' },
        { client_id: 'gateway', client_secret: 'gw-secret', grant_types: ['client_credentials', TOKEN_EXCHANGE_GRANT] },
      ],
    },
    { seed: 19 },
  );
  const issuer = h.twin.endpoints.issuer as string;
  app = await discover(issuer, { clientId: 'app', clientSecret: 'app-secret' });
  gateway = await discover(issuer, { clientId: 'gateway', clientSecret: 'gw-secret' });
  const rp = await callbackServer();
  try {
    const { tokens } = await codeGrant(app, rp.redirectUri);
    user = { access_token: tokens.access_token, id_token: tokens.id_token as string };
  } finally {
    await rp.close();
  }
});
afterAll(() => h?.stop());

const exchange = (config: client.Configuration, params: Record<string, string>, options?: client.DPoPOptions) =>
  client.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT, params, options);

describe('token exchange', () => {
  it('is listed in discovery', () => {
    expect(gateway.serverMetadata().grant_types_supported).toContain(TOKEN_EXCHANGE_GRANT);
  });

  it("exchanges a user's access token for the gateway's own: the same user, a narrower scope", async () => {
    const tokens = await exchange(gateway, { subject_token: user.access_token, subject_token_type: ACCESS_TOKEN, scope: 'openid email' });
    expect(tokens).toMatchObject({ issued_token_type: ACCESS_TOKEN, token_type: 'bearer', scope: 'openid email', expires_in: 3600 });
    const info = await client.tokenIntrospection(gateway, tokens.access_token);
    expect(info).toMatchObject({ active: true, sub: 'user-1', client_id: 'gateway', scope: 'openid email' });
    const claims = await client.fetchUserInfo(gateway, tokens.access_token, 'user-1');
    expect(claims.email).toBe('alice@example.test');
    expect(claims.name).toBeUndefined();
  });

  it('sets aud from audience; such a token is for that audience, not for userinfo', async () => {
    const tokens = await exchange(gateway, { subject_token: user.access_token, subject_token_type: ACCESS_TOKEN, audience: 'https://orders.example' });
    expect((await client.tokenIntrospection(gateway, tokens.access_token)).aud).toBe('https://orders.example');
    const refused = await rejection(client.fetchUserInfo(gateway, tokens.access_token, 'user-1'));
    expect(JSON.stringify(refused.cause)).toMatch(/invalid_token/);
  });

  it('names the actor in act when an actor_token comes along', async () => {
    const own = await client.clientCredentialsGrant(gateway);
    const tokens = await exchange(gateway, {
      subject_token: user.access_token,
      subject_token_type: ACCESS_TOKEN,
      actor_token: own.access_token,
      actor_token_type: ACCESS_TOKEN,
    });
    expect(await client.tokenIntrospection(gateway, tokens.access_token)).toMatchObject({ sub: 'user-1', act: { sub: 'gateway' } });
  });

  it('takes an ID token, or a JWT minted by this issuer, as the subject', async () => {
    const fromIdToken = await exchange(gateway, { subject_token: user.id_token, subject_token_type: ID_TOKEN, scope: 'openid' });
    expect((await client.tokenIntrospection(gateway, fromIdToken.access_token)).sub).toBe('user-1');
    const minted = (await h.twin.actions?.['mint-token']?.({ sub: 'user-1', scope: 'openid profile' })) as { token: string };
    const fromMinted = await exchange(gateway, { subject_token: minted.token, subject_token_type: ACCESS_TOKEN });
    expect(fromMinted.scope).toBe('openid profile');
  });

  it.each([
    ['a scope beyond the subject token’s', { scope: 'openid phone' }, 'invalid_scope', /scope beyond the subject_token's: phone/],
    ['an unknown subject token', { subject_token: 'not-a-token' }, 'invalid_grant', /subject_token is not an active access token/],
    ['an unsupported subject_token_type', { subject_token_type: 'urn:example:saml' }, 'invalid_request', /subject_token_type urn:example:saml is not supported/],
    ['an actor_token without its type', { actor_token: 'x' }, 'invalid_request', /actor_token and actor_token_type go together/],
    ['a requested_token_type it cannot issue', { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }, 'invalid_request', /requested_token_type .* is not supported/],
  ])('refuses %s', async (_name, change, error, description) => {
    const refused = await rejection(exchange(gateway, { subject_token: user.access_token, subject_token_type: ACCESS_TOKEN, scope: 'openid', ...change }));
    expect(refused.error).toBe(error);
    expect(String(refused.error_description)).toMatch(description);
  });

  it('refuses an expired minted token, and a client_credentials token as the subject', async () => {
    const expired = (await h.twin.actions?.['mint-token']?.({ sub: 'user-1', variant: 'expired' })) as { token: string };
    const late = await rejection(exchange(gateway, { subject_token: expired.token, subject_token_type: ACCESS_TOKEN }));
    expect(late.error).toBe('invalid_grant');
    const service = await client.clientCredentialsGrant(gateway);
    const noUser = await rejection(exchange(gateway, { subject_token: service.access_token, subject_token_type: ACCESS_TOKEN }));
    expect(String(noUser.error_description)).toMatch(/names no user to act for/);
  });

  it('is refused to a client without the grant', async () => {
    const refused = await rejection(exchange(app, { subject_token: user.access_token, subject_token_type: ACCESS_TOKEN }));
    expect(refused).toMatchObject({ error: 'invalid_request', error_description: 'requested grant type is not allowed for this client' });
  });

  it('binds the new token to a DPoP key when the gateway sends a proof', async () => {
    const DPoP = client.getDPoPHandle(gateway, await client.randomDPoPKeyPair('ES256'));
    const tokens = await exchange(gateway, { subject_token: user.access_token, subject_token_type: ACCESS_TOKEN }, { DPoP });
    expect(tokens.token_type).toBe('dpop');
    expect((await client.tokenIntrospection(gateway, tokens.access_token)).cnf).toHaveProperty('jkt');
  });

  it('faults match the exchange by grantType at the token point', async () => {
    h.addRule({ point: 'token', match: { grantType: TOKEN_EXCHANGE_GRANT }, action: { error: { error: 'temporarily_unavailable', status: 400 } }, trigger: { times: 1 } });
    expect((await client.clientCredentialsGrant(gateway)).access_token).toBeTruthy();
    const refused = await rejection(exchange(gateway, { subject_token: user.access_token, subject_token_type: ACCESS_TOKEN }));
    expect(refused.error).toBe('temporarily_unavailable');
  });
});
