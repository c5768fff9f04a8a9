// The oidc twin's config: clients, users, scopes and claims, token lifetimes, the signing algorithm
// and which grants/endpoints are on. `{}` alone resolves to a working issuer with one confidential
// client and one user (see DEFAULT_CLIENT and DEFAULT_USER).
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { BaseTwinConfigFields } from '../../src/core/index.ts';

export const SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** RFC 8693 §2.1. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  TOKEN_EXCHANGE_GRANT,
] as const;

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** Algorithms a client may sign its authentication assertion with (RFC 7523): HMAC for client_secret_jwt, the rest for private_key_jwt. */
export const CLIENT_ASSERTION_ALGS = ['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'EdDSA'] as const;

/** A string enum schema whose static type keeps the literal values. */
const literals = <T extends readonly string[]>(values: T, description: string) =>
  Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v)), { description }));

const ClientSchema = Type.Object(
  {
    client_id: Type.String({ minLength: 1 }),
    client_secret: Type.Optional(Type.String({ minLength: 1, description: 'absent for public clients (auth method none)' })),
    client_name: Type.Optional(Type.String()),
    redirect_uris: Type.Optional(
      Type.Array(Type.String(), {
        description: 'default: http://127.0.0.1/callback and http://localhost/callback, any port (RFC 8252 loopback)',
      }),
    ),
    post_logout_redirect_uris: Type.Optional(Type.Array(Type.String())),
    grant_types: Type.Optional(Type.Array(literals(GRANT_TYPES, 'a grant type'), { minItems: 1 })),
    token_endpoint_auth_method: Type.Optional(literals(CLIENT_AUTH_METHODS, 'how the client authenticates')),
    scope: Type.Optional(Type.String({ description: 'scopes the client may request (space separated); default: all' })),
    application_type: Type.Optional(literals(['web', 'native'] as const, 'native allows any loopback port in redirect URIs')),
    id_token_signed_response_alg: Type.Optional(literals(SIGNING_ALGS, "algorithm of this client's ID tokens; default signingAlg")),
    jwks: Type.Optional(
      Type.Object(
        { keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1, description: 'public JWKs' }) },
        { additionalProperties: false, description: "the client's public keys: they verify its private_key_jwt assertions" },
      ),
    ),
    token_endpoint_auth_signing_alg: Type.Optional(
      literals(CLIENT_ASSERTION_ALGS, 'the one algorithm its client_secret_jwt / private_key_jwt assertions must use; default any that fits'),
    ),
    require_pushed_authorization_requests: Type.Optional(
      Type.Boolean({ description: 'this client must push its authorization requests (RFC 9126 §6)' }),
    ),
    dpop_bound_access_tokens: Type.Optional(Type.Boolean({ description: 'this client must send a DPoP proof at the token endpoint (RFC 9449 §5.2)' })),
  },
  { additionalProperties: false },
);
export type ClientConfig = Static<typeof ClientSchema>;

const UserSchema = Type.Object(
  {
    sub: Type.String({ minLength: 1 }),
    username: Type.Optional(Type.String({ description: 'also accepted as login_hint' })),
    password: Type.Optional(Type.String({ description: 'shown to humans only; headless login does not check it' })),
    claims: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'e.g. {email, name, groups}' })),
  },
  { additionalProperties: false },
);
export type UserConfig = Static<typeof UserSchema>;

const seconds = (description: string) => Type.Optional(Type.Integer({ minimum: 1, description }));

const TtlSchema = Type.Object(
  {
    accessToken: seconds('default 3600'),
    clientCredentials: seconds('default 3600'),
    idToken: seconds('default 3600'),
    refreshToken: seconds('default 14 days'),
    authorizationCode: seconds('default 60'),
    deviceCode: seconds('default 600'),
    session: seconds('default 14 days'),
    grant: seconds('default 14 days'),
    interaction: seconds('default 3600'),
  },
  { additionalProperties: false },
);

const FeaturesSchema = Type.Object(
  {
    clientCredentials: Type.Optional(Type.Boolean()),
    refreshTokens: Type.Optional(Type.Boolean({ description: 'issue refresh tokens to clients allowed the grant, without needing offline_access' })),
    introspection: Type.Optional(Type.Boolean()),
    revocation: Type.Optional(Type.Boolean()),
    userinfo: Type.Optional(Type.Boolean()),
    deviceFlow: Type.Optional(Type.Boolean()),
    rpInitiatedLogout: Type.Optional(Type.Boolean()),
    pushedAuthorizationRequests: Type.Optional(Type.Boolean({ description: 'the PAR endpoint /request (RFC 9126)' })),
    requirePushedAuthorizationRequests: Type.Optional(
      Type.Boolean({ description: 'every client must push its authorization requests (default false)' }),
    ),
    dpop: Type.Optional(Type.Boolean({ description: 'DPoP-bound tokens when the client sends a proof (RFC 9449)' })),
    dpopNonce: Type.Optional(Type.Boolean({ description: 'DPoP proofs must carry a server nonce (RFC 9449 §8; default false)' })),
    tokenExchange: Type.Optional(Type.Boolean({ description: 'the token exchange grant (RFC 8693), for clients that list it in grant_types' })),
  },
  { additionalProperties: false, description: 'all on by default except requirePushedAuthorizationRequests and dpopNonce' },
);

/** What one issuer is: its clients, users, scopes, lifetimes, keys and features. */
const IssuerFields = {
  clients: Type.Optional(Type.Array(ClientSchema, { minItems: 1 })),
  users: Type.Optional(Type.Array(UserSchema, { minItems: 1 })),
  defaultUser: Type.Optional(Type.String({ description: 'sub of the user headless login picks without login_hint; default: the first' })),
  scopes: Type.Optional(Type.Array(Type.String(), { description: 'extra scopes beyond openid, profile, email, offline_access' })),
  claims: Type.Optional(
    Type.Record(Type.String(), Type.Array(Type.String()), { description: 'scope → claims it releases, merged over the standard ones' }),
  ),
  ttl: Type.Optional(TtlSchema),
  signingAlg: Type.Optional(literals(SIGNING_ALGS, 'signing algorithm of ID tokens and minted tokens (default RS256)')),
  features: Type.Optional(FeaturesSchema),
  requirePkce: Type.Optional(Type.Boolean({ description: 'PKCE for every client (default: public clients only)' })),
  loginPage: Type.Optional(
    literals(['browsers', 'never'] as const, 'browsers (default): a request accepting text/html without login_hint gets a page listing users'),
  ),
  keyRotationGraceSeconds: Type.Optional(
    Type.Number({ minimum: 0, description: 'how long a rotated-out key stays in the JWKS (default 600)' }),
  ),
};

const IssuerSchema = Type.Object(
  {
    path: Type.String({
      pattern: '^(/[A-Za-z0-9._~-]+)+$',
      description: 'where the issuer lives on the twin: issuer = http://<host>:<port><path>, e.g. /tenants/acme',
    }),
    ...IssuerFields,
  },
  { additionalProperties: false },
);
export type IssuerConfig = Static<typeof IssuerSchema>;

export const OidcConfigSchema = Type.Object(
  {
    ...BaseTwinConfigFields,
    ...IssuerFields,
    issuers: Type.Optional(
      Type.Array(IssuerSchema, {
        description: 'more issuers on the same port, each under its own path with its own keys, clients and users (multi-tenant IdPs); the fields above make the one at /',
      }),
    ),
  },
  { additionalProperties: false },
);
export type OidcConfig = Static<typeof OidcConfigSchema>;

/** Where a client without redirect_uris may return: loopback, any port (a native client, RFC 8252 §7.3). */
export const DEFAULT_REDIRECT_URIS = ['http://127.0.0.1/callback', 'http://localhost/callback'];

export const DEFAULT_CLIENT: ClientConfig = {
  client_id: 'standin-client',
  client_secret: 'standin-secret',
  client_name: 'Standin default client',
  application_type: 'native',
  redirect_uris: DEFAULT_REDIRECT_URIS,
  post_logout_redirect_uris: ['http://127.0.0.1/', 'http://localhost/'],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
  token_endpoint_auth_method: 'client_secret_basic',
};

export const DEFAULT_USER: UserConfig = {
  sub: 'user-1',
  username: 'alice',
  password: 'alice',
  claims: { name: 'Alice Example', given_name: 'Alice', family_name: 'Example', email: 'alice@example.test', email_verified: true },
};

export const STANDARD_CLAIMS: Record<string, string[]> = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'picture', 'locale', 'updated_at'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
};

export interface ResolvedTtl {
  accessToken: number;
  clientCredentials: number;
  idToken: number;
  refreshToken: number;
  authorizationCode: number;
  deviceCode: number;
  session: number;
  grant: number;
  interaction: number;
}

export interface ResolvedFeatures {
  clientCredentials: boolean;
  refreshTokens: boolean;
  introspection: boolean;
  revocation: boolean;
  userinfo: boolean;
  deviceFlow: boolean;
  rpInitiatedLogout: boolean;
  pushedAuthorizationRequests: boolean;
  requirePushedAuthorizationRequests: boolean;
  dpop: boolean;
  dpopNonce: boolean;
  tokenExchange: boolean;
}

/** The config with every default filled in: what the provider factory and the actions read. */
export interface ResolvedConfig {
  clients: ClientConfig[];
  users: UserConfig[];
  defaultUser: UserConfig;
  scopes: string[];
  claims: Record<string, string[]>;
  ttl: ResolvedTtl;
  signingAlg: SigningAlg;
  features: ResolvedFeatures;
  requirePkce: boolean;
  loginPage: 'browsers' | 'never';
  keyRotationGraceSeconds: number;
}

const DAY = 24 * 60 * 60;

export function resolveConfig(config: Omit<OidcConfig, 'issuers'>): ResolvedConfig {
  const users = config.users ?? [DEFAULT_USER];
  const defaultUser = config.defaultUser === undefined ? users[0] : users.find((u) => u.sub === config.defaultUser);
  if (!defaultUser) throw new ConfigError('defaultUser', `no user with sub ${config.defaultUser}`);
  const clients = (config.clients ?? [DEFAULT_CLIENT]).map((c) => ({ ...c }));
  const ttl = config.ttl ?? {};
  const features = resolveFeatures(config.features ?? {});
  const ids = new Set<string>();
  clients.forEach((client, i) => {
    if (ids.has(client.client_id)) throw new ConfigError(`clients[${i}].client_id`, `duplicate client_id ${client.client_id}`);
    ids.add(client.client_id);
    checkClient(client, `clients[${i}]`, features);
  });
  const subs = new Set<string>();
  users.forEach((user, i) => {
    if (subs.has(user.sub)) throw new ConfigError(`users[${i}].sub`, `duplicate sub ${user.sub}`);
    subs.add(user.sub);
  });
  const claims = { ...STANDARD_CLAIMS, ...config.claims };
  const scopes = [...new Set(['openid', 'offline_access', ...Object.keys(claims), ...(config.scopes ?? [])])];
  return {
    clients,
    users,
    defaultUser,
    scopes,
    claims,
    ttl: {
      accessToken: ttl.accessToken ?? 3600,
      clientCredentials: ttl.clientCredentials ?? 3600,
      idToken: ttl.idToken ?? 3600,
      refreshToken: ttl.refreshToken ?? 14 * DAY,
      authorizationCode: ttl.authorizationCode ?? 60,
      deviceCode: ttl.deviceCode ?? 600,
      session: ttl.session ?? 14 * DAY,
      grant: ttl.grant ?? 14 * DAY,
      interaction: ttl.interaction ?? 3600,
    },
    signingAlg: config.signingAlg ?? 'RS256',
    features,
    requirePkce: config.requirePkce ?? false,
    loginPage: config.loginPage ?? 'browsers',
    keyRotationGraceSeconds: config.keyRotationGraceSeconds ?? 600,
  };
}

function resolveFeatures(features: NonNullable<OidcConfig['features']>): ResolvedFeatures {
  const resolved = {
    clientCredentials: features.clientCredentials ?? true,
    refreshTokens: features.refreshTokens ?? true,
    introspection: features.introspection ?? true,
    revocation: features.revocation ?? true,
    userinfo: features.userinfo ?? true,
    deviceFlow: features.deviceFlow ?? true,
    rpInitiatedLogout: features.rpInitiatedLogout ?? true,
    pushedAuthorizationRequests: features.pushedAuthorizationRequests ?? true,
    requirePushedAuthorizationRequests: features.requirePushedAuthorizationRequests ?? false,
    dpop: features.dpop ?? true,
    dpopNonce: features.dpopNonce ?? false,
    tokenExchange: features.tokenExchange ?? true,
  };
  if (resolved.requirePushedAuthorizationRequests && !resolved.pushedAuthorizationRequests) {
    throw new ConfigError('features.requirePushedAuthorizationRequests', 'needs features.pushedAuthorizationRequests');
  }
  if (resolved.dpopNonce && !resolved.dpop) throw new ConfigError('features.dpopNonce', 'needs features.dpop');
  return resolved;
}

/** What the schema cannot say about one client: the credentials its auth method needs, and features it relies on. */
function checkClient(client: ClientConfig, at: string, features: ResolvedFeatures): void {
  const method = authMethodOf(client);
  if ((method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt') && !client.client_secret) {
    throw new ConfigError(`${at}.client_secret`, `required with token_endpoint_auth_method ${method}`);
  }
  if (method === 'private_key_jwt' && !client.jwks) {
    throw new ConfigError(`${at}.jwks`, 'required with token_endpoint_auth_method private_key_jwt: the public keys its assertions are signed with');
  }
  client.jwks?.keys.forEach((jwk, j) => {
    const field = `${at}.jwks.keys[${j}]`;
    if ('d' in jwk || 'k' in jwk) throw new ConfigError(field, 'a private or symmetric key; register the public key only');
    try {
      createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch (error) {
      throw new ConfigError(field, `not a public JWK: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const alg = client.token_endpoint_auth_signing_alg;
  if (alg !== undefined) {
    const wanted = alg.startsWith('HS') ? 'client_secret_jwt' : 'private_key_jwt';
    if (method !== wanted) throw new ConfigError(`${at}.token_endpoint_auth_signing_alg`, `${alg} goes with token_endpoint_auth_method ${wanted}, not ${method}`);
  }
  if (client.grant_types?.includes(TOKEN_EXCHANGE_GRANT) && !features.tokenExchange) {
    throw new ConfigError(`${at}.grant_types`, `${TOKEN_EXCHANGE_GRANT} needs features.tokenExchange`);
  }
  if (client.require_pushed_authorization_requests && !features.pushedAuthorizationRequests) {
    throw new ConfigError(`${at}.require_pushed_authorization_requests`, 'needs features.pushedAuthorizationRequests');
  }
  if (client.dpop_bound_access_tokens && !features.dpop) throw new ConfigError(`${at}.dpop_bound_access_tokens`, 'needs features.dpop');
}

/** The client's token endpoint auth method, defaulted as registration does: a secret means Basic, none means public. */
export function authMethodOf(client: ClientConfig): ClientAuthMethod {
  return client.token_endpoint_auth_method ?? (client.client_secret ? 'client_secret_basic' : 'none');
}

/** The first segments of the root issuer's own routes, which an issuer path cannot start with. */
const ROOT_ROUTES = new Set(['.well-known', 'auth', 'token', 'me', 'jwks', 'request', 'device', 'session', 'interaction']);

/** Every issuer of a twin: the root one (path '') and those under `issuers`, each resolved. */
export function resolveIssuers(config: OidcConfig): Array<{ path: string; config: ResolvedConfig }> {
  const { issuers = [], ...root } = config;
  const resolved = [{ path: '', config: resolveConfig(root) }];
  const envNames = new Set<string>();
  issuers.forEach(({ path, ...fields }, i) => {
    const at = `issuers[${i}]`;
    const first = path.split('/')[1] ?? '';
    if (ROOT_ROUTES.has(first)) throw new ConfigError(`${at}.path`, `/${first} is a route of the issuer at /; choose another first segment`);
    const clash = resolved.find((r) => r.path !== '' && (r.path === path || path.startsWith(`${r.path}/`) || r.path.startsWith(`${path}/`)));
    if (clash) throw new ConfigError(`${at}.path`, `${path} overlaps the issuer at ${clash.path}`);
    const envName = issuerEnvName(path);
    if (envNames.has(envName)) throw new ConfigError(`${at}.path`, `${path} gives the same env names (OIDC_${envName}_…) as another issuer`);
    envNames.add(envName);
    try {
      resolved.push({ path, config: resolveConfig(fields) });
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`${at}.${error.field}`, error.detail);
      throw error;
    }
  });
  return resolved;
}

/** An issuer path as an env var infix: /tenants/acme → TENANTS_ACME. */
export function issuerEnvName(path: string): string {
  return path.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/** A config the schema accepts but that cannot work (a duplicate id, a missing secret). */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Finds a user by sub or username, as login_hint may carry either. */
export function findUser(users: readonly UserConfig[], hint: string): UserConfig | undefined {
  return users.find((u) => u.sub === hint) ?? users.find((u) => u.username === hint || u.claims?.email === hint);
}
