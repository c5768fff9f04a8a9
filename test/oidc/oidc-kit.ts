// Shared steps of the oidc twin tests: an openid-client Configuration for the twin, a callback
// server standing in for the relying party's redirect URI, and the headless authorization code +
// PKCE flow done with plain fetch following redirects (no cookies, no browser).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';

export const CLIENT_ID = 'standin-client';
export const CLIENT_SECRET = 'standin-secret';

export async function discover(
  issuer: string,
  options: { clientId?: string; clientSecret?: string; timeoutSeconds?: number } = {},
): Promise<client.Configuration> {
  return client.discovery(
    new URL(issuer),
    options.clientId ?? CLIENT_ID,
    undefined,
    client.ClientSecretBasic(options.clientSecret ?? CLIENT_SECRET),
    { execute: [client.allowInsecureRequests], timeout: options.timeoutSeconds ?? 15 },
  );
}

/** The relying party's redirect URI: answers 200 and remembers nothing; the test reads response.url. */
export async function callbackServer(): Promise<{ redirectUri: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('callback');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface HeadlessLogin {
  /** The URL the user agent landed on at the redirect URI (code, state, iss). */
  callbackUrl: URL;
  codeVerifier: string;
  state: string;
  nonce: string;
}

/** Runs the authorization request with fetch following every redirect, as a headless agent would. */
export async function headlessLogin(
  config: client.Configuration,
  redirectUri: string,
  extra: Record<string, string> = {},
): Promise<HeadlessLogin> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  const response = await fetch(url, { redirect: 'follow' });
  await response.arrayBuffer();
  return { callbackUrl: new URL(response.url), codeVerifier, state, nonce };
}

export async function codeGrant(config: client.Configuration, redirectUri: string, extra: Record<string, string> = {}) {
  const login = await headlessLogin(config, redirectUri, extra);
  const tokens = await client.authorizationCodeGrant(config, login.callbackUrl, {
    pkceCodeVerifier: login.codeVerifier,
    expectedState: login.state,
    expectedNonce: login.nonce,
    idTokenExpected: true,
  });
  return { login, tokens };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection, got a result');
}
