// What the twin does with each request: read it, ask the fault engine about it (only when rules
// exist at point `request`), answer from the first matching stub, else the msw handlers, else a 404
// naming the near-misses; then journal it. Stubs come before msw handlers: stubs are what a
// scenario adds at runtime to override the baseline behaviour the handlers give.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { delayMs, type FaultDecision, type FaultRef, type TwinContext } from '../../src/core/index.ts';
import { corrupt, type CorruptAction } from './faults/corrupt.ts';
import { cutConnection, sendPartial, type DisconnectAction } from './faults/disconnect.ts';
import { errorResponse, type ErrorAction } from './faults/error.ts';
import type { RequestEvent } from './faults/request-match.ts';
import type { MswResponder } from './msw-handlers.ts';
import { nearMisses } from './near-miss.ts';
import { RecordedRequest } from './recorded-request.ts';
import type { RequestLog, RequestRecord } from './request-log.ts';
import type { StubRegistry } from './stub-registry.ts';
import { jsonResponse, writeResponse, type WireResponse } from './wire-response.ts';

/** Bodies past this size get a 413: the twin buffers each body whole. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface RequestHandlerDeps {
  ctx: TwinContext;
  stubs: StubRegistry;
  msw: MswResponder | undefined;
  log: RequestLog;
  /** Whether any rule is set at point `request`: without one the engine is not asked at all. */
  hasRules(): boolean;
  /** setTimeout that the twin cancels on stop. */
  later(ms: number, run: () => void): void;
}

type AnsweredBy = RequestRecord['answeredBy'];

const EMPTY = Buffer.alloc(0);

export function createRequestHandler(deps: RequestHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { ctx, stubs, msw, log, later } = deps;

  function record(
    request: RecordedRequest,
    status: number | null,
    answeredBy: AnsweredBy,
    stub?: string,
    decision?: FaultDecision,
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
    decision?: FaultDecision,
  ): void {
    if (decision?.action === 'disconnect') {
      sendPartial(res, response, decision.params as DisconnectAction);
      record(request, null, by, stub, decision);
      return;
    }
    const sent = decision?.action === 'corrupt' ? corrupt(response, decision.params as CorruptAction, decision.rng) : response;
    writeResponse(res, sent);
    record(request, sent.status, by, stub, decision);
  }

  function unmatched(res: ServerResponse, request: RecordedRequest, decision?: FaultDecision): void {
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

  function answer(res: ServerResponse, request: RecordedRequest, decision?: FaultDecision): void {
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
          cutConnection(res.socket, false);
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
      if (!res.headersSent) writeResponse(res, jsonResponse(500, { error: 'standin http twin failed', message: String(error) }));
    }
  }

  function handleUnguarded(req: IncomingMessage, res: ServerResponse, request: RecordedRequest): void {
    const decision = deps.hasRules()
      ? ctx.faults.decide('request', faultEvent(request), `${request.method} ${request.path}`)
      : undefined;
    if (decision === undefined) return answer(res, request);
    switch (decision.action) {
      case 'delay':
        return later(delayMs(decision.params, decision.rng.next), () => answer(res, request, decision));
      case 'hang':
        // Never answer: the connection stays open until the client gives up or the twin stops.
        return record(request, null, 'fault', undefined, decision);
      case 'error': {
        const response = errorResponse(decision.params as ErrorAction, decision.rule.id);
        writeResponse(res, response);
        return record(request, response.status, 'fault', undefined, decision);
      }
      case 'disconnect':
        if ((decision.params as DisconnectAction).after !== 'partial-response') {
          cutConnection(req.socket, (decision.params as DisconnectAction).reset === true);
          return record(request, null, 'fault', undefined, decision);
        }
        return answer(res, request, decision);
      default:
        return answer(res, request, decision);
    }
  }

  return (req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const length = req.headers['content-length'];
    if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) {
      return handle(req, res, new RecordedRequest(method, url, req.headers, EMPTY));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        writeResponse(res, jsonResponse(413, { error: `request body over ${MAX_BODY_BYTES} bytes` }));
        return;
      }
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      handle(req, res, new RecordedRequest(method, url, req.headers, body));
    });
  };
}

function faultEvent(request: RecordedRequest): RequestEvent {
  return { method: request.method, path: request.path, query: request.query, headers: request.headers, body: request.text };
}
