// What each fault action does to one HTTP request of the oidc twin. `proceed` runs the request
// through the provider as normal; an action answers instead of it (error, hang, disconnect before
// the request) or around it (delay first; corrupt or cut the provider's answer).
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { delayMs, sleep, type FaultDecision } from '../../src/core/index.ts';
import type { Corruption, HttpPoint } from './fault-points.ts';
import { oauthError } from './oauth-errors.ts';
import { corruptRedirect, isRedirectCorruption, type RedirectCorruption, type RedirectCorruptions } from './redirect-corruption.ts';
import { captureResponse, sendCaptured, type CapturedResponse } from './response-capture.ts';

export interface FaultSurroundings {
  point: HttpPoint;
  issuer: string;
  activeKid(): string;
  /** The redirect URI an authorization error may go to, when the request names a valid one. */
  authorizeRedirect(query: URLSearchParams): string | undefined;
  /** Authorization-response corruptions waiting for the redirect back to the client. */
  redirects: RedirectCorruptions;
  proceed(): Promise<void>;
}

export async function applyFault(
  decision: FaultDecision,
  req: IncomingMessage,
  res: ServerResponse,
  around: FaultSurroundings,
): Promise<void> {
  const { params } = decision;
  switch (decision.action) {
    case 'delay':
      await sleep(delayMs(params, decision.rng.next));
      return around.proceed();
    case 'hang':
      // Nothing is sent; the connection stays open until the client gives up or the twin stops.
      return;
    case 'error':
      return sendError(req, res, params, around);
    case 'disconnect':
      return disconnect(req, res, params, decision, around);
    case 'corrupt':
      return corrupt(res, String(params.how) as Corruption, decision, around);
    default:
      return around.proceed();
  }
}

function sendError(req: IncomingMessage, res: ServerResponse, params: Record<string, unknown>, around: FaultSurroundings): void {
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

async function disconnect(
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, unknown>,
  decision: FaultDecision,
  around: FaultSurroundings,
): Promise<void> {
  const socket = req.socket;
  const cut = (): void => {
    const net = socket as Partial<Socket>;
    if (params.reset === true && typeof net.resetAndDestroy === 'function') net.resetAndDestroy();
    else socket.destroy();
  };
  if (params.after !== 'partial-response') return cut();
  const captured = await runCaptured(res, around);
  const head = headOf(captured);
  const bytes = typeof params.bytes === 'number' ? params.bytes : decision.rng.int(Math.max(1, captured.body.length));
  socket.write(Buffer.concat([head, captured.body.subarray(0, Math.min(bytes, Math.max(0, captured.body.length - 1)))]), cut);
}

async function corrupt(res: ServerResponse, how: Corruption, decision: FaultDecision, around: FaultSurroundings): Promise<void> {
  if (isRedirectCorruption(how)) return corruptAuthorization(res, how, decision.rng.bytes(6).toString('base64url'), around);
  const captured = await runCaptured(res, around);
  sendCaptured(res, { ...captured, status: how === 'empty' ? 200 : captured.status, body: corruptBody(captured.body, how, decision, around) });
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

function corruptBody(body: Buffer, how: Corruption, decision: FaultDecision, around: FaultSurroundings): Buffer {
  switch (how) {
    case 'empty':
      return Buffer.alloc(0);
    case 'issuer-mismatch': {
      const document = parseObject(body);
      if (!document) return body;
      return Buffer.from(JSON.stringify({ ...document, issuer: `${around.issuer}/not-this-issuer` }));
    }
    case 'missing-active-kid': {
      const jwks = parseObject(body);
      const keys = Array.isArray(jwks?.keys) ? (jwks.keys as Array<{ kid?: unknown }>) : [];
      return Buffer.from(JSON.stringify({ ...jwks, keys: keys.filter((k) => k.kid !== around.activeKid()) }));
    }
    case 'wrong-state':
    case 'wrong-iss':
      return body;
    case 'malformed-json':
    default: {
      // Cut somewhere inside the document so it never parses: at least one byte gone, never all.
      const at = body.length <= 1 ? 0 : 1 + decision.rng.int(body.length - 1);
      return body.subarray(0, Math.min(at, body.length - 1));
    }
  }
}

/** Runs the provider and returns what it answered, without sending it. */
function runCaptured(res: ServerResponse, around: FaultSurroundings): Promise<CapturedResponse> {
  return new Promise((resolve, reject) => {
    captureResponse(res, resolve);
    around.proceed().catch(reject);
  });
}

/** The status line and headers of a captured response, as raw HTTP/1.1 bytes. */
function headOf(captured: CapturedResponse): Buffer {
  const lines = [`HTTP/1.1 ${captured.status} ${STATUS_CODES[captured.status] ?? 'Unknown'}`];
  for (const [name, value] of Object.entries(captured.headers)) {
    if (value === undefined || name === 'content-length' || name === 'transfer-encoding') continue;
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  lines.push(`content-length: ${captured.body.length}`, 'connection: close');
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
