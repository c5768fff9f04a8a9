// The file that touches oidc-provider (with token-exchange.ts, the one grant it lacks). It builds a
// Provider from the twin's resolved config, its current signing keys and its token store, and hands
// the rest of the twin a small typed handle; oidc-provider's own types (loose, Koa-shaped) stay in here.
// Client authentication by JWT (RFC 7523), PAR (RFC 9126) and DPoP (RFC 9449) are the provider's
// own features, configured here from the twin's config.
//
// oidc-provider 9 warns "Unsupported runtime. Use Node.js v22.x LTS" when imported on Node 20.
// Standin supports Node ≥ 20.19, where the newer APIs the provider calls exist (URL.parse since
// 20.18, crypto.hash since 20.12) and this twin's tests pass, so that one line is kept from users:
// the module is imported once, lazily, with console.warn filtering exactly that message. Every
// other warning of the library passes through, and the config below is complete enough that it
// prints none (own adapter, keys, interactions, account lookup, TTLs, policies and pages).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as OidcProviderModule from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { DEFAULT_REDIRECT_URIS, authMethodOf, type ResolvedConfig, type UserConfig } from './config.ts';
import { htmlPage, escapeHtml } from './html-page.ts';
import type { SigningKey } from './key-ring.ts';
import { loadGrantHelpers, registerTokenExchange } from './token-exchange.ts';
import type { TokenStore } from './token-store.ts';

type ProviderModule = typeof OidcProviderModule;
type ProviderClass = ProviderModule['default'];
type ProviderInstance = InstanceType<ProviderClass>;

/** The provider's error events of the endpoints that answer errors as JSON to a client. */
const ERROR_EVENTS = [
  'grant.error',
  'pushed_authorization_request.error',
  'introspection.error',
  'revocation.error',
  'device_authorization.error',
] as const;

const UNSUPPORTED_RUNTIME = 'oidc-provider WARNING: Unsupported runtime.';
let loading: Promise<ProviderModule> | undefined;

/** Imports oidc-provider once per process, without its Node-20 runtime notice. */
export async function loadProvider(): Promise<ProviderClass> {
  return (await loadModule()).default;
}

function loadModule(): Promise<ProviderModule> {
  loading ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes(UNSUPPORTED_RUNTIME)) return;
      warn.apply(console, args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return loading;
}

/** What the headless login needs to know of one pending interaction. */
export interface InteractionDetails {
  uid: string;
  prompt: string;
  clientId: string;
  loginHint: string | undefined;
  /** The logged-in account, when the prompt is consent. */
  accountId: string | undefined;
}

export interface ProviderHandle {
  /** The provider's request listener. */
  callback(req: IncomingMessage, res: ServerResponse): Promise<void>;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  /** Logs `accountId` in and grants everything the interaction asked for, then redirects back. */
  completeInteraction(req: IncomingMessage, res: ServerResponse, accountId: string): Promise<void>;
  /** Ends the interaction with an OAuth error that goes back to the client's redirect_uri. */
  failInteraction(req: IncomingMessage, res: ServerResponse, error: string, description: string): Promise<void>;
  /**
   * Answers a pending device authorization (RFC 8628) as the user would on the verification page:
   * approve for `accountId`, or deny. Returns the client id, or undefined for an unknown code.
   */
  answerDevice(userCode: string, answer: { accountId: string } | { denied: true }): Promise<string | undefined>;
}

export interface ProviderOptions {
  issuer: string;
  config: ResolvedConfig;
  keys: SigningKey[];
  store: TokenStore;
  /** Signs the provider's cookies; the same across rebuilds so sessions survive a rotation. */
  cookieKeys: string[];
  /** 32 bytes that key DPoP nonces (RFC 9449 §8); the same across rebuilds so a nonce outlives a rotation. */
  dpopNonceSecret: Buffer;
  /** Called once the provider has identified the client of a request. */
  onClient(req: IncomingMessage, clientId: string): void;
  onServerError(error: unknown): void;
}

export async function buildProvider(options: ProviderOptions): Promise<ProviderHandle> {
  const [{ default: Provider, errors }, helpers] = await Promise.all([loadModule(), options.config.features.tokenExchange ? loadGrantHelpers() : undefined]);
  const provider = new Provider(options.issuer, configuration(options));
  if (helpers) {
    const users = new Set(options.config.users.map((u) => u.sub));
    registerTokenExchange(provider, {
      errors,
      helpers,
      issuer: options.issuer,
      publicJwks: options.keys.map((k) => k.publicJwk),
      isUser: (sub) => users.has(sub),
    });
  }
  provider.on('server_error', (_ctx: unknown, error: unknown) => options.onServerError(error));
  // With a listener, Koa no longer prints errors to stderr itself.
  // (Koa's own event; the provider typings list only the provider's events.)
  (provider as unknown as NodeJS.EventEmitter).on('error', (error: unknown) => options.onServerError(error));
  // Some provider errors answer a generic description ("client authentication failed", "grant
  // request is invalid") and keep the reason (wrong aud, replayed jti, no DPoP proof…) in
  // error_detail, for the provider's logs. A test issuer's user is the developer, so the reason
  // joins the description the client sees.
  // (Typed per event name in the typings; one listener for several names needs the plain emitter.)
  for (const event of ERROR_EVENTS) {
    (provider as unknown as NodeJS.EventEmitter).on(event, (ctx: KoaContextWithOIDC, error: { error?: string; error_detail?: string }) => {
      const body = ctx.body as { error?: string; error_description?: string } | undefined;
      if (!error.error_detail || body?.error === undefined || body.error !== error.error) return;
      body.error_description = `${body.error_description ?? error.error}: ${error.error_detail}`;
    });
  }
  provider.use(async (ctx, next) => {
    await next();
    const clientId = (ctx as KoaContextWithOIDC).oidc?.client?.clientId;
    if (clientId) options.onClient(ctx.req, clientId);
  });
  const callback = provider.callback();
  return {
    // Koa's handler itself: a wrapping async function is two more promises per request, each paying
    // the hooks of oidc-provider's AsyncLocalStorage.
    callback: (req, res) => callback(req, res),
    interactionDetails: async (req, res) => {
      const interaction = await provider.interactionDetails(req, res);
      const params = interaction.params;
      return {
        uid: interaction.uid,
        prompt: interaction.prompt.name,
        clientId: String(params.client_id),
        loginHint: typeof params.login_hint === 'string' ? params.login_hint : undefined,
        accountId: interaction.session?.accountId,
      };
    },
    completeInteraction: async (req, res, accountId) => {
      const interaction = await provider.interactionDetails(req, res);
      const grant = await grantFor(provider, interaction, accountId);
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId }, consent: { grantId: grant } },
        { mergeWithLastSubmission: false },
      );
    },
    failInteraction: async (req, res, error, description) => {
      await provider.interactionFinished(req, res, { error, error_description: description }, { mergeWithLastSubmission: false });
    },
    answerDevice: async (userCode, answer) => {
      // The provider stores user codes normalized: upper case, no separators.
      const code = await provider.DeviceCode.findByUserCode(userCode.toUpperCase().replace(/\W/g, ''));
      if (!code || code.accountId || code.error) return undefined;
      if ('denied' in answer) {
        Object.assign(code, { error: 'access_denied', errorDescription: 'denied through the Standin approve-device action' });
      } else {
        const scope = typeof code.params?.scope === 'string' ? code.params.scope : 'openid';
        const grant = new provider.Grant({ accountId: answer.accountId, clientId: code.clientId });
        grant.addOIDCScope(scope);
        // What the provider's own verification step records on the code (actions/authorization/device.js).
        Object.assign(code, {
          accountId: answer.accountId,
          authTime: Math.floor(Date.now() / 1000),
          grantId: await grant.save(),
          scope,
        });
      }
      await code.save();
      return code.clientId;
    },
  };
}

/** Consent granted automatically: every scope, claim and resource scope the request asked for. */
async function grantFor(
  provider: ProviderInstance,
  interaction: Awaited<ReturnType<ProviderInstance['interactionDetails']>>,
  accountId: string,
): Promise<string> {
  const clientId = String(interaction.params.client_id);
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant = existing && existing.accountId === accountId ? existing : new provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (typeof interaction.params.scope === 'string') grant.addOIDCScope(interaction.params.scope);
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope);
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes);
  return grant.save();
}

function configuration(options: ProviderOptions): Configuration {
  const { config, store } = options;
  const users = new Map(config.users.map((u) => [u.sub, u]));
  // RS256 always: OpenID Connect Discovery §3 requires it among the ID token algorithms (the key ring holds an RS256 key).
  const algs = [...new Set([...options.keys.map((k) => k.alg), 'RS256' as const])];
  const ttl = config.ttl;
  const { features } = config;
  // An issuer under a path (/tenants/acme) is mounted there: its interactions live under it, and its
  // cookies carry its own names, so a browser signed in to two issuers of a twin keeps both sessions.
  const mount = new URL(options.issuer).pathname.replace(/\/$/, '');
  const cookieSuffix = mount.replace(/\//g, '.');
  return {
    adapter: (model: string) => store.adapter(model),
    clients: config.clients.map((c) => {
      const grantTypes = c.grant_types ?? ['authorization_code', 'refresh_token'];
      return {
        ...c,
        token_endpoint_auth_method: authMethodOf(c),
        grant_types: grantTypes,
        // Without redirect_uris a client is native, whose loopback redirect URIs match any port (RFC 8252 §7.3).
        redirect_uris: c.redirect_uris ?? DEFAULT_REDIRECT_URIS,
        application_type: c.application_type ?? (c.redirect_uris ? 'web' : 'native'),
        response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
        id_token_signed_response_alg: c.id_token_signed_response_alg ?? config.signingAlg,
      };
    }),
    clientDefaults: { id_token_signed_response_alg: config.signingAlg },
    jwks: { keys: options.keys.map((k) => ({ ...k.privateJwk })) as NonNullable<Configuration['jwks']>['keys'] },
    enabledJWA: {
      idTokenSigningAlgValues: algs,
      userinfoSigningAlgValues: algs,
      introspectionSigningAlgValues: algs,
      authorizationSigningAlgValues: algs,
    } as Configuration['enabledJWA'],
    cookies: {
      keys: options.cookieKeys,
      names: { session: `_session${cookieSuffix}`, interaction: `_interaction${cookieSuffix}`, resume: `_interaction_resume${cookieSuffix}` },
    },
    findAccount: (_ctx, sub) => {
      const user = users.get(sub);
      return user && account(user);
    },
    // The provider sets a token's `extra` to what this returns when saving it; the claims the token
    // exchange grant put there (`act`) are kept.
    extraTokenClaims: async (_ctx, token) => ('extra' in token ? token.extra : undefined),
    claims: config.claims,
    scopes: config.scopes,
    conformIdTokenClaims: false,
    clockTolerance: 5,
    pkce: { required: (_ctx, client) => config.requirePkce || client.clientAuthMethod === 'none' },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && (features.refreshTokens || code.scopes.has('offline_access')),
    interactions: { url: (_ctx, interaction) => `${mount}/interaction/${interaction.uid}` },
    clientBasedCORS: () => true,
    ttl: {
      AccessToken: ttl.accessToken,
      ClientCredentials: ttl.clientCredentials,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      AuthorizationCode: ttl.authorizationCode,
      DeviceCode: ttl.deviceCode,
      Session: ttl.session,
      Grant: ttl.grant,
      Interaction: ttl.interaction,
      BackchannelAuthenticationRequest: ttl.deviceCode,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: features.clientCredentials },
      introspection: { enabled: features.introspection, allowedPolicy: async () => true },
      revocation: { enabled: features.revocation, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: features.userinfo },
      pushedAuthorizationRequests: {
        enabled: features.pushedAuthorizationRequests,
        requirePushedAuthorizationRequests: features.requirePushedAuthorizationRequests,
      },
      // Without a nonce secret the provider never asks for nonces (a stale iat is then invalid_dpop_proof).
      dPoP: features.dpopNonce
        ? { enabled: true, nonceSecret: options.dpopNonceSecret, requireNonce: () => true }
        : { enabled: features.dpop },
      deviceFlow: {
        enabled: features.deviceFlow,
        userCodeInputSource: async (ctx, form, _out, err) => {
          ctx.body = htmlPage('Device login', `${err ? `<p>${escapeHtml(String(err.message ?? err))}</p>` : ''}${form}
            <p><input form="op.deviceInputForm" name="user_code" placeholder="user code" autofocus>
            <button form="op.deviceInputForm" type="submit">Continue</button></p>`);
        },
        userCodeConfirmSource: async (ctx, form, client, _info, userCode) => {
          ctx.body = htmlPage('Confirm device', `${form}<p>Sign in to ${escapeHtml(client.clientName ?? client.clientId)} with code
            <code>${escapeHtml(userCode)}</code>?</p>
            <button form="op.deviceConfirmForm" type="submit" name="confirm" value="yes">Yes</button>
            <button form="op.deviceConfirmForm" type="submit" name="abort" value="yes">No</button>`);
        },
        successSource: async (ctx) => {
          ctx.body = htmlPage('Device signed in', '<p>You can close this window and return to your device.</p>');
        },
      },
      rpInitiatedLogout: {
        enabled: features.rpInitiatedLogout,
        logoutSource: async (ctx, form) => {
          ctx.body = htmlPage('Sign out', `${form}<button form="op.logoutForm" type="submit" name="logout" value="yes">Sign out</button>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = htmlPage('Signed out', '<p>You are signed out.</p>');
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = htmlPage(
        'Error',
        Object.entries(out)
          .map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(String(v))}</p>`)
          .join(''),
      );
    },
  };
}

function account(user: UserConfig) {
  return {
    accountId: user.sub,
    claims: async () => ({
      preferred_username: user.username,
      ...user.claims,
      sub: user.sub,
    }),
  };
}
