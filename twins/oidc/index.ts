// The `oidc` twin kind: OpenID Providers (node-oidc-provider) on one port per twin, with headless
// login, token minting, key rotation, a skewable clock and fault points per endpoint. The issuer at
// / is http://<host>:<port>; `issuers[]` adds more under their own paths (issuer.ts). Env for the
// SUT: OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_CLIENT_<NAME>_ID / _SECRET per client
// (client-env.ts), and the same under OIDC_<ISSUER>_ per extra issuer. See twins/oidc/README.md.
import { createServer, type RequestListener } from 'node:http';
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
import { ConfigError, OidcConfigSchema, SIGNING_ALGS, resolveIssuers, type OidcConfig, type ResolvedConfig } from './config.ts';
import { oidcExplore } from './explore.ts';
import { oidcPoints } from './fault-points.ts';
import { createFront } from './http-front.ts';
import { IssuerClock, realClock } from './issuer-clock.ts';
import { issuerNamed, startIssuer, type Issuer } from './issuer.ts';
import { MintTokenParams } from './mint-token.ts';
import { loadProvider } from './provider-factory.ts';

/** The `issuer` parameter of the actions that act on one issuer. */
const issuerParam = Type.Optional(Type.String({ description: 'path of the issuer (see issuers[]); default: the one at /' }));

const RotateKeysParams = Type.Object(
  {
    graceSeconds: Type.Optional(Type.Number({ minimum: 0, description: 'how long the old key stays in the JWKS; default keyRotationGraceSeconds' })),
    alg: Type.Optional(Type.Union(SIGNING_ALGS.map((a) => Type.Literal(a)), { description: 'algorithm of the new key; default the current one' })),
    issuer: issuerParam,
  },
  { additionalProperties: false },
);

const ApproveDeviceParams = Type.Object(
  {
    userCode: Type.String({ minLength: 1, description: 'the user_code the device shows (separators and case ignored)' }),
    sub: Type.Optional(Type.String({ description: 'user who approves; default: the default user' })),
    deny: Type.Optional(Type.Boolean({ description: 'deny instead: the device gets access_denied' })),
    issuer: issuerParam,
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
    params: Type.Object({ ...MintTokenParams.properties, issuer: issuerParam }, { additionalProperties: false }),
  },
  'rotate-keys': {
    description: 'a new signing key becomes active; the old one stays in the JWKS for graceSeconds, then leaves',
    params: RotateKeysParams,
  },
  'approve-device': {
    description: 'answer a pending device authorization (RFC 8628) headlessly: approve as a user, or deny',
    params: ApproveDeviceParams,
  },
  'set-clock': { description: "skew the issuers' clock (offsetSeconds or at), all of the twin's issuers alike; {} resets it", params: SetClockParams },
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
  const configs = resolveOrThrow(raw, ctx);
  await loadProvider();
  const clock = new IssuerClock();
  const timers = new FaultTimers();

  // Requests arriving before the providers are built wait for them rather than meet an empty server.
  let front: RequestListener | undefined;
  let frontReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (frontReady = resolve));
  const server = createServer({ keepAlive: true }, (req, res) => {
    if (front) front(req, res);
    else void ready.then(() => front?.(req, res));
  });
  const link = await listenHttpLinked(ctx, server, { host: raw.host, port: raw.port });
  // Issuers name the port, known only now: the providers are built after listening.
  const origin = `http://${hostPort(ctx.advertisedHost, link.port)}`;
  let issuers: Issuer[];
  try {
    issuers = await Promise.all(configs.map(({ path, config }) => startIssuer({ ctx, path, origin, config, clock })));
  } catch (error) {
    await link.close();
    throw error;
  }
  const root = issuers[0] as Issuer;
  front = createFront(ctx, { issuers, clock, timers });
  frontReady();

  const named = (path: string | undefined, verb: string): Issuer => issuerNamed(issuers, path, verb, ctx.name);
  const where = (issuer: Issuer) => (issuer.path === '' ? {} : { issuer: issuer.path });

  const actions: RunningTwin<typeof oidcActions>['actions'] = {
    'mint-token': async ({ issuer: path, ...input }) => {
      const issuer = named(path, 'mint-token');
      const minted = await issuer.mint(input);
      ctx.journal.record({
        type: 'action',
        summary: `minted ${minted.variant} ${input.type ?? 'access_token'} for ${String(minted.claims.sub)}`,
        data: { variant: minted.variant, kid: minted.header.kid ?? null, sub: minted.claims.sub, ...where(issuer) },
      });
      return minted;
    },
    'rotate-keys': async ({ issuer: path, ...input }) => {
      const issuer = named(path, 'rotate-keys');
      const result = await issuer.rotate(input);
      ctx.journal.record({ type: 'action', summary: `rotated signing key ${result.previousKid} → ${result.kid}`, data: { ...result, ...where(issuer) } });
      return result;
    },
    'approve-device': async (params) => {
      const issuer = named(params.issuer, 'approve-device');
      const userCode = params.userCode;
      const sub = params.sub ?? issuer.config.defaultUser.sub;
      if (!issuer.config.users.some((u) => u.sub === sub)) {
        throw new StandinError('STANDIN_ERR_TWIN_ACTION_FAILED', { verb: 'approve-device', twin: ctx.name, detail: `no user with sub ${sub}` });
      }
      const answer = params.deny === true ? ({ denied: true } as const) : { accountId: sub };
      const clientId = await issuer.approveDevice(userCode, answer);
      if (clientId === undefined) {
        throw new StandinError('STANDIN_ERR_TWIN_ACTION_FAILED', {
          verb: 'approve-device',
          twin: ctx.name,
          detail: `no pending device authorization with user code ${userCode}`,
        });
      }
      const result = { clientId, userCode, ...(params.deny === true ? { denied: true } : { sub }) };
      ctx.journal.record({
        type: 'action',
        summary: `device ${userCode} ${params.deny === true ? 'denied' : `approved as ${sub}`}`,
        data: { ...result, ...where(issuer) },
      });
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

  const others = issuers.slice(1);
  return {
    endpoints: {
      ...root.endpoints(),
      ...Object.fromEntries(others.flatMap((i) => [[`${i.path.slice(1)}.issuer`, i.issuer], [`${i.path.slice(1)}.discovery`, i.endpoints().discovery as string]])),
    },
    env: Object.assign({}, ...issuers.map((i) => i.env())) as Record<string, string>,
    inspect: async () => ({
      ...root.inspect(),
      clockSkewSeconds: clock.skew / 1000,
      ...(others.length > 0 ? { issuers: others.map((i) => i.inspect()) } : {}),
    }),
    actions,
    reset: async () => {
      await Promise.all(issuers.map((i) => i.reset()));
      clock.set(0);
    },
    stop: async () => {
      for (const issuer of issuers) issuer.stop();
      timers.stop();
      server.closeAllConnections();
      await link.close();
    },
  };
}

function resolveOrThrow(raw: OidcConfig, ctx: TwinContext): Array<{ path: string; config: ResolvedConfig }> {
  try {
    return resolveIssuers(raw);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new StandinError('STANDIN_ERR_TWIN_CONFIG_INVALID', { twin: ctx.name, path: `.${error.field}`, detail: error.detail });
    }
    throw error;
  }
}
