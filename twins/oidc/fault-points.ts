// The oidc twin's fault points: one per endpoint a relying party calls, matched by request path in
// the HTTP front (http-front.ts) before the provider sees the request; plus the link layer's
// `connection`. Each accepts delay, hang, error (an OAuth error body and status), corrupt and
// disconnect; corrupt's `how` depends on the endpoint.
import { Type, type TSchema } from '@sinclair/typebox';
import { CommonActions, connectionPoint, type FaultPointSpec } from '../../src/core/index.ts';

export const HTTP_POINTS = ['discovery', 'jwks', 'authorize', 'token', 'userinfo', 'introspection'] as const;
export type HttpPoint = (typeof HTTP_POINTS)[number];

/** Ways to corrupt a response: every endpoint has the first two; discovery, jwks and authorize add their own. */
export const CORRUPTIONS = {
  'malformed-json': 'the JSON body cut short at a seeded position',
  empty: 'status 200 with an empty body',
  'issuer-mismatch': 'discovery: a document whose issuer is not the URL it was fetched from',
  'missing-active-kid': 'jwks: the key set without the key that signs current tokens',
  'wrong-state': 'authorize: the redirect back to the client carries another state (CSRF check)',
  'wrong-iss': 'authorize: the redirect back to the client names another issuer in iss (RFC 9207 mix-up check)',
} as const;
export type Corruption = keyof typeof CORRUPTIONS;

const oneOf = (values: readonly string[], description?: string): TSchema =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    description === undefined ? {} : { description },
  );

const stringOrList = (description: string): TSchema =>
  Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description }));

const errorAction = Type.Object(
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

const corruptAction = (hows: readonly Corruption[]): TSchema =>
  Type.Object({ how: oneOf(hows, hows.map((h) => `${h}: ${CORRUPTIONS[h]}`).join('; ')) }, { additionalProperties: false });

function httpPoint(name: HttpPoint, description: string, corruptions: readonly Corruption[], extraMatch = {}): FaultPointSpec {
  return {
    name,
    description,
    match: Type.Object(
      {
        method: stringOrList('HTTP method(s)'),
        path: stringOrList('request path(s)'),
        clientId: stringOrList('client_id, from Basic auth, the query or the form body'),
        ...extraMatch,
      },
      { additionalProperties: false },
    ),
    actions: {
      delay: CommonActions.delay,
      hang: CommonActions.hang,
      disconnect: CommonActions.disconnect,
      error: errorAction,
      corrupt: corruptAction(corruptions),
    },
  };
}

const plain = ['malformed-json', 'empty'] as const satisfies readonly Corruption[];

export const oidcPoints: readonly FaultPointSpec[] = [
  httpPoint('discovery', 'GET /.well-known/openid-configuration', [...plain, 'issuer-mismatch']),
  httpPoint('jwks', 'GET /jwks', [...plain, 'missing-active-kid']),
  httpPoint('authorize', 'the authorization endpoint /auth (errors are redirected to the client when no status is given)', [
    ...plain,
    'wrong-state',
    'wrong-iss',
  ]),
  httpPoint('token', 'POST /token, every grant', plain, {
    grantType: stringOrList('grant_type of the form body, e.g. refresh_token'),
  }),
  httpPoint('userinfo', 'GET|POST /me', plain),
  httpPoint('introspection', 'POST /token/introspection', plain),
  connectionPoint,
];

/** The point a request path belongs to; undefined for paths without one (revocation, interaction…). */
export function pointOf(path: string): HttpPoint | undefined {
  switch (path) {
    case '/.well-known/openid-configuration':
      return 'discovery';
    case '/jwks':
      return 'jwks';
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
