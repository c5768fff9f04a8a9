// What each fault action does to one HTTP request of the oidc twin. `proceed` runs the request
// through the provider as normal; an action answers instead of it (error, hang, disconnect before
// the request) or around it (delay first; corrupt or cut the provider's answer). The common meanings
// come from src/core/request-faults; the OAuth error form and the corruptions of discovery, JWKS
// and the authorization redirect are this twin's own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  corruptAnswer,
  disconnectNow,
  faultDelay,
  isCommonCorruption,
  sendPartial,
  type FaultTimers,
  type HttpAnswer,
  type PointDecision,
  type Rng,
} from '../../src/core/index.ts';
import type { HttpPoint, OidcCorruption, OidcHttpPoint } from './fault-points.ts';
import { oauthError } from './oauth-errors.ts';
import { corruptRedirect, isRedirectCorruption, type RedirectCorruption, type RedirectCorruptions } from './redirect-corruption.ts';
import { captureResponse, sendCaptured, type CapturedResponse } from './response-capture.ts';

export type OidcDecision = PointDecision<OidcHttpPoint>;

export interface FaultSurroundings {
  point: HttpPoint;
  issuer: string;
  activeKid(): string;
  /** The redirect URI an authorization error may go to, when the request names a valid one. */
  authorizeRedirect(query: URLSearchParams): string | undefined;
  /** Authorization-response corruptions waiting for the redirect back to the client. */
  redirects: RedirectCorruptions;
  /** The twin's fault waits, ended when it stops. */
  timers: FaultTimers;
  proceed(): Promise<void>;
}

export async function applyFault(decision: OidcDecision, req: IncomingMessage, res: ServerResponse, around: FaultSurroundings): Promise<void> {
  switch (decision.action) {
    case 'delay':
      await faultDelay(around.timers, decision.params, decision.rng);
      return around.proceed();
    case 'hang':
      // Nothing is sent; the connection stays open until the client gives up or the twin stops.
      void around.timers.hang((end) => res.once('close', end));
      return;
    case 'error':
      return sendError(req, res, decision.params, around);
    case 'disconnect': {
      if (decision.params.after !== 'partial-response') return disconnectNow(req.socket, decision.params);
      const captured = await runCaptured(res, around);
      return sendPartial(res, answerOf(res, captured), decision.params);
    }
    case 'corrupt':
      return corrupt(res, decision.params.how, decision.rng, around);
  }
}

function sendError(req: IncomingMessage, res: ServerResponse, params: Parameters<typeof oauthError>[0], around: FaultSurroundings): void {
  const answer = oauthError(params, around.point);
  if (around.point === 'authorize' && params.status === undefined) {
    // Authorization errors go back to the client's redirect_uri (RFC 6749 §4.1.2.1), with iss (RFC 9207).
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const redirect = around.authorizeRedirect(query);
    if (redirect !== undefined) {
      const target = new URL(redirect);
      target.searchParams.set('error', answer.body.error);
      if (answer.body.error_description) target.searchParams.set('error_description', answer.body.error_description);
      const state = query.get('state');
      if (state !== null) target.searchParams.set('state', state);
      target.searchParams.set('iss', around.issuer);
      res.writeHead(303, { location: target.href, 'cache-control': 'no-store' });
      res.end();
      return;
    }
  }
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function corrupt(res: ServerResponse, how: OidcCorruption | Parameters<typeof corruptAnswer>[1], rng: Rng, around: FaultSurroundings): Promise<void> {
  if (isRedirectCorruption(how)) return corruptAuthorization(res, how, rng.bytes(6).toString('base64url'), around);
  const captured = await runCaptured(res, around);
  if (isCommonCorruption(how)) {
    const answer = corruptAnswer(answerOf(res, captured), how, rng);
    return sendCaptured(res, { ...captured, status: answer.status, headers: headersOf(answer), body: answer.body });
  }
  sendCaptured(res, { ...captured, body: corruptDocument(captured.body, how, around) });
}

/**
 * Runs the authorization step and corrupts its redirect if it goes back to the client; if it goes
 * into an interaction instead, the corruption waits for that authorization's resume.
 */
export async function corruptAuthorization(
  res: ServerResponse,
  how: RedirectCorruption,
  junk: string,
  around: FaultSurroundings,
): Promise<void> {
  const captured = await runCaptured(res, around);
  const location = captured.headers.location;
  if (typeof location === 'string') {
    const outcome = corruptRedirect(location, how, around.issuer, junk);
    if (outcome.location !== undefined) captured.headers = { ...captured.headers, location: outcome.location };
    if (outcome.carryTo !== undefined) around.redirects.carry(outcome.carryTo, how, junk);
  }
  sendCaptured(res, captured);
}

/** The discovery document and the JWKS, each wrong in the one way a client must catch. */
function corruptDocument(body: Buffer, how: Exclude<OidcCorruption, RedirectCorruption>, around: FaultSurroundings): Buffer {
  switch (how) {
    case 'issuer-mismatch': {
      const document = parseObject(body);
      if (!document) return body;
      return Buffer.from(JSON.stringify({ ...document, issuer: `${around.issuer}/not-this-issuer` }));
    }
    case 'missing-active-kid': {
      const jwks = parseObject(body);
      const keys: unknown[] = Array.isArray(jwks?.keys) ? jwks.keys : [];
      return Buffer.from(JSON.stringify({ ...jwks, keys: keys.filter((k) => !isKeyWithKid(k, around.activeKid())) }));
    }
  }
}

function isKeyWithKid(key: unknown, kid: string): boolean {
  return typeof key === 'object' && key !== null && 'kid' in key && key.kid === kid;
}

/** Runs the provider and returns what it answered, without sending it. */
function runCaptured(res: ServerResponse, around: FaultSurroundings): Promise<CapturedResponse> {
  return new Promise((resolve, reject) => {
    captureResponse(res, resolve);
    around.proceed().catch(reject);
  });
}

/** A captured answer as the core's HttpAnswer, with the headers the provider set taken off `res`. */
function answerOf(res: ServerResponse, captured: CapturedResponse): HttpAnswer {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  const headers: string[] = [];
  for (const [name, value] of Object.entries(captured.headers)) {
    if (value === undefined || name === 'content-length' || name === 'transfer-encoding') continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.push(name, String(v));
  }
  return { status: captured.status, headers, body: captured.body };
}

function headersOf(answer: HttpAnswer): CapturedResponse['headers'] {
  const headers: CapturedResponse['headers'] = {};
  for (let i = 0; i < answer.headers.length; i += 2) headers[answer.headers[i] as string] = answer.headers[i + 1];
  return headers;
}

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
