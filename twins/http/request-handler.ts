// What the twin does with each request: read it, ask the fault engine about it (only when a rule at
// point `request` could match its method), answer from the first matching stub, else the msw handlers, else a 404
// naming the near-misses; then journal it. Stubs come before msw handlers: stubs are what a
// scenario adds at runtime to override the baseline behaviour the handlers give.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  corruptAnswer,
  delayLength,
  disconnectNow,
  httpErrorAnswer,
  readRequestBody,
  sendPartial,
  writeAnswer,
  type FaultRef,
  type FaultTimers,
  type PointDecision,
  type RequestEvent,
  type TwinContext,
} from '../../src/core/index.ts';
import { requestPoint } from './faults/request-point.ts';
import type { MswResponder } from './msw-handlers.ts';
import { nearMisses } from './near-miss.ts';
import { RecordedRequest } from './recorded-request.ts';
import type { RequestLog, RequestRecord } from './request-log.ts';
import type { StubRegistry } from './stub-registry.ts';
import { jsonResponse, type WireResponse } from './wire-response.ts';

export interface RequestHandlerDeps {
  ctx: TwinContext;
  stubs: StubRegistry;
  msw: MswResponder | undefined;
  log: RequestLog;
  /** Whether a rule at point `request` could match this method: when none could, the engine is not asked. */
  mayMatch(method: string): boolean;
  /** Stub delays and fault waits, all ended when the twin stops. */
  timers: FaultTimers;
}

type Decision = PointDecision<typeof requestPoint>;

type AnsweredBy = RequestRecord['answeredBy'];

export function createRequestHandler(deps: RequestHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { ctx, stubs, msw, log, timers } = deps;
  const later = (ms: number, run: () => void): void => {
    void timers.delay(ms).then((ran) => ran && run());
  };

  function record(
    request: RecordedRequest,
    status: number | null,
    answeredBy: AnsweredBy,
    stub?: string,
    decision?: Decision,
  ): void {
    const fault: FaultRef | undefined = decision && { rule: decision.rule.id, action: decision.action };
    const data: RequestRecord = {
      method: request.method,
      path: request.path,
      query: request.query,
      headers: request.headers,
      body: request.bodyPreview(),
      bodyBytes: request.body.length,
      status,
      answeredBy,
    };
    // Assigned, not spread: this runs for every request.
    if (stub !== undefined) data.stub = stub;
    if (fault !== undefined) data.fault = fault;
    ctx.journal.record({
      point: 'request',
      type: 'request',
      summary: `${request.method} ${request.path} → ${status ?? 'no answer'}`,
      data,
      fault,
    });
    log.push(data);
  }

  /** Sends the answer, through a `corrupt` or partial `disconnect` fault when one applies. */
  function deliver(
    res: ServerResponse,
    request: RecordedRequest,
    response: WireResponse,
    by: AnsweredBy,
    stub?: string,
    decision?: Decision,
  ): void {
    if (decision?.action === 'disconnect') {
      sendPartial(res, response, decision.params);
      record(request, null, by, stub, decision);
      return;
    }
    const sent = decision?.action === 'corrupt' ? corruptAnswer(response, decision.params.how, decision.rng) : response;
    writeAnswer(res, sent);
    record(request, sent.status, by, stub, decision);
  }

  function unmatched(res: ServerResponse, request: RecordedRequest, decision?: Decision): void {
    const misses = nearMisses(stubs.all(), request, (s) => stubs.stateOf(s));
    const summary = `no stub${msw ? ' or msw handler' : ''} matched ${request.method} ${request.path}`;
    ctx.journal.record({
      point: 'request',
      type: 'unmatched',
      summary,
      data: { method: request.method, path: request.path, query: request.query, nearMisses: misses },
    });
    const body = {
      error: summary,
      request: { method: request.method, path: request.path, query: request.query },
      nearMisses: misses,
    };
    deliver(res, request, jsonResponse(404, body), 'unmatched', undefined, decision);
  }

  function answer(res: ServerResponse, request: RecordedRequest, decision?: Decision): void {
    const found = stubs.find(request);
    if (found !== undefined) {
      const response = found.response.render({ request, params: found.params });
      const id = found.stub.id;
      if (found.response.delayMs > 0) later(found.response.delayMs, () => deliver(res, request, response, 'stub', id, decision));
      else deliver(res, request, response, 'stub', id, decision);
      return;
    }
    if (msw === undefined) return unmatched(res, request, decision);
    void msw.answer(request).then(
      (result) => {
        if (result === undefined) unmatched(res, request, decision);
        else if (result === 'network-error') {
          disconnectNow(res.socket, {});
          record(request, null, 'msw', undefined, decision);
        } else deliver(res, request, result, 'msw', undefined, decision);
      },
      (error: unknown) => {
        const response = jsonResponse(500, { error: 'msw response unreadable', message: String(error) });
        deliver(res, request, response, 'msw', undefined, decision);
      },
    );
  }

  /** A bug here must cost one request a 500, not the process hosting every environment. */
  function handle(req: IncomingMessage, res: ServerResponse, request: RecordedRequest): void {
    try {
      handleUnguarded(req, res, request);
    } catch (error) {
      ctx.log.error('http twin failed on a request', { twin: ctx.name, path: request.path, error: String(error) });
      if (!res.headersSent) writeAnswer(res, jsonResponse(500, { error: 'standin http twin failed', message: String(error) }));
    }
  }

  function handleUnguarded(req: IncomingMessage, res: ServerResponse, request: RecordedRequest): void {
    const decision = deps.mayMatch(request.method)
      ? ctx.faults.decide(requestPoint, faultEvent(request), `${request.method} ${request.path}`)
      : undefined;
    if (decision === undefined) return answer(res, request);
    switch (decision.action) {
      case 'delay':
        return later(delayLength(decision.params, decision.rng), () => answer(res, request, decision));
      case 'hang':
        // Never answer: the connection stays open until the client gives up or the twin stops.
        void timers.hang((end) => res.once('close', end));
        return record(request, null, 'fault', undefined, decision);
      case 'error': {
        const response = httpErrorAnswer(decision.params, decision.rule.id);
        writeAnswer(res, response);
        return record(request, response.status, 'fault', undefined, decision);
      }
      case 'disconnect':
        if (decision.params.after !== 'partial-response') {
          disconnectNow(req.socket, decision.params);
          return record(request, null, 'fault', undefined, decision);
        }
        return answer(res, request, decision);
      case 'corrupt':
        return answer(res, request, decision);
    }
  }

  const bodyLimit = ctx.limits.httpRequestBodyBytes;
  return (req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    readRequestBody(req, bodyLimit, (read) => {
      if (read.tooLarge) writeAnswer(res, jsonResponse(413, { error: `request body over ${bodyLimit} bytes (--limit-http-request-body-bytes)` }));
      else handle(req, res, new RecordedRequest(method, url, req.headers, read.body));
    });
  };
}

function faultEvent(request: RecordedRequest): RequestEvent {
  return { method: request.method, path: request.path, query: request.query, headers: request.headers, body: request.text };
}
