// What `standin explore` tries against an oidc twin. A request to one of the provider's endpoints
// is an interaction by method and path, at the endpoint's own point (`jwks`, `token`…). The faults
// are each endpoint's own failures (a token endpoint refusing the grant, a JWKS without the key in
// use, a discovery document naming another issuer) beside a server error, a cut and a hang. A
// relying party's worst bugs are in what it accepts, not in how it fails: `mint-token` setups are
// varied into the forged tokens a verifier must refuse.
import type { ExploreVocabulary, FaultCandidate, Interaction, SetupVariant } from '../../src/core/index.ts';
import { HTTP_POINTS, type HttpPoint } from './fault-points.ts';
import type { TokenVariant } from './mint-token.ts';

const CUT: FaultCandidate = { label: 'connection closed before the answer', class: 'disconnect', action: { disconnect: {} } };
const HANG: FaultCandidate = { label: 'no answer', class: 'hang', action: { hang: {} }, cost: 'slow' };
const MALFORMED: FaultCandidate = { label: 'malformed JSON', class: 'corrupt', action: { corrupt: { how: 'malformed-json' } } };
const error = (label: string, params: Record<string, unknown>): FaultCandidate => ({ label, class: 'error', action: { error: params } });

/** Each endpoint's faults, the ones only this endpoint has first. */
const FAULTS: Record<HttpPoint, FaultCandidate[]> = {
  discovery: [
    { label: 'document names another issuer', class: 'corrupt', action: { corrupt: { how: 'issuer-mismatch' } } },
    error('500 server_error', { status: 500 }),
    MALFORMED,
    CUT,
    HANG,
  ],
  jwks: [
    { label: 'key set without the signing key', class: 'corrupt', action: { corrupt: { how: 'missing-active-kid' } } },
    error('503 temporarily_unavailable', { status: 503 }),
    MALFORMED,
    CUT,
    HANG,
  ],
  par: [error('invalid_request', { error: 'invalid_request' }), error('503 temporarily_unavailable', { status: 503 }), MALFORMED, CUT, HANG],
  token: [error('invalid_grant', { error: 'invalid_grant' }), error('500 server_error', { status: 500 }), MALFORMED, CUT, HANG],
  userinfo: [error('401 invalid_token', { error: 'invalid_token' }), error('500 server_error', { status: 500 }), CUT],
  introspection: [error('500 server_error', { status: 500 }), MALFORMED, CUT],
  authorize: [
    { label: 'redirect carries another state', class: 'corrupt', action: { corrupt: { how: 'wrong-state' } } },
    { label: 'redirect names another issuer', class: 'corrupt', action: { corrupt: { how: 'wrong-iss' } } },
    error('access_denied', { error: 'access_denied' }),
  ],
};

/** The forged tokens worth trying, each breaking one check a verifier must make. */
const FORGERIES: ReadonlyArray<{ variant: TokenVariant; label: string }> = [
  { variant: 'alg-none', label: 'unsigned token (alg: none)' },
  { variant: 'foreign-key', label: 'token signed by a key the issuer never published' },
  { variant: 'alg-confusion', label: 'HS256 token keyed with the issuer’s public key' },
  { variant: 'wrong-audience', label: 'token for another audience' },
  { variant: 'expired', label: 'expired token' },
];

function isHttpPoint(point: string | undefined): point is HttpPoint {
  return HTTP_POINTS.some((p) => p === point);
}

export const oidcExplore: ExploreVocabulary = {
  interaction(event): Interaction | undefined {
    const { method, path } = event.data ?? {};
    if (!isHttpPoint(event.point) || event.type !== 'request' || typeof method !== 'string' || typeof path !== 'string') return undefined;
    return { point: event.point, match: { method, path }, label: `${method} ${path}` };
  },
  faults(interaction) {
    return isHttpPoint(interaction.point) ? FAULTS[interaction.point] : [];
  },
  setupVariants: {
    // A setup that already mints a broken token is a test of that token: it is not varied further.
    'mint-token': (params): SetupVariant[] =>
      params.variant === undefined || params.variant === 'valid'
        ? FORGERIES.map(({ variant, label }) => ({ label, class: 'forged-token', params: { ...params, variant } }))
        : [],
  },
};
