// The oidc twin's fault points: one per endpoint a relying party calls, matched by request path in
// the HTTP front (http-front.ts) before the provider sees the request; plus the link layer's
// `connection`. Each has the request matchers and actions every HTTP-speaking twin shares
// (src/core/request-faults) plus this protocol's own: `clientId` and, at `token`, `grantType` to
// match on; `error` answered as an OAuth error; corruptions of the discovery document, the JWKS and
// the authorization redirect beside the common ones.
import { Type, type Static } from '@sinclair/typebox';
import {
  DelaySchema,
  DisconnectSchema,
  HangSchema,
  RequestMatchFields,
  connectionPoint,
  corruptSchema,
  definePoint,
  matchFields,
  matchesRequest,
  type FaultPoint,
  type RequestEvent,
} from '../../src/core/index.ts';

export const HTTP_POINTS = ['discovery', 'jwks', 'authorize', 'par', 'token', 'userinfo', 'introspection'] as const;
export type HttpPoint = (typeof HTTP_POINTS)[number];

/** This protocol's own ways to corrupt an answer, beside the common ones (truncate, malformed-json, wrong-content-type, empty). */
export const OIDC_CORRUPTIONS = {
  'issuer-mismatch': 'discovery: a document whose issuer is not the URL it was fetched from',
  'missing-active-kid': 'jwks: the key set without the key that signs current tokens',
  'wrong-state': 'authorize: the redirect back to the client carries another state (CSRF check)',
  'wrong-iss': 'authorize: the redirect back to the client names another issuer in iss (RFC 9207 mix-up check)',
} as const;
export type OidcCorruption = keyof typeof OIDC_CORRUPTIONS;

const stringOrList = (description: string) => Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description }));

const ErrorActionSchema = Type.Object(
  {
    error: Type.Optional(
      Type.String({
        description: 'OAuth error code, e.g. invalid_grant, invalid_client, temporarily_unavailable, slow_down; default from status',
      }),
    ),
    error_description: Type.Optional(Type.String()),
    status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599, description: 'HTTP status; default from the error code' })),
    retryAfter: Type.Optional(Type.Integer({ minimum: 0, description: 'seconds, sent as Retry-After' })),
  },
  { additionalProperties: false },
);

const clientId = stringOrList('client_id, from Basic auth, the query or the form body');
const grantType = stringOrList('grant_type of the form body, e.g. refresh_token');
const MatchSchema = Type.Object({ ...RequestMatchFields, clientId }, { additionalProperties: false });
const TokenMatchSchema = Type.Object({ ...RequestMatchFields, clientId, grantType }, { additionalProperties: false });
type OidcMatch = Static<typeof TokenMatchSchema>;

/** A request at one of the points: the shared request fields and what the OAuth request says. */
export interface OidcRequestEvent extends RequestEvent {
  clientId: string | undefined;
  /** From the form body, read only when a rule at the point asks for it. */
  grantType: string | undefined;
}

function httpPoint(name: HttpPoint, description: string, own: Partial<Record<OidcCorruption, string>>, match: typeof MatchSchema | typeof TokenMatchSchema) {
  return definePoint({
    name,
    description,
    match,
    matches: (m: OidcMatch, event: OidcRequestEvent) =>
      matchesRequest(m, event) && matchFields({ clientId: m.clientId, grantType: m.grantType }, event),
    actions: {
      delay: DelaySchema,
      hang: HangSchema,
      disconnect: DisconnectSchema,
      error: ErrorActionSchema,
      corrupt: corruptSchema<OidcCorruption>(own),
    },
  });
}

export const OIDC_HTTP_POINTS = {
  discovery: httpPoint('discovery', 'GET /.well-known/openid-configuration', { 'issuer-mismatch': OIDC_CORRUPTIONS['issuer-mismatch'] }, MatchSchema),
  jwks: httpPoint('jwks', 'GET /jwks', { 'missing-active-kid': OIDC_CORRUPTIONS['missing-active-kid'] }, MatchSchema),
  authorize: httpPoint(
    'authorize',
    'the authorization endpoint /auth (errors are redirected to the client when no status is given)',
    { 'wrong-state': OIDC_CORRUPTIONS['wrong-state'], 'wrong-iss': OIDC_CORRUPTIONS['wrong-iss'] },
    MatchSchema,
  ),
  par: httpPoint('par', 'POST /request, pushed authorization requests (RFC 9126)', {}, MatchSchema),
  token: httpPoint('token', 'POST /token, every grant (token exchange: grantType urn:ietf:params:oauth:grant-type:token-exchange)', {}, TokenMatchSchema),
  userinfo: httpPoint('userinfo', 'GET|POST /me', {}, MatchSchema),
  introspection: httpPoint('introspection', 'POST /token/introspection', {}, MatchSchema),
} as const satisfies Record<HttpPoint, FaultPoint>;

export type OidcHttpPoint = (typeof OIDC_HTTP_POINTS)[HttpPoint];

export const oidcPoints: readonly FaultPoint[] = [...HTTP_POINTS.map((name) => OIDC_HTTP_POINTS[name]), connectionPoint];

/** The point a request path belongs to; undefined for paths without one (revocation, interaction…). */
export function pointOf(path: string): HttpPoint | undefined {
  switch (path) {
    case '/.well-known/openid-configuration':
      return 'discovery';
    case '/jwks':
      return 'jwks';
    case '/request':
      return 'par';
    case '/token':
      return 'token';
    case '/me':
      return 'userinfo';
    case '/token/introspection':
      return 'introspection';
    default:
      return path === '/auth' || path.startsWith('/auth/') ? 'authorize' : undefined;
  }
}

/** A label for journal entries of paths without a point. */
export function routeOf(path: string): string {
  if (path.startsWith('/interaction/')) return 'interaction';
  if (path === '/token/revocation') return 'revocation';
  if (path.startsWith('/session/end')) return 'end_session';
  if (path.startsWith('/device')) return 'device';
  return 'other';
}
