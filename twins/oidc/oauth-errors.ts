// OAuth / OIDC error codes and the HTTP status each is answered with, for the `error` fault action.
// @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (token endpoint errors)
// @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 (bearer token errors: userinfo)
// @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5 (device flow: slow_down, authorization_pending)
// @see https://www.rfc-editor.org/rfc/rfc9449#section-12.2 (DPoP: invalid_dpop_proof, use_dpop_nonce)
// @see https://www.rfc-editor.org/rfc/rfc9126#section-2.3 (PAR) and rfc8707 (invalid_target)

export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  access_denied: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  slow_down: 400,
  authorization_pending: 400,
  expired_token: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  login_required: 400,
  consent_required: 400,
  interaction_required: 400,
  invalid_dpop_proof: 400,
  use_dpop_nonce: 400,
  invalid_request_uri: 400,
  invalid_target: 400,
} as const satisfies Record<string, number>;

export interface OAuthErrorResponse {
  status: number;
  body: { error: string; error_description?: string };
  headers: Record<string, string>;
}

/** Fills in whichever of error code and status a rule left out, and the headers the RFCs ask for. */
export function oauthError(
  params: { error?: string; error_description?: string; status?: number; retryAfter?: number },
  point: string,
): OAuthErrorResponse {
  const error = params.error ?? errorForStatus(params.status ?? 503);
  const status = params.status ?? (OAUTH_ERROR_STATUS as Record<string, number>)[error] ?? 400;
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (params.retryAfter !== undefined) headers['retry-after'] = String(params.retryAfter);
  const description = params.error_description ?? 'injected by a Standin fault rule';
  if (point === 'userinfo' && (status === 401 || status === 403)) {
    headers['www-authenticate'] = `Bearer realm="standin", error="${error}", error_description="${description.replace(/"/g, "'")}"`;
  } else if (error === 'invalid_client') {
    headers['www-authenticate'] = 'Basic realm="standin"';
  }
  return { status, body: { error, error_description: description }, headers };
}

function errorForStatus(status: number): string {
  if (status === 503 || status === 429) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  if (status === 401) return 'invalid_client';
  if (status === 403) return 'access_denied';
  return 'invalid_request';
}
