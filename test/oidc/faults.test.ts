// Each fault point of the oidc twin, as openid-client (and plain fetch for the front channel) meets
// it: delay, hang, error, corrupt and disconnect; body-field matching; seeded determinism.
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { CLIENT_ID, callbackServer, codeGrant, discover, headlessLogin, rejection } from './oidc-kit.ts';

let h: TwinHarness;
let issuer: string;
let rp: Awaited<ReturnType<typeof callbackServer>>;

beforeAll(async () => {
  h = await startTwin(
    oidcTwin,
    {
      clients: [
        { client_id: CLIENT_ID, client_secret: 'standin-secret', grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] },
        { client_id: 'poster', client_secret: 'poster-secret', token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'] },
      ],
    },
    { seed: 42 },
  );
  issuer = h.twin.endpoints.issuer as string;
  rp = await callbackServer();
});
afterEach(() => h.faults.clear());
afterAll(async () => {
  await rp?.close();
  await h?.stop();
});

async function elapsed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

/** The message of an error and of its causes, for matching network failures. */
function messages(error: unknown): string {
  const out: string[] = [];
  for (let e = error as { message?: unknown; cause?: unknown; code?: unknown } | undefined; e; e = e.cause as typeof e) {
    out.push(`${String(e.code ?? '')} ${String(e.message ?? '')}`);
    if (out.length > 5) break;
  }
  return out.join(' | ');
}

describe('discovery', () => {
  it('delay answers late', async () => {
    h.addRule({ point: 'discovery', action: { delay: { ms: 300 } } });
    const [config, ms] = await elapsed(() => discover(issuer));
    expect(config.serverMetadata().issuer).toBe(issuer);
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  it('hang never answers: the client times out', async () => {
    h.addRule({ point: 'discovery', action: { hang: {} } });
    const [error, ms] = await elapsed(() => rejection(discover(issuer, { timeoutSeconds: 1 })));
    expect(messages(error)).toMatch(/timeout|aborted/i);
    expect(ms).toBeGreaterThanOrEqual(900);
  });

  it('error answers with the status', async () => {
    h.addRule({ point: 'discovery', action: { error: { status: 503 } }, trigger: { times: 1 } });
    const error = await rejection(discover(issuer));
    expect(error.code).toBe('OAUTH_RESPONSE_IS_NOT_CONFORM');
    expect((error.cause as Response).status).toBe(503);
    await discover(issuer); // `times: 1` spent: back to normal
  });

  it('corrupt malformed-json fails to parse', async () => {
    h.addRule({ point: 'discovery', action: { corrupt: { how: 'malformed-json' } } });
    expect((await rejection(discover(issuer))).code).toBe('OAUTH_PARSE_ERROR');
  });

  it('corrupt issuer-mismatch is caught by the issuer check', async () => {
    h.addRule({ point: 'discovery', action: { corrupt: { how: 'issuer-mismatch' } } });
    const error = await rejection(discover(issuer));
    expect(error.code).toBe('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED');
    expect(String((error.cause as Error & { attribute?: string }).attribute ?? error.message)).toMatch(/issuer/);
  });

  it('disconnect closes the connection before answering, or part-way through', async () => {
    h.addRule({ point: 'discovery', action: { disconnect: {} }, trigger: { times: 1 } });
    expect(messages(await rejection(discover(issuer)))).toMatch(/fetch failed|socket|closed|ECONNRESET/i);
    h.addRule({ point: 'discovery', action: { disconnect: { after: 'partial-response', bytes: 40 } }, trigger: { times: 1 } });
    expect(messages(await rejection(discover(issuer)))).toMatch(/terminated|socket|closed|ECONNRESET|fetch failed/i);
    await discover(issuer);
  });
});

describe('jwks', () => {
  // openid-client skips ID token signatures from the token endpoint (OIDC Core §3.1.3.7); the
  // verifiers that fetch the JWKS are resource servers (jose) and clients with non-repudiation checks.
  const remoteJwks = (options = {}) => createRemoteJWKSet(new URL(`${issuer}/jwks`), { cooldownDuration: 0, ...options });
  const mintValid = async () => ((await h.twin.actions?.['mint-token']?.({})) as { token: string }).token;

  it('corrupt missing-active-kid: jose finds no key, openid-client key selection fails', async () => {
    h.addRule({ point: 'jwks', action: { corrupt: { how: 'missing-active-kid' } } });
    const token = await mintValid();
    expect((await rejection(jwtVerify(token, remoteJwks(), { issuer }))).code).toBe('ERR_JWKS_NO_MATCHING_KEY');
    const config = await discover(issuer);
    client.enableNonRepudiationChecks(config);
    expect(messages(await rejection(codeGrant(config, rp.redirectUri)))).toMatch(/OAUTH_KEY_SELECTION_FAILED|no applicable key/i);
    h.faults.clear();
    await jwtVerify(token, remoteJwks(), { issuer });
  });

  it('error 500 and malformed JSON fail the key set fetch', async () => {
    const token = await mintValid();
    h.addRule({ point: 'jwks', action: { error: { status: 500 } }, trigger: { times: 1 } });
    expect(messages(await rejection(jwtVerify(token, remoteJwks(), { issuer })))).toMatch(/Expected 200 OK/);
    h.addRule({ point: 'jwks', action: { corrupt: { how: 'malformed-json' } }, trigger: { times: 1 } });
    expect(messages(await rejection(jwtVerify(token, remoteJwks(), { issuer })))).toMatch(/JSON|parse/i);
    await jwtVerify(token, remoteJwks(), { issuer });
  });

  it('hang times the verifier out; disconnect fails the fetch', async () => {
    const token = await mintValid();
    h.addRule({ point: 'jwks', action: { hang: {} }, trigger: { times: 1 } });
    expect((await rejection(jwtVerify(token, remoteJwks({ timeoutDuration: 300 }), { issuer }))).code).toBe('ERR_JWKS_TIMEOUT');
    h.addRule({ point: 'jwks', action: { disconnect: {} }, trigger: { times: 1 } });
    expect(messages(await rejection(jwtVerify(token, remoteJwks(), { issuer })))).toMatch(/fetch failed|socket|ECONNRESET|closed/i);
    h.addRule({ point: 'jwks', action: { delay: { ms: 200 } }, trigger: { times: 1 } });
    const [, ms] = await elapsed(() => jwtVerify(token, remoteJwks(), { issuer }));
    expect(ms).toBeGreaterThanOrEqual(190);
  });
});

describe('token', () => {
  it('error invalid_grant reaches the client as an OAuth error with status 400', async () => {
    h.addRule({ point: 'token', action: { error: { error: 'invalid_grant', error_description: 'grant revoked' } } });
    const error = await rejection(client.clientCredentialsGrant(await discover(issuer)));
    expect(error).toMatchObject({ code: 'OAUTH_RESPONSE_BODY_ERROR', error: 'invalid_grant', error_description: 'grant revoked', status: 400 });
  });

  it('error temporarily_unavailable is a 503, slow_down a 400, and 429 carries Retry-After', async () => {
    const config = await discover(issuer);
    // oauth4webapi reads OAuth error bodies of 4xx answers only; a 5xx is an unexpected status.
    h.addRule({ point: 'token', action: { error: { error: 'temporarily_unavailable' } }, trigger: { times: 1 } });
    const unavailable = await rejection(client.clientCredentialsGrant(config));
    expect(unavailable.code).toBe('OAUTH_RESPONSE_IS_NOT_CONFORM');
    const response = unavailable.cause as Response;
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
    h.addRule({ point: 'token', action: { error: { error: 'slow_down' } }, trigger: { times: 1 } });
    expect(await rejection(client.clientCredentialsGrant(config))).toMatchObject({ error: 'slow_down', status: 400 });
    h.addRule({ point: 'token', action: { error: { status: 429, retryAfter: 7 } }, trigger: { times: 1 } });
    const limited = await rejection(client.clientCredentialsGrant(config));
    expect(limited).toMatchObject({ status: 429 });
    expect((limited.response as Response).headers.get('retry-after')).toBe('7');
  });

  it('error invalid_client answers 401 like the real provider does for a wrong secret', async () => {
    const wrongSecret = await rejection(client.clientCredentialsGrant(await discover(issuer, { clientSecret: 'nope' })));
    h.addRule({ point: 'token', action: { error: { error: 'invalid_client' } } });
    const injected = await rejection(client.clientCredentialsGrant(await discover(issuer)));
    expect(injected.code).toBe(wrongSecret.code);
    expect(injected.status ?? (injected.cause as Response)?.status).toBe(401);
  });

  it('matches on grant_type from the form body: refresh fails, client_credentials still works', async () => {
    h.addRule({ point: 'token', match: { grantType: 'refresh_token' }, action: { error: { error: 'invalid_grant' } } });
    const config = await discover(issuer);
    const { tokens } = await codeGrant(config, rp.redirectUri);
    expect((await rejection(client.refreshTokenGrant(config, tokens.refresh_token as string))).error).toBe('invalid_grant');
    expect((await client.clientCredentialsGrant(config)).access_token).toBeTruthy();
  });

  it('matches on a client_id sent in the form body (client_secret_post)', async () => {
    h.addRule({ point: 'token', match: { clientId: 'poster' }, action: { error: { error: 'unauthorized_client' } } });
    const poster = await client.discovery(new URL(issuer), 'poster', undefined, client.ClientSecretPost('poster-secret'), {
      execute: [client.allowInsecureRequests],
    });
    expect((await rejection(client.clientCredentialsGrant(poster))).error).toBe('unauthorized_client');
    await client.clientCredentialsGrant(await discover(issuer));
    const events = h.journal.query({ point: 'token', type: 'request' }).events.slice(-2);
    expect(events.map((e) => [e.data?.clientId, e.fault?.action ?? null])).toEqual([
      ['poster', 'error'],
      [CLIENT_ID, null],
    ]);
  });

  it('journals the client the provider identified when only the form body names it', async () => {
    const poster = await client.discovery(new URL(issuer), 'poster', undefined, client.ClientSecretPost('poster-secret'), {
      execute: [client.allowInsecureRequests],
    });
    await client.clientCredentialsGrant(poster);
    const [event] = h.journal.query({ point: 'token', type: 'request' }).events.slice(-1);
    expect(event?.data).toMatchObject({ status: 200, clientId: 'poster' });
  });

  it('delay, hang, disconnect and corrupt', async () => {
    const config = await discover(issuer);
    h.addRule({ point: 'token', action: { delay: { ms: 250 } }, trigger: { times: 1 } });
    const [, ms] = await elapsed(() => client.clientCredentialsGrant(config));
    expect(ms).toBeGreaterThanOrEqual(240);
    h.addRule({ point: 'token', action: { hang: {} }, trigger: { times: 1 } });
    config.timeout = 1;
    expect(messages(await rejection(client.clientCredentialsGrant(config)))).toMatch(/timeout|aborted/i);
    config.timeout = 15;
    h.addRule({ point: 'token', action: { disconnect: { reset: true } }, trigger: { times: 1 } });
    expect(messages(await rejection(client.clientCredentialsGrant(config)))).toMatch(/fetch failed|socket|ECONNRESET|closed/i);
    h.addRule({ point: 'token', action: { corrupt: { how: 'malformed-json' } }, trigger: { times: 1 } });
    expect((await rejection(client.clientCredentialsGrant(config))).code).toBe('OAUTH_PARSE_ERROR');
    h.addRule({ point: 'token', action: { corrupt: { how: 'empty' } }, trigger: { times: 1 } });
    expect((await rejection(client.clientCredentialsGrant(config))).code).toBe('OAUTH_PARSE_ERROR');
    expect((await client.clientCredentialsGrant(config)).access_token).toBeTruthy();
  });

  it('a rule finds the token endpoint however the request target is written (absolute form, dot segments, a query)', async () => {
    // fetch normalizes what it sends; node:http sends the request target as given.
    h.addRule({ point: 'token', action: { error: { error: 'temporarily_unavailable' } } });
    const origin = new URL(issuer);
    const statusOf = (path: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const req = request({ host: origin.hostname, port: origin.port, method: 'POST', path, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
        req.end('grant_type=client_credentials');
      });
    const since = h.journal.lastSeq;
    for (const path of [`${origin.origin}/token`, '/./token', '/x/../token', '/token?x=1']) expect([path, await statusOf(path)]).toEqual([path, 503]);
    const entries = h.journal.query({ since, type: 'request' }).events;
    expect(entries.map((e) => [e.point, e.data?.path])).toEqual(Array(4).fill(['token', '/token']));
  });
});

describe('userinfo', () => {
  it('error invalid_token comes as a Bearer challenge; corrupt and delay as seen', async () => {
    const config = await discover(issuer);
    const { tokens } = await codeGrant(config, rp.redirectUri);
    h.addRule({ point: 'userinfo', action: { error: { error: 'invalid_token' } }, trigger: { times: 1 } });
    const error = await rejection(client.fetchUserInfo(config, tokens.access_token, 'user-1'));
    expect(error.code).toBe('OAUTH_WWW_AUTHENTICATE_CHALLENGE');
    expect(JSON.stringify(error.cause)).toMatch(/invalid_token/);
    h.addRule({ point: 'userinfo', action: { corrupt: { how: 'malformed-json' } }, trigger: { times: 1 } });
    expect((await rejection(client.fetchUserInfo(config, tokens.access_token, 'user-1'))).code).toBe('OAUTH_PARSE_ERROR');
    h.addRule({ point: 'userinfo', action: { delay: { ms: 200 } }, trigger: { times: 1 } });
    const [info, ms] = await elapsed(() => client.fetchUserInfo(config, tokens.access_token, 'user-1'));
    expect(info.sub).toBe('user-1');
    expect(ms).toBeGreaterThanOrEqual(190);
  });
});

describe('introspection', () => {
  it('error, corrupt and disconnect', async () => {
    const config = await discover(issuer);
    const { access_token } = await client.clientCredentialsGrant(config);
    h.addRule({ point: 'introspection', action: { error: { error: 'server_error' } }, trigger: { times: 1 } });
    const failed = await rejection(client.tokenIntrospection(config, access_token));
    expect(failed.code).toBe('OAUTH_RESPONSE_IS_NOT_CONFORM');
    expect(await (failed.cause as Response).json()).toMatchObject({ error: 'server_error' });
    h.addRule({ point: 'introspection', action: { error: { error: 'invalid_client' } }, trigger: { times: 1 } });
    const unauthorized = await rejection(client.tokenIntrospection(config, access_token));
    expect(unauthorized).toMatchObject({ code: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE', status: 401 });
    h.addRule({ point: 'introspection', action: { corrupt: { how: 'malformed-json' } }, trigger: { times: 1 } });
    expect((await rejection(client.tokenIntrospection(config, access_token))).code).toBe('OAUTH_PARSE_ERROR');
    h.addRule({ point: 'introspection', action: { disconnect: { after: 'partial-response' } }, trigger: { times: 1 } });
    expect(messages(await rejection(client.tokenIntrospection(config, access_token)))).toMatch(/terminated|socket|closed|fetch failed|ECONNRESET/i);
    expect((await client.tokenIntrospection(config, access_token)).active).toBe(true);
  });
});

describe('authorize', () => {
  it('error without status is redirected to the client, which reports it', async () => {
    h.addRule({ point: 'authorize', action: { error: { error: 'temporarily_unavailable' } }, trigger: { times: 1 } });
    const config = await discover(issuer);
    const login = await headlessLogin(config, rp.redirectUri);
    expect(login.callbackUrl.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(login.callbackUrl.searchParams.get('state')).toBe(login.state);
    const error = await rejection(client.authorizationCodeGrant(config, login.callbackUrl, { pkceCodeVerifier: login.codeVerifier, expectedState: login.state }));
    expect(error).toMatchObject({ code: 'OAUTH_AUTHORIZATION_RESPONSE_ERROR', error: 'temporarily_unavailable' });
  });

  it('error with a status, hang and disconnect are seen by the user agent', async () => {
    const config = await discover(issuer);
    const url = client.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    h.addRule({ point: 'authorize', action: { error: { status: 500 } }, trigger: { times: 1 } });
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(500);
    h.addRule({ point: 'authorize', action: { hang: {} }, trigger: { times: 1 } });
    expect(messages(await rejection(fetch(url, { signal: AbortSignal.timeout(500) })))).toMatch(/timeout|aborted/i);
    h.addRule({ point: 'authorize', action: { disconnect: {} }, trigger: { times: 1 } });
    expect(messages(await rejection(fetch(url)))).toMatch(/fetch failed/i);
    const { tokens } = await codeGrant(config, rp.redirectUri);
    expect(tokens.claims()?.sub).toBe('user-1');
  });
});

describe('authorize: corrupted authorization responses', () => {
  it('wrong-state fails the client’s state check (CSRF)', async () => {
    h.addRule({ point: 'authorize', action: { corrupt: { how: 'wrong-state' } }, trigger: { times: 1 } });
    const config = await discover(issuer);
    const login = await headlessLogin(config, rp.redirectUri);
    expect(login.callbackUrl.searchParams.get('code')).toBeTruthy();
    expect(login.callbackUrl.searchParams.get('state')).not.toBe(login.state);
    const error = await rejection(
      client.authorizationCodeGrant(config, login.callbackUrl, { pkceCodeVerifier: login.codeVerifier, expectedState: login.state }),
    );
    expect(error.code).toBe('OAUTH_INVALID_RESPONSE');
    expect(messages(error)).toMatch(/state/);
  });

  it('wrong-iss fails the client’s issuer check (RFC 9207 mix-up)', async () => {
    h.addRule({ point: 'authorize', action: { corrupt: { how: 'wrong-iss' } } });
    const config = await discover(issuer);
    const login = await headlessLogin(config, rp.redirectUri);
    expect(login.callbackUrl.searchParams.get('iss')).toBe(`${issuer}/not-this-issuer`);
    const error = await rejection(
      client.authorizationCodeGrant(config, login.callbackUrl, { pkceCodeVerifier: login.codeVerifier, expectedState: login.state }),
    );
    expect(messages(error)).toMatch(/iss/);
    h.faults.clear();
    const { tokens } = await codeGrant(config, rp.redirectUri);
    expect(tokens.claims()?.sub).toBe('user-1');
  });
});

describe('connection (link layer)', () => {
  it('a latency toxic slows every exchange', async () => {
    h.addRule({ point: 'connection', action: { latency: { latency: 250 } } });
    const [config, ms] = await elapsed(() => discover(issuer));
    expect(ms).toBeGreaterThanOrEqual(240);
    expect(config.serverMetadata().issuer).toBe(issuer);
  });
});

describe('determinism', () => {
  async function outcomes(seed: number): Promise<string> {
    const twin = await startTwin(oidcTwin, {}, { seed });
    try {
      twin.addRule({ id: 'flaky', point: 'token', action: { error: { error: 'temporarily_unavailable' } }, trigger: { probability: 0.5 } });
      const config = await discover(twin.twin.endpoints.issuer as string);
      let out = '';
      for (let i = 0; i < 24; i++) {
        out += await client.clientCredentialsGrant(config).then(
          () => '.',
          () => 'x',
        );
      }
      expect(twin.journal.query({ rule: 'flaky', type: 'fault' }).events).toHaveLength(out.split('x').length - 1);
      return out;
    } finally {
      await twin.stop();
    }
  }

  it('a probabilistic fault fires on the same requests for the same seed', async () => {
    const first = await outcomes(99);
    expect(first).toMatch(/x/);
    expect(first).toMatch(/\./);
    expect(await outcomes(99)).toBe(first);
    expect(await outcomes(100)).not.toBe(first);
  });
});
