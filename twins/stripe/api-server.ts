// The HTTP front of the twin: one node:http server fed by the link layer. Each request goes
// through: route → decode (query or form body) → `request` fault point → API key → idempotency →
// handler → expand[] → response with Request-Id and Stripe-Version, journaled.
// @see https://docs.stripe.com/api (Authentication, Errors, Idempotent requests, Versioning)
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { delayMs, sleep, type FaultDecision, type TwinContext } from '../../src/core/index.ts';
import { StripeApiError, invalidRequest, unrecognizedUrl } from './errors.ts';
import { expand } from './expand.ts';
import { errorFromAction, errorType, forcedDecline, type ErrorAction } from './faults.ts';
import { decodeForm, FormDecodingError } from './form-decoding.ts';
import { IdGenerator } from './ids.ts';
import { fingerprintOf, IdempotencyStore, isStored, type StoredResponse } from './idempotency.ts';
import { readParams, strs, type Params } from './params.ts';
import { authenticatePaymentIntent } from './resources/payment-intents.ts';
import { authenticateSetupIntent } from './resources/setup-intents.ts';
import type { Route, Router } from './router.ts';
import type { ApiCall, StripeState } from './state.ts';
import { atVersion } from './versions.ts';

/** Endpoints where a card_error rule declines the payment itself (state and events included). */
const PAYING_ROUTES = new Set([
  'POST /v1/payment_intents',
  'POST /v1/charges',
  'POST /v1/payment_intents/:id/confirm',
  'POST /v1/setup_intents',
  'POST /v1/setup_intents/:id/confirm',
]);

/** `2020-08-27`, `2024-06-20`, `2026-10-28.endive`: a date, then a release name since 2024-09. */
const API_VERSION = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

/** Stripe's own request size limit is about 1 MB per form body. */
const MAX_BODY = 1024 * 1024;

export interface ApiServerOptions {
  secretKey: string;
  apiVersion: string;
}

interface Outgoing {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export class ApiServer {
  readonly http: http.Server;
  readonly idempotency = new IdempotencyStore();
  private requestIds: IdGenerator;

  constructor(
    private readonly state: StripeState,
    private readonly ctx: TwinContext,
    private readonly router: Router,
    private readonly options: ApiServerOptions,
  ) {
    this.requestIds = new IdGenerator(ctx.rng('request-ids'));
    this.http = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
      });
      req.on('end', () => {
        if (size > MAX_BODY) {
          const error = invalidRequest(`Request body too large: ${size} bytes; the limit is ${MAX_BODY}.`, undefined, undefined, 413);
          return this.write(res, this.errorResponse(error, this.nextRequestId(), null));
        }
        this.handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
          ctx.log.error('stripe twin: unhandled error', { error: String(error) });
          if (!res.headersSent) this.write(res, this.errorResponse(new StripeApiError(500, { type: 'api_error', message: String(error) }), 'req_internal', null));
        });
      });
    });
  }

  private nextRequestId(): string {
    return `req_${this.requestIds.random(14)}`;
  }

  /** Forgets idempotency keys and restarts the request id stream, as a fresh twin would have them. */
  reset(): void {
    this.idempotency.clear();
    this.requestIds = new IdGenerator(this.ctx.rng('request-ids'));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const method = req.method ?? 'GET';
    // Split by hand: a URL object per request showed in profiles, and the query is decoded below anyway.
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? '' : target.slice(q + 1);
    const requestId = this.nextRequestId();
    const version = header(req, 'stripe-version') ?? this.options.apiVersion;
    const idempotencyKey = method === 'POST' ? (header(req, 'idempotency-key') ?? null) : null;
    const base = { 'Request-Id': requestId, 'Stripe-Version': version, ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}) };

    if (method === 'GET' && path.startsWith('/_standin/3ds/')) return this.write(res, this.authenticatePage(path, new URLSearchParams(query)));

    const match = this.router.match(method, path);
    let params: Params = {};
    let outgoing: Outgoing;
    let decision: FaultDecision | undefined;
    let replayed = false;
    try {
      if (!match) throw unrecognizedUrl(method, path);
      const raw = method === 'POST' ? body : query;
      params = readParams(match.route.params, decodeForm(raw));
      decision = this.ctx.faults.decide(
        'request',
        { method, path, route: match.route.path, params, idempotencyKey },
        `${method} ${path}`,
      );
      if (decision && this.endsBefore(decision, req)) {
        this.journal(req, path, null, requestId, idempotencyKey, decision.action);
        return;
      }
      this.authenticate(req);
      if (!API_VERSION.test(version)) throw invalidRequest(`Invalid Stripe API version: ${version}`, undefined, 'invalid_api_version');
      const call: ApiCall = { method, path, pathParams: match.pathParams, params, requestId, idempotencyKey };
      const endpoint = `${method} ${match.route.path}`;
      if (decision?.action === 'error') {
        const action = decision.params as ErrorAction;
        // A card error on a paying endpoint declines the payment itself; any other error is answered
        // instead of running the endpoint, and is never stored against an idempotency key.
        if (errorType(action) === 'card_error' && PAYING_ROUTES.has(endpoint)) call.forcedDecline = forcedDecline(action);
        else throw errorFromAction(action);
      }
      if (idempotencyKey === null) {
        outgoing = await this.execute(call, match.route.handle, decision, base);
      } else {
        const fingerprint = fingerprintOf(params);
        const check = this.idempotency.check(idempotencyKey, `${method} ${path}`, fingerprint);
        if (check.kind === 'replay') {
          await this.pause(decision);
          replayed = true;
          outgoing = replay(check.response, base);
        } else {
          // Marked running through a `delay` too, so a retry that overtakes a slow request gets 409.
          this.idempotency.begin(idempotencyKey);
          try {
            outgoing = await this.execute(call, match.route.handle, decision, base);
          } finally {
            this.idempotency.end(idempotencyKey);
          }
          if (isStored(outgoing.status)) {
            this.idempotency.save(idempotencyKey, `${method} ${path}`, fingerprint, { ...outgoing, requestId });
          }
        }
      }
    } catch (error) {
      outgoing = this.errorResponse(asStripeError(error), requestId, base);
    }
    this.journal(req, path, outgoing.status, requestId, idempotencyKey, decision?.action, replayed);
    if (decision?.action === 'disconnect' && decision.params.after === 'partial-response') {
      // The request ran (and is stored against its key); the client never hears back in full.
      return cut(req, outgoing, Number(decision.params.bytes ?? 0), decision.params.reset === true);
    }
    this.write(res, outgoing);
  }

  private run(call: ApiCall, handle: Route['handle'], base: Record<string, string>): Outgoing {
    try {
      const result = handle(call, this.state) as Record<string, unknown>;
      const expanded = expand(result, strs(call.params, 'expand') ?? [], this.state);
      const shaped = atVersion(expanded, base['Stripe-Version'] as string, this.state);
      return { status: 200, body: JSON.stringify(shaped, null, 2), headers: { ...base } };
    } catch (error) {
      return this.errorResponse(asStripeError(error), call.requestId, base);
    }
  }

  /** hang and disconnect-before end the request before it reaches the API; true when they did. */
  private endsBefore(decision: FaultDecision, req: IncomingMessage): boolean {
    if (decision.action === 'hang') return true; // never answered: the client's own timeout fires
    if (decision.action === 'disconnect' && decision.params.after !== 'partial-response') {
      destroy(req, decision.params.reset === true);
      return true;
    }
    return false;
  }

  /** Runs the endpoint, after the rule's `delay` if there is one. */
  private async execute(call: ApiCall, handle: Route['handle'], decision: FaultDecision | undefined, base: Record<string, string>): Promise<Outgoing> {
    await this.pause(decision);
    return this.run(call, handle, base);
  }

  private async pause(decision: FaultDecision | undefined): Promise<void> {
    if (decision?.action !== 'delay') return;
    await sleep(delayMs(decision.params, () => decision.rng.next()));
  }

  private authenticate(req: IncomingMessage): void {
    const authorization = header(req, 'authorization');
    if (!authorization) {
      throw invalidRequest(
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        undefined,
        undefined,
        401,
      );
    }
    let key = '';
    if (/^bearer /i.test(authorization)) key = authorization.slice(7).trim();
    else if (/^basic /i.test(authorization)) key = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8').split(':')[0] ?? '';
    if (key !== this.options.secretKey) {
      const masked = key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : '*'.repeat(key.length);
      throw invalidRequest(`Invalid API Key provided: ${masked}`, undefined, 'api_key_invalid', 401);
    }
  }

  /** The page a 3DS `redirect_to_url` points at: completes the challenge, then returns to the SUT. */
  private authenticatePage(path: string, query: URLSearchParams): Outgoing {
    const id = path.split('/')[3] ?? '';
    const succeed = query.get('outcome') !== 'fail';
    try {
      const pi = this.state.paymentIntents.get(id);
      const si = this.state.setupIntents.get(id);
      if (pi) authenticatePaymentIntent(this.state, pi, succeed);
      else if (si) authenticateSetupIntent(this.state, si, succeed);
      else return { status: 404, body: 'no such intent', headers: { 'Content-Type': 'text/plain' } };
      const returnUrl = query.get('return_url');
      if (returnUrl) {
        const target = new URL(returnUrl);
        target.searchParams.set(pi ? 'payment_intent' : 'setup_intent', id);
        target.searchParams.set(pi ? 'payment_intent_client_secret' : 'setup_intent_client_secret', pi?.client_secret ?? si?.client_secret ?? '');
        target.searchParams.set('redirect_status', succeed ? 'succeeded' : 'failed');
        return { status: 302, body: '', headers: { Location: target.toString() } };
      }
      return { status: 200, body: `3D Secure ${succeed ? 'completed' : 'failed'} for ${id}\n`, headers: { 'Content-Type': 'text/plain' } };
    } catch (error) {
      return { status: 400, body: `${asStripeError(error).message}\n`, headers: { 'Content-Type': 'text/plain' } };
    }
  }

  private errorResponse(error: StripeApiError, requestId: string, base: Record<string, string> | null): Outgoing {
    return {
      status: error.status,
      body: JSON.stringify(error.toBody(requestId), null, 2),
      headers: { ...(base ?? { 'Request-Id': requestId }), ...error.headers },
    };
  }

  private write(res: ServerResponse, outgoing: Outgoing): void {
    const body = Buffer.from(outgoing.body, 'utf8');
    res.writeHead(outgoing.status, {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      'Cache-Control': 'no-cache, no-store',
      'Access-Control-Allow-Origin': '*',
      ...outgoing.headers,
    });
    res.end(body);
  }

  private journal(req: IncomingMessage, path: string, status: number | null, requestId: string, idempotencyKey: string | null, fault?: string, replayed = false): void {
    const method = req.method ?? 'GET';
    // Request headers for expectations such as "every retry carried the same Idempotency-Key"; the key itself stays out.
    const { authorization: _secret, ...headers } = req.headers;
    this.ctx.journal.record({
      point: 'request',
      type: 'request',
      summary: `${method} ${path} → ${status ?? fault}${replayed ? ' (replayed)' : ''}`,
      data: { method, path, status, requestId, idempotencyKey, replayed, headers, ...(fault ? { fault } : {}) },
    });
  }

  /** The 3DS page URL needs the server's address, known once it listens. */
  setBaseUrl(url: string): void {
    this.state.baseUrl = url;
  }
}

function replay(stored: StoredResponse, base: Record<string, string>): Outgoing {
  return {
    status: stored.status,
    body: stored.body,
    headers: { ...stored.headers, ...base, 'Idempotent-Replayed': 'true', 'Original-Request': stored.requestId },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function asStripeError(error: unknown): StripeApiError {
  if (error instanceof StripeApiError) return error;
  if (error instanceof FormDecodingError) return invalidRequest(error.message, error.key);
  return new StripeApiError(500, { type: 'api_error', message: error instanceof Error ? error.message : String(error) });
}

function destroy(req: IncomingMessage, reset: boolean): void {
  const socket = req.socket as typeof req.socket & { resetAndDestroy?: () => void };
  if (reset && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** Writes the first `bytes` of the raw HTTP response, then closes the connection. */
function cut(req: IncomingMessage, outgoing: Outgoing, bytes: number, reset: boolean): void {
  const body = Buffer.from(outgoing.body, 'utf8');
  const head = [`HTTP/1.1 ${outgoing.status} ${STATUS_CODES[outgoing.status] ?? ''}`, 'Content-Type: application/json', `Content-Length: ${body.length}`];
  for (const [k, v] of Object.entries(outgoing.headers)) head.push(`${k}: ${v}`);
  const raw = Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
  if (bytes > 0) req.socket.write(raw.subarray(0, Math.min(bytes, raw.length - 1)), () => destroy(req, reset));
  else destroy(req, reset);
}
