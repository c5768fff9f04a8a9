// The `oidc` twin kind: one OpenID Provider (node-oidc-provider) per twin, on its own port, with
// headless login, token minting, key rotation, a skewable clock and fault points per endpoint.
// Issuer: http://<host>:<port>. Env for the SUT: OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// and OIDC_CLIENT_<NAME>_ID / _SECRET per client (see clientEnv). See twins/oidc/README.md.
import { createServer, type RequestListener } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import {
  FaultTimers,
  StandinError,
  defineTwinKind,
  hostPort,
  listenHttpLinked,
  type RunningTwin,
  type TwinContext,
} from '../../src/core/index.ts';
import { ConfigError, OidcConfigSchema, SIGNING_ALGS, resolveConfig, type OidcConfig, type ResolvedConfig, type SigningAlg } from './config.ts';
import { oidcPoints } from './fault-points.ts';
import { CookieBridge } from './headless-interaction.ts';
import { createFront } from './http-front.ts';
import { IssuerClock, realClock } from './issuer-clock.ts';
import { takeKey, type KeyRing, type SigningKey } from './key-ring.ts';
import { MintTokenParams, mintToken } from './mint-token.ts';
import { buildProvider, loadProvider } from './provider-factory.ts';
import { ProviderSlot } from './provider-slot.ts';
import { RedirectCorruptions } from './redirect-corruption.ts';
import { TokenStore } from './token-store.ts';
import { oidcExplore } from './explore.ts';

const RotateKeysParams = Type.Object(
  {
    graceSeconds: Type.Optional(Type.Number({ minimum: 0, description: 'how long the old key stays in the JWKS; default keyRotationGraceSeconds' })),
    alg: Type.Optional(Type.Union(SIGNING_ALGS.map((a) => Type.Literal(a)), { description: 'algorithm of the new key; default the current one' })),
  },
  { additionalProperties: false },
);

const ApproveDeviceParams = Type.Object(
  {
    userCode: Type.String({ minLength: 1, description: 'the user_code the device shows (separators and case ignored)' }),
    sub: Type.Optional(Type.String({ description: 'user who approves; default: the default user' })),
    deny: Type.Optional(Type.Boolean({ description: 'deny instead: the device gets access_denied' })),
  },
  { additionalProperties: false },
);

const SetClockParams = Type.Object(
  {
    offsetSeconds: Type.Optional(Type.Number({ description: 'issuer clock = real clock + offset (negative: behind)' })),
    at: Type.Optional(Type.String({ minLength: 1, description: 'set the issuer clock to this instant (ISO 8601 date-time)' })),
  },
  { additionalProperties: false },
);

const oidcActions = {
  'mint-token': {
    description: 'a signed access or ID token for any subject and claims, or a deliberately broken variant',
    params: MintTokenParams,
  },
  'rotate-keys': {
    description: 'a new signing key becomes active; the old one stays in the JWKS for graceSeconds, then leaves',
    params: RotateKeysParams,
  },
  'approve-device': {
    description: 'answer a pending device authorization (RFC 8628) headlessly: approve as a user, or deny',
    params: ApproveDeviceParams,
  },
  'set-clock': { description: "skew the issuer's clock (offsetSeconds or at); {} resets it", params: SetClockParams },
};

export const oidcTwin = defineTwinKind({
  kind: 'oidc',
  description: 'OpenID Connect provider (node-oidc-provider) with headless login, token minting, key rotation and identity faults',
  configSchema: OidcConfigSchema,
  points: oidcPoints,
  explore: oidcExplore,
  actions: oidcActions,
  start: startOidcTwin,
});

async function startOidcTwin(raw: OidcConfig, ctx: TwinContext): Promise<RunningTwin<typeof oidcActions>> {
  const config = resolveOrThrow(raw, ctx);
  const [firstKey, rs256] = await Promise.all([
    takeKey(config.signingAlg),
    config.signingAlg === 'RS256' ? undefined : takeKey('RS256'),
    loadProvider(),
  ]);
  const store = new TokenStore();
  const clock = new IssuerClock();
  const bridge = new CookieBridge(config.ttl.interaction * 1000, ctx.now);
  const clientOf = new WeakMap();
  const redirects = new RedirectCorruptions();
  const timers = new FaultTimers();
  // Cookie signing keys outlive provider rebuilds, so sessions and interactions survive a rotation.
  // A secret, so from crypto: the seeded rng would make it guessable, and no outcome depends on it.
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const dpopNonceSecret = randomBytes(32);

  // Requests arriving before the provider is built wait for it rather than meet an empty server.
  let front: RequestListener | undefined;
  let frontReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (frontReady = resolve));
  const server = createServer({ keepAlive: true }, (req, res) => {
    if (front) front(req, res);
    else void ready.then(() => front?.(req, res));
  });
  const link = await listenHttpLinked(ctx, server, { host: raw.host, port: raw.port });
  // The issuer names the port, known only now: the provider is built after listening.
  const issuer = `http://${hostPort(ctx.advertisedHost, link.port)}`;
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
        onClient: (req, clientId) => clientOf.set(req, clientId),
        onServerError: (error) => ctx.log.warn('oidc provider error', { error: String(error) }),
      }),
    (jwks) => ctx.journal.record({ type: 'state', summary: 'retired signing key(s) left the JWKS', data: { jwks } }),
    (error) => ctx.log.error('oidc key retirement failed', { error: String(error) }),
  );
  const keys = slot.keys;
  try {
    await slot.rebuild();
  } catch (error) {
    await link.close();
    throw error;
  }

  front = createFront(ctx, {
    issuer,
    config,
    clock,
    bridge,
    clientOf,
    redirects,
    timers,
    provider: () => slot.current,
    activeKid: () => keys.active.kid,
  });
  frontReady();

  // Keys outside the JWKS for the foreign-key variant, one per algorithm, made on first use.
  const foreignKeys = new Map<SigningAlg, Promise<SigningKey>>();
  let mintCount = 0;

  const actions: RunningTwin<typeof oidcActions>['actions'] = {
    'mint-token': async (input) => {
      const active = keys.active;
      const minted = await mintToken(input, {
        issuer,
        config,
        active,
        foreignKey: () => {
          let key = foreignKeys.get(active.alg);
          if (!key) foreignKeys.set(active.alg, (key = takeKey(active.alg)));
          return key;
        },
        now: () => clock.now(),
        rng: ctx.rng('mint-token', mintCount++),
      });
      ctx.journal.record({
        type: 'action',
        summary: `minted ${minted.variant} ${input.type ?? 'access_token'} for ${String(minted.claims.sub)}`,
        data: { variant: minted.variant, kid: minted.header.kid ?? null, sub: minted.claims.sub },
      });
      return minted;
    },
    'rotate-keys': async (params) => {
      const graceSeconds = params.graceSeconds ?? config.keyRotationGraceSeconds;
      const alg = params.alg ?? keys.active.alg;
      const [next, rs256] = await Promise.all([takeKey(alg), keys.needsRs256(alg) ? takeKey('RS256') : undefined]);
      const { previous, retiresAt } = await slot.rotate(next, graceSeconds, rs256);
      const result = { kid: next.kid, alg: next.alg, previousKid: previous.kid, retiresAt: new Date(retiresAt).toISOString(), jwks: keys.publicJwks() };
      ctx.journal.record({ type: 'action', summary: `rotated signing key ${previous.kid} → ${next.kid}`, data: result });
      return result;
    },
    'approve-device': async (params) => {
      const userCode = params.userCode;
      const sub = params.sub ?? config.defaultUser.sub;
      if (!config.users.some((u) => u.sub === sub)) {
        throw new StandinError('STANDIN_ERR_TWIN_ACTION_FAILED', { verb: 'approve-device', twin: ctx.name, detail: `no user with sub ${sub}` });
      }
      const answer = params.deny === true ? ({ denied: true } as const) : { accountId: sub };
      const clientId = await clock.run(() => slot.current.answerDevice(userCode, answer));
      if (clientId === undefined) {
        throw new StandinError('STANDIN_ERR_TWIN_ACTION_FAILED', {
          verb: 'approve-device',
          twin: ctx.name,
          detail: `no pending device authorization with user code ${userCode}`,
        });
      }
      const result = { clientId, userCode, ...(params.deny === true ? { denied: true } : { sub }) };
      ctx.journal.record({ type: 'action', summary: `device ${userCode} ${params.deny === true ? 'denied' : `approved as ${sub}`}`, data: result });
      return result;
    },
    'set-clock': async (params) => {
      // An instant lands on a whole-second offset: token times (iat, exp) are whole seconds anyway.
      const skewMs =
        params.at !== undefined
          ? Math.round((Date.parse(params.at) - realClock()) / 1000) * 1000
          : params.offsetSeconds !== undefined
            ? params.offsetSeconds * 1000
            : 0;
      if (!Number.isFinite(skewMs)) throw new StandinError('STANDIN_ERR_TWIN_ACTION_FAILED', { verb: 'set-clock', twin: ctx.name, detail: `bad time ${params.at}` });
      clock.set(Math.round(skewMs));
      const result = { offsetSeconds: clock.skew / 1000, issuerTime: new Date(clock.now()).toISOString() };
      ctx.journal.record({ type: 'action', summary: `issuer clock offset ${result.offsetSeconds}s`, data: result });
      return result;
    },
  };

  return {
    endpoints: {
      issuer,
      discovery: `${issuer}/.well-known/openid-configuration`,
      jwks: `${issuer}/jwks`,
      authorization: `${issuer}/auth`,
      token: `${issuer}/token`,
      userinfo: `${issuer}/me`,
      introspection: `${issuer}/token/introspection`,
      revocation: `${issuer}/token/revocation`,
    },
    env: { OIDC_ISSUER: issuer, ...clientEnv(config) },
    inspect: async () => ({
      issuer,
      clients: config.clients.map((c) => ({
        client_id: c.client_id,
        grant_types: c.grant_types ?? ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: c.token_endpoint_auth_method ?? (c.client_secret ? 'client_secret_basic' : 'none'),
        redirect_uris: c.redirect_uris ?? ['http://127.0.0.1/callback', 'http://localhost/callback'],
      })),
      users: config.users.map((u) => ({ sub: u.sub, username: u.username ?? null, claims: u.claims ?? {} })),
      defaultUser: config.defaultUser.sub,
      signingAlg: keys.active.alg,
      activeKid: keys.active.kid,
      jwks: kids(keys),
      retiringKeys: keys.retiringKeys().map((r) => ({ kid: r.kid, retiresAt: new Date(r.retiresAt).toISOString() })),
      issued: { ...store.issued(), minted: mintCount },
      stored: store.counts(),
      clockSkewSeconds: clock.skew / 1000,
    }),
    actions,
    reset: () =>
      slot.restore(firstKey, () => {
        store.clear();
        bridge.clear();
        redirects.clear();
        clock.set(0);
        mintCount = 0;
      }),
    stop: async () => {
      slot.stop();
      timers.stop();
      server.closeAllConnections();
      await link.close();
    },
  };
}

function resolveOrThrow(raw: OidcConfig, ctx: TwinContext): ResolvedConfig {
  try {
    return resolveConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new StandinError('STANDIN_ERR_TWIN_CONFIG_INVALID', { twin: ctx.name, path: `.${error.field}`, detail: error.detail });
    }
    throw error;
  }
}

function kids(keys: KeyRing): string[] {
  return keys.signingKeys().map((k) => k.kid);
}

/**
 * OIDC_CLIENT_ID / OIDC_CLIENT_SECRET for the first client, and for every client
 * OIDC_CLIENT_<NAME>_ID / OIDC_CLIENT_<NAME>_SECRET, NAME being its client_id upper-cased with
 * every run of other characters turned into `_` (standin-client → STANDIN_CLIENT).
 */
export function clientEnv(config: ResolvedConfig): Record<string, string> {
  const env: Record<string, string> = {};
  config.clients.forEach((client, i) => {
    const name = client.client_id.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');
    const pairs: Array<[string, string | undefined]> = [
      [`OIDC_CLIENT_${name}_ID`, client.client_id],
      [`OIDC_CLIENT_${name}_SECRET`, client.client_secret],
    ];
    if (i === 0) pairs.unshift(['OIDC_CLIENT_ID', client.client_id], ['OIDC_CLIENT_SECRET', client.client_secret]);
    for (const [key, value] of pairs) if (value !== undefined) env[key] = value;
  });
  return env;
}
