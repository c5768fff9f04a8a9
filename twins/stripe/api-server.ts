// The HTTP front of the twin: one node:http server fed by the link layer. Each request goes
// through: route → decode (query or form body) → `request` fault point → API key → idempotency →
// handler → expand[] → response with Request-Id and Stripe-Version, journaled.
// @see https://docs.stripe.com/api (Authentication, Errors, Idempotent requests, Versioning)
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import {
  FaultTimers,
  corruptAnswer,
  disconnectNow,
  faultDelay,
  readRequestBody,
  sendPartial,
  writeAnswer,
  type HttpAnswer,
  type PointDecision,
  type TwinContext,
} from '../../src/core/index.ts';
import { checkoutPage, CHECKOUT_PAGE_PREFIX } from './checkout-page.ts';
import { StripeApiError, invalidRequest, unrecognizedUrl } from './errors.ts';
import { expand } from './expand.ts';
import { errorFromAction, errorType, forcedDecline, requestPoint, type StripeRequestEvent } from './faults.ts';
import { decodeForm, FormDecodingError } from './form-decoding.ts';
import { IdGenerator } from './ids.ts';
import { fingerprintOf, IdempotencyStore, isStored, type StoredResponse } from './idempotency.ts';
import { readParams, strs, type Params } from './params.ts';
import { JournaledHeaders } from './request-headers.ts';
import { authenticatePaymentIntent } from './resources/payment-intents.ts';
import { authenticateSetupIntent } from './resources/setup-intents.ts';
import type { Route, Router } from './router.ts';
import { render } from './snapshots.ts';
import type { ApiCall, StripeState } from './state.ts';
import type { StripeObject } from './stripe-objects.ts';
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

export interface ApiServerOptions {
  secretKey: string;
  apiVersion: string;
}

interface Outgoing {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** The stored object `body` renders exactly (no expand[], today's shape), if it does. */
  object?: StripeObject;
}

type Decision = PointDecision<typeof requestPoint>;

export class ApiServer {
  readonly http: http.Server;
  readonly idempotency = new IdempotencyStore();
  /** `delay` and `hang` waits, ended when the twin stops. */
  readonly timers = new FaultTimers();
  private readonly journaledHeaders = new JournaledHeaders();
  private requestIds: IdGenerator;

  constructor(
    private readonly state: StripeState,
    private readonly ctx: TwinContext,
    private readonly router: Router,
    private readonly options: ApiServerOptions,
  ) {
    this.requestIds = new IdGenerator((...label) => ctx.rng('request-ids', ...label));
    this.http = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      const limit = ctx.limits.httpRequestBodyBytes;
      readRequestBody(req, limit, (read) => {
        if (read.tooLarge) {
          const error = invalidRequest(`Request body too large: ${read.size} bytes; the limit is ${limit}.`, undefined, undefined, 413);
          return this.write(res, this.errorResponse(error, this.nextRequestId(), null));
        }
        this.handle(req, res, read.body.toString('utf8')).catch((error: unknown) => {
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
    this.requestIds = new IdGenerator((...label) => this.ctx.rng('request-ids', ...label));
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
    // Every POST answer names the request that produced it: itself, or on a replay the first one (replay()).
    // One literal per shape: headers added afterwards would give each one a second property store.
    const base: Record<string, string> =
      method !== 'POST'
        ? { 'Request-Id': requestId, 'Stripe-Version': version }
        : idempotencyKey
          ? { 'Request-Id': requestId, 'Stripe-Version': version, 'Original-Request': requestId, 'Idempotency-Key': idempotencyKey }
          : { 'Request-Id': requestId, 'Stripe-Version': version, 'Original-Request': requestId };
    const endpointKey = `${method} ${path}`;

    if (method === 'GET' && path.startsWith('/_standin/3ds/')) return this.write(res, this.authenticatePage(path, new URLSearchParams(query)));
    if (path.startsWith(CHECKOUT_PAGE_PREFIX)) return this.write(res, checkoutPage(this.state, method, path, body));

    const match = this.router.match(method, path);
    let params: Params = {};
    let outgoing: Outgoing;
    let decision: Decision | undefined;
    let replayed = false;
    try {
      const raw = method === 'POST' ? body : query;
      if (match) params = readParams(match.route.params, decodeForm(raw));
      // Without rules at the point nothing can fire: no event to build.
      if (this.ctx.faults.rulesAt(requestPoint).length > 0) {
        const event: StripeRequestEvent = {
          method,
          path,
          query: query === '' ? {} : parseQuery(query),
          headers: req.headers,
          body,
          route: match?.route.path ?? null,
          params,
          idempotencyKey,
        };
        decision = this.ctx.faults.decide(requestPoint, event, endpointKey);
      }
      if (decision && this.endsBefore(decision, req, res)) {
        this.journal(req, path, null, requestId, idempotencyKey, decision);
        return;
      }
      if (!match) {
        // Faults apply to unknown URLs too: an error rule answers instead of the 404, a delay delays it.
        if (decision?.action === 'error') throw errorFromAction(decision.params);
        await this.pause(decision);
        throw unrecognizedUrl(method, path);
      }
      this.authenticate(req);
      if (!API_VERSION.test(version)) throw invalidRequest(`Invalid Stripe API version: ${version}`, undefined, 'invalid_api_version');
      const call: ApiCall = { method, path, pathParams: match.pathParams, params, requestId, idempotencyKey };
      const endpoint = `${method} ${match.route.path}`;
      if (decision?.action === 'error') {
        const action = decision.params;
        // A card error on a paying endpoint declines the payment itself; any other error is answered
        // instead of running the endpoint, and is never stored against an idempotency key.
        if (errorType(action) === 'card_error' && PAYING_ROUTES.has(endpoint)) call.forcedDecline = forcedDecline(action);
        else throw errorFromAction(action);
      }
      if (idempotencyKey === null) {
        const ran = this.execute(call, match.route.handle, decision, base);
        // Awaited only when a `delay` made it a promise: an await of a plain value still costs a microtask turn.
        outgoing = ran instanceof Promise ? await ran : ran;
      } else {
        // The same bytes are the same parameters; other bytes may still be (another order, `02000`
        // for `2000`): the stored body is read again through this route to compare what it meant.
        const check = this.idempotency.check(
          idempotencyKey,
          endpointKey,
          (stored) => stored === raw || fingerprintOf(readParams(match.route.params, decodeForm(stored))) === fingerprintOf(params),
        );
        if (check.kind === 'replay') {
          if (decision?.action === 'delay') await this.pause(decision);
          replayed = true;
          outgoing = replay(check.response, base);
        } else {
          // Marked running through a `delay` too, so a retry that overtakes a slow request gets 409.
          this.idempotency.begin(idempotencyKey);
          try {
            const ran = this.execute(call, match.route.handle, decision, base);
            outgoing = ran instanceof Promise ? await ran : ran;
          } finally {
            this.idempotency.end(idempotencyKey);
          }
          if (isStored(outgoing.status)) this.idempotency.save(idempotencyKey, endpointKey, raw, this.stored(outgoing, requestId));
        }
      }
    } catch (error) {
      outgoing = this.errorResponse(asStripeError(error), requestId, base);
    }
    if (decision?.action === 'disconnect' && decision.params.after === 'request-ran') {
      // The request ran (and is stored against its key); the client never hears back.
      this.journal(req, path, null, requestId, idempotencyKey, decision, replayed);
      return loseAnswer(req, outgoing, decision.params.rawBytes ?? 0, decision.params.reset === true);
    }
    if (decision?.action === 'disconnect') {
      // after: partial-response (before the request was handled above): the head and part of the body.
      this.journal(req, path, null, requestId, idempotencyKey, decision, replayed);
      return sendPartial(res, answerOf(outgoing), decision.params);
    }
    if (decision?.action === 'corrupt') {
      const sent = corruptAnswer(answerOf(outgoing), decision.params.how, decision.rng);
      this.journal(req, path, sent.status, requestId, idempotencyKey, decision, replayed);
      return writeAnswer(res, sent);
    }
    this.journal(req, path, outgoing.status, requestId, idempotencyKey, decision, replayed);
    this.state.snapshots.check(); // a no-op unless checking (snapshots.ts)
    this.write(res, outgoing);
  }

  private run(call: ApiCall, handle: Route['handle'], base: Record<string, string>): Outgoing {
    try {
      // A replay of a stored answer makes nothing, and still answers past the limit.
      if (call.method === 'POST') this.state.checkRoom(this.ctx.limits.stripeObjects);
      const result = handle(call, this.state) as Record<string, unknown>;
      const expanded = expand(result, strs(call.params, 'expand') ?? [], this.state);
      const shaped = atVersion(expanded, base['Stripe-Version'] as string, this.state);
      const outgoing: Outgoing = { status: 200, body: render(shaped), headers: base };
      if (shaped === result && this.state.holds(result as unknown as StripeObject)) outgoing.object = result as unknown as StripeObject;
      return outgoing;
    } catch (error) {
      return this.errorResponse(asStripeError(error), call.requestId, base);
    }
  }

  /** The answer kept for the key's replays: while it renders a stored object, that object until it changes (snapshots.ts). */
  private stored(outgoing: Outgoing, requestId: string): StoredResponse {
    const { status, body, headers, object } = outgoing;
    return object ? this.state.snapshots.answer(status, headers, requestId, object) : { status, body, headers, requestId };
  }

  /** hang and disconnect-before end the request before it reaches the API; true when they did. */
  private endsBefore(decision: Decision, req: IncomingMessage, res: ServerResponse): boolean {
    if (decision.action === 'hang') {
      // Never answered: the client's own timeout fires.
      void this.timers.hang((end) => res.once('close', end));
      return true;
    }
    if (decision.action === 'disconnect' && (decision.params.after ?? 'request') === 'request') {
      disconnectNow(req.socket, decision.params);
      return true;
    }
    return false;
  }

  /** Runs the endpoint, after the rule's `delay` if there is one (without one, at once: no promises). */
  private execute(call: ApiCall, handle: Route['handle'], decision: Decision | undefined, base: Record<string, string>): Outgoing | Promise<Outgoing> {
    if (decision?.action !== 'delay') return this.run(call, handle, base);
    return this.pause(decision).then(() => this.run(call, handle, base));
  }

  private async pause(decision: Decision | undefined): Promise<void> {
    if (decision?.action === 'delay') await faultDelay(this.timers, decision.params, decision.rng);
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

  /**
   * Head and body go to node:http as one string, which it sends in one write. Through an HttpAnswer
   * the body would be copied into a Buffer first and go out as a second, corked chunk (a writev).
   * The twin never answers 1xx, 204 or 304, so every answer has a Content-Length.
   */
  private write(res: ServerResponse, outgoing: Outgoing): void {
    const headers = headersOf(outgoing);
    headers.push('content-length', String(Buffer.byteLength(outgoing.body, 'utf8')));
    res.writeHead(outgoing.status, headers);
    res.end(outgoing.body, 'utf8');
  }

  private journal(req: IncomingMessage, path: string, status: number | null, requestId: string, idempotencyKey: string | null, decision?: Decision, replayed = false): void {
    const method = req.method ?? 'GET';
    const fault = decision?.action;
    // Request headers for expectations such as "every retry carried the same Idempotency-Key"; the API key stays out.
    const headers = this.journaledHeaders.of(req.headers);
    const summary = `${method} ${path} → ${status ?? fault}${replayed ? ' (replayed)' : ''}`;
    // Plain literals, no `...(cond ? {…} : {})`: a spread in a literal is copied property by property, per request.
    if (decision === undefined) {
      const data = { method, path, status, requestId, idempotencyKey, replayed, headers };
      this.ctx.journal.record({ point: 'request', type: 'request', summary, data });
    } else {
      const data = { method, path, status, requestId, idempotencyKey, replayed, headers, fault: decision.action };
      this.ctx.journal.record({ point: 'request', type: 'request', summary, data, fault: { rule: decision.rule.id, action: decision.action } });
    }
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

/** The answer as the wire sends it, for the fault actions that work on its bytes. */
function answerOf(outgoing: Outgoing): HttpAnswer {
  return { status: outgoing.status, headers: headersOf(outgoing), body: Buffer.from(outgoing.body, 'utf8') };
}

/** Flat `[name, value…]`: the headers every Stripe answer carries (the answer's own win), then the answer's. */
function headersOf(outgoing: Outgoing): string[] {
  const own = outgoing.headers;
  const flat: string[] = [];
  for (const name in STRIPE_HEADERS) flat.push(name, Object.hasOwn(own, name) ? (own[name] as string) : (STRIPE_HEADERS[name] as string));
  for (const name in own) if (!Object.hasOwn(STRIPE_HEADERS, name)) flat.push(name, own[name] as string);
  return flat;
}

const STRIPE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-cache, no-store',
  'Access-Control-Allow-Origin': '*',
};

/**
 * `disconnect {after: 'request-ran'}`: the request ran, then its answer is lost. `rawBytes` of the
 * raw response (head included) go out first, then the connection is cut.
 */
function loseAnswer(req: IncomingMessage, outgoing: Outgoing, rawBytes: number, reset: boolean): void {
  const answer = answerOf(outgoing);
  const head = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`, `Content-Length: ${answer.body.length}`];
  for (let i = 0; i < answer.headers.length; i += 2) head.push(`${answer.headers[i]}: ${answer.headers[i + 1]}`);
  const raw = Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), answer.body]);
  const cut = (): void => disconnectNow(req.socket, { reset });
  if (rawBytes > 0) req.socket.write(raw.subarray(0, Math.min(rawBytes, raw.length - 1)), cut);
  else cut();
}
