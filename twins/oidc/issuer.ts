// One issuer of an oidc twin: its provider (rebuilt on key changes), keys, token store, pending
// interactions and the actions that act on it (mint-token, rotate-keys, approve-device). A twin
// holds the issuer at / and one more per `issuers[]` entry, each under its own path on the same
// port: as a multi-tenant IdP (Keycloak realms, Auth0 tenants) serves many issuers from one host.
// Issuers share nothing but the port, the twin's clock and its fault rules.
import { randomBytes } from 'node:crypto';
import { StandinError, type TwinContext } from '../../src/core/index.ts';
import { clientEnv } from './client-env.ts';
import { noteClient } from './client-notes.ts';
import { DEFAULT_REDIRECT_URIS, authMethodOf, issuerEnvName, type ResolvedConfig, type SigningAlg } from './config.ts';
import { CookieBridge } from './headless-interaction.ts';
import type { IssuerClock } from './issuer-clock.ts';
import { takeKey, type SigningKey } from './key-ring.ts';
import { mintToken, type MintTokenInput, type MintedToken } from './mint-token.ts';
import { buildProvider, type ProviderHandle } from './provider-factory.ts';
import { ProviderSlot } from './provider-slot.ts';
import { RedirectCorruptions } from './redirect-corruption.ts';
import { TokenStore } from './token-store.ts';

export interface IssuerOptions {
  ctx: TwinContext;
  /** '' for the issuer at /, else its path (/tenants/acme). */
  path: string;
  /** http://<host>:<port> of the twin. */
  origin: string;
  config: ResolvedConfig;
  clock: IssuerClock;
}

export interface RotateKeysInput {
  graceSeconds?: number;
  alg?: SigningAlg;
}

export interface Issuer {
  path: string;
  /** The issuer identifier: origin + path. */
  issuer: string;
  config: ResolvedConfig;
  bridge: CookieBridge;
  redirects: RedirectCorruptions;
  provider(): ProviderHandle;
  activeKid(): string;
  mint(input: MintTokenInput): Promise<MintedToken>;
  rotate(input: RotateKeysInput): Promise<{ kid: string; alg: SigningAlg; previousKid: string; retiresAt: string; jwks: unknown }>;
  /** Answers a pending device authorization; the client id, or undefined for an unknown code. */
  approveDevice(userCode: string, answer: { accountId: string } | { denied: true }): Promise<string | undefined>;
  endpoints(): Record<string, string>;
  env(): Record<string, string>;
  inspect(): Record<string, unknown>;
  reset(): Promise<void>;
  stop(): void;
}

export async function startIssuer(options: IssuerOptions): Promise<Issuer> {
  const { ctx, path, config, clock } = options;
  const issuer = `${options.origin}${path}`;
  const [firstKey, rs256] = await Promise.all([takeKey(config.signingAlg), config.signingAlg === 'RS256' ? undefined : takeKey('RS256')]);
  const store = new TokenStore();
  const bridge = new CookieBridge(config.ttl.interaction * 1000, ctx.now);
  const redirects = new RedirectCorruptions();
  // Secrets, so from crypto: the seeded rng would make them guessable, and no outcome depends on them.
  // Both outlive provider rebuilds, so sessions, interactions and DPoP nonces survive a rotation.
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const dpopNonceSecret = randomBytes(32);
  const where = path === '' ? {} : { issuer: path };
  const slot = new ProviderSlot(
    firstKey,
    rs256,
    (signingKeys) =>
      buildProvider({
        issuer,
        config,
        keys: signingKeys,
        store,
        cookieKeys,
        dpopNonceSecret,
        onClient: noteClient,
        onServerError: (error) => ctx.log.warn('oidc provider error', { error: String(error), ...where }),
      }),
    (jwks) => ctx.journal.record({ type: 'state', summary: 'retired signing key(s) left the JWKS', data: { jwks, ...where } }),
    (error) => ctx.log.error('oidc key retirement failed', { error: String(error), ...where }),
  );
  await slot.rebuild();
  const keys = slot.keys;

  // Keys outside the JWKS for the foreign-key variant, one per algorithm, made on first use.
  const foreignKeys = new Map<SigningAlg, Promise<SigningKey>>();
  let mintCount = 0;

  return {
    path,
    issuer,
    config,
    bridge,
    redirects,
    provider: () => slot.current,
    activeKid: () => keys.active.kid,
    mint: (input) => {
      const active = keys.active;
      return mintToken(input, {
        issuer,
        config,
        active,
        foreignKey: () => {
          let key = foreignKeys.get(active.alg);
          if (!key) foreignKeys.set(active.alg, (key = takeKey(active.alg)));
          return key;
        },
        now: () => clock.now(),
        // The root issuer draws as the twin always did, so its minted tokens stay the same per seed.
        rng: ctx.rng(path === '' ? 'mint-token' : `mint-token ${path}`, mintCount++),
      });
    },
    rotate: async (input) => {
      const graceSeconds = input.graceSeconds ?? config.keyRotationGraceSeconds;
      const alg = input.alg ?? keys.active.alg;
      const [next, nextRs256] = await Promise.all([takeKey(alg), keys.needsRs256(alg) ? takeKey('RS256') : undefined]);
      const { previous, retiresAt } = await slot.rotate(next, graceSeconds, nextRs256);
      return { kid: next.kid, alg: next.alg, previousKid: previous.kid, retiresAt: new Date(retiresAt).toISOString(), jwks: keys.publicJwks() };
    },
    approveDevice: (userCode, answer) => clock.run(() => slot.current.answerDevice(userCode, answer)),
    endpoints: () => ({
      issuer,
      discovery: `${issuer}/.well-known/openid-configuration`,
      jwks: `${issuer}/jwks`,
      authorization: `${issuer}/auth`,
      ...(config.features.pushedAuthorizationRequests ? { par: `${issuer}/request` } : {}),
      token: `${issuer}/token`,
      userinfo: `${issuer}/me`,
      introspection: `${issuer}/token/introspection`,
      revocation: `${issuer}/token/revocation`,
    }),
    env: () => {
      const prefix = path === '' ? 'OIDC_' : `OIDC_${issuerEnvName(path)}_`;
      return { [`${prefix}ISSUER`]: issuer, ...clientEnv(config, prefix) };
    },
    inspect: () => ({
      ...(path === '' ? {} : { path }),
      issuer,
      clients: config.clients.map((c) => ({
        client_id: c.client_id,
        grant_types: c.grant_types ?? ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: authMethodOf(c),
        redirect_uris: c.redirect_uris ?? DEFAULT_REDIRECT_URIS,
      })),
      users: config.users.map((u) => ({ sub: u.sub, username: u.username ?? null, claims: u.claims ?? {} })),
      defaultUser: config.defaultUser.sub,
      signingAlg: keys.active.alg,
      activeKid: keys.active.kid,
      jwks: keys.signingKeys().map((k) => k.kid),
      retiringKeys: keys.retiringKeys().map((r) => ({ kid: r.kid, retiresAt: new Date(r.retiresAt).toISOString() })),
      issued: { ...store.issued(), minted: mintCount },
      stored: store.counts(),
    }),
    reset: () =>
      slot.restore(firstKey, () => {
        store.clear();
        bridge.clear();
        redirects.clear();
        mintCount = 0;
      }),
    stop: () => slot.stop(),
  };
}

/** The issuer a request path belongs to (the longest path prefix), and the path within it. */
export function issuerOf(issuers: readonly Issuer[], path: string): { issuer: Issuer; local: string } {
  let found: Issuer | undefined;
  for (const candidate of issuers) {
    const inside = candidate.path === '' || path === candidate.path || path.startsWith(`${candidate.path}/`);
    if (inside && (found === undefined || candidate.path.length > found.path.length)) found = candidate;
  }
  if (!found) throw new Error('an oidc twin always has the issuer at /');
  return { issuer: found, local: path.slice(found.path.length) || '/' };
}

/** The issuer an action names (its path; absent = the one at /), or an error listing the paths. */
export function issuerNamed(issuers: readonly Issuer[], path: string | undefined, verb: string, twin: string): Issuer {
  const wanted = path === undefined || path === '/' ? '' : path;
  const found = issuers.find((i) => i.path === wanted);
  if (found) return found;
  throw new StandinError('STANDIN_ERR_TWIN_ACTION_FAILED', {
    verb,
    twin,
    detail: `no issuer at ${path}; this twin has ${issuers.map((i) => i.path || '/').join(', ')}`,
  });
}
