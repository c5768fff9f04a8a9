// One client connection to one broker: frames in, responses out in request order (Kafka answers a
// connection's requests in the order they came). Applies the `request` fault point and journals
// every request. Anything malformed — a bad size, an unreadable header, an unknown API key, an
// unsupported version (except ApiVersions, KIP-511), a body that does not decode — closes this
// connection only; so does a frame past kafkaRequestBytes or a body past kafkaRequestElements.
//
// `disconnect` here: `after: request` (default) cuts when the request's turn to be answered comes,
// sending none of its answer; `partial-response` sends the first `bytes` of the response frame (size
// prefix included; default half, never the whole frame) and then cuts; `reset` cuts with an RST.
// @see https://kafka.apache.org/protocol.html#protocol_network
import type { Duplex } from 'node:stream';
import { cutConnection, delayMs, matchFields, type CloseHow, type FaultTimers, type LinkInfo, type PointDecision, type TwinContext } from '../../../src/core/index.ts';
import { type ApiHandler, type ConnectionState, type KafkaRuntimeConfig, type RequestContext } from '../apis/api.ts';
import type { BrokerInfo, Cluster } from '../cluster/cluster.ts';
import type { FetchSessionCache } from '../cluster/fetch-sessions.ts';
import { apiVersionsSpec } from '../apis/api-versions/schema.ts';
import { ERR, errorCode, errorName } from '../protocol/error-codes.ts';
import { FrameReader } from '../protocol/frame-reader.ts';
import { Reader, Writer } from '../protocol/primitives.ts';
import { readRequestHeader, writeResponseHeader, type RequestHeader } from '../protocol/request-header.ts';
import { decodeRequest, encodeResponse, isFlexible, type Message, type MessageSpec } from '../protocol/schema.ts';
import { faultDelay } from '../faults/fault-delay.ts';
import type { VersionTable } from '../kafka-version.ts';
import { requestPoint, type RequestEvent } from '../points.ts';

export interface BrokerRuntime {
  cluster: Cluster;
  broker: BrokerInfo;
  twin: TwinContext;
  config: KafkaRuntimeConfig;
  apis: ReadonlyMap<number, ApiHandler>;
  /** The versions of them served and listed (kafkaVersion). */
  versions: VersionTable;
  /** The twin's fault waits, cancelled when it stops. */
  faultTimers: FaultTimers;
  /** The broker's fetch sessions: those this connection made go with it. */
  fetchSessions: FetchSessionCache;
}

type RequestDecision = PointDecision<typeof requestPoint>;

const API_VERSIONS = 18;
/** Allowed before SASL authentication completes. */
const PRE_AUTH = new Set([17, 18, 36]);

interface Slot {
  chunks: Buffer[] | null;
  done: boolean;
  /** Cut the connection when this slot's turn comes, after sending nothing, part of its frame
   * (`bytes`, default half; a partial-response disconnect) or all of it (a failed SASL). */
  cut?: { how: CloseHow; send: 'nothing' | 'part' | 'all'; bytes?: number };
}

/** How much of a `len`-byte frame a partial-response disconnect sends: `bytes`, default half, never all. */
export function partialBytes(len: number, bytes: number | undefined): number {
  return Math.max(0, Math.min(bytes ?? Math.floor(len / 2), len - 1));
}

export function serveConnection(socket: Duplex, info: LinkInfo, rt: BrokerRuntime): void {
  const frames = new FrameReader(rt.twin.limits.kafkaRequestBytes);
  const queue: Slot[] = [];
  const state: ConnectionState = { authenticated: !rt.config.sasl, principal: 'User:ANONYMOUS', remoteAddress: info.remoteAddress };
  const onClose = new Set<() => void>();
  let open = true;

  /** Ends the connection (after `last`, when given, is written): nothing more is read or answered. */
  const close = (reason: string, how: CloseHow = 'close', last?: Buffer): void => {
    if (!open) return;
    open = false;
    if (reason) rt.twin.log.debug(`kafka: closing connection ${info.id}: ${reason}`, { broker: rt.broker.nodeId });
    if (last && last.length > 0) socket.write(last, () => cutConnection(socket, how));
    else cutConnection(socket, how);
  };
  socket.on('close', () => {
    open = false;
    rt.fetchSessions.closeConnection(state);
    for (const fn of onClose) fn();
    onClose.clear();
  });
  socket.on('error', () => close(''));

  const flush = (): void => {
    while (queue.length > 0 && (queue[0] as Slot).done) {
      const slot = queue.shift() as Slot;
      if (!open) continue;
      if (slot.cut) {
        const frame = slot.chunks && slot.cut.send !== 'nothing' ? Buffer.concat(slot.chunks) : undefined;
        const sent = frame && slot.cut.send === 'part' ? frame.subarray(0, partialBytes(frame.length, slot.cut.bytes)) : frame;
        close(`cut (${slot.cut.send} of the answer sent)`, slot.cut.how, sent);
        return;
      }
      if (slot.chunks) {
        socket.cork();
        for (const c of slot.chunks) socket.write(c);
        socket.uncork();
      }
    }
  };

  const handleFrame = (frame: Buffer): void => {
    const r = new Reader(frame);
    r.elementBudget = rt.twin.limits.kafkaRequestElements;
    let header: RequestHeader;
    try {
      header = readRequestHeader(r);
    } catch {
      return close('unreadable request header');
    }
    const api = rt.apis.get(header.apiKey);
    const served = rt.versions.served(header.apiKey);
    if (!api || !served) return close(`unknown API key ${header.apiKey}`);
    const { spec } = api;
    const slot: Slot = { chunks: null, done: false };
    queue.push(slot);
    if (header.apiVersion < served[0] || header.apiVersion > served[1]) {
      if (header.apiKey !== API_VERSIONS) {
        rt.twin.journal.record({ point: 'request', type: 'malformed', summary: `connection ${info.id} closed: ${spec.name} v${header.apiVersion} is not served by Kafka ${rt.versions.kafkaVersion}`, data: { broker: rt.broker.nodeId, api: spec.name, version: header.apiVersion } });
        return close(`${spec.name} v${header.apiVersion} is not supported`);
      }
      // KIP-511: answer in v0 so any client can read which versions to use.
      const body = { errorCode: ERR.UNSUPPORTED_VERSION, apiKeys: rt.versions.advertised() };
      journal(rt, header, spec, ERR.UNSUPPORTED_VERSION, undefined);
      slot.chunks = encodeFrame(apiVersionsSpec, header.correlationId, 0, body, 0);
      slot.done = true;
      return flush();
    }
    if (!state.authenticated && !PRE_AUTH.has(header.apiKey)) return close(`${spec.name} before SASL authentication`);
    let req: Message;
    try {
      if (isFlexible(spec, header.apiVersion)) r.taggedFields();
      req = decodeRequest(spec, r, header.apiVersion);
    } catch (e) {
      const reason = `malformed ${spec.name} v${header.apiVersion}: ${(e as Error).message}`;
      rt.twin.journal.record({ point: 'request', type: 'malformed', summary: `connection ${info.id} closed: ${reason}`, data: { broker: rt.broker.nodeId, api: spec.name } });
      return close(reason);
    }
    const ctx: RequestContext = {
      cluster: rt.cluster,
      broker: rt.broker,
      header,
      version: header.apiVersion,
      connection: state,
      twin: rt.twin,
      config: rt.config,
      versions: rt.versions,
      faultTimers: rt.faultTimers,
      fetchSessions: rt.fetchSessions,
      isClosed: () => !open,
      onClose: (fn) => {
        onClose.add(fn);
        return () => onClose.delete(fn);
      },
    };
    void respond(rt, api, req, ctx, slot)
      .catch((e: unknown) => {
        rt.twin.log.error(`kafka: ${spec.name} failed`, { error: String((e as Error)?.stack ?? e) });
        slot.cut = { how: 'close', send: 'nothing' };
      })
      .finally(() => {
        slot.done = true;
        flush();
      });
  };

  socket.on('data', (chunk: Buffer) => {
    if (!open) return;
    let complete: Buffer[];
    try {
      complete = frames.push(chunk);
    } catch (e) {
      rt.twin.journal.record({ point: 'request', type: 'malformed', summary: `connection ${info.id} closed: ${(e as Error).message}`, data: { broker: rt.broker.nodeId } });
      return close((e as Error).message);
    }
    for (const frame of complete) {
      if (!open) break;
      handleFrame(frame);
    }
  });
}

async function respond(rt: BrokerRuntime, api: ApiHandler, req: Message, ctx: RequestContext, slot: Slot): Promise<void> {
  const { spec } = api;
  const { header } = ctx;
  const scope = api.scope(req, ctx);
  const event: RequestEvent = {
    api: [spec.name, spec.apiKey],
    version: header.apiVersion,
    topic: scope.topics,
    partition: scope.partitions,
    group: scope.group,
    clientId: header.clientId ?? undefined,
    broker: rt.broker.nodeId,
  };
  const decision = rt.twin.faults.decide(requestPoint, event, `${spec.name} v${header.apiVersion} from ${header.clientId ?? '?'}`);
  let response: Message | null;
  switch (decision?.action) {
    case 'hang':
      // No answer ever; later requests on the connection are still answered (clients match by
      // correlation id), so the client's request timeout is what fires.
      journal(rt, header, spec, undefined, decision);
      return;
    case 'disconnect': {
      journal(rt, header, spec, undefined, decision);
      const how = decision.params.reset === true ? 'reset' : 'close';
      if (decision.params.after === 'partial-response') {
        // The request runs (a Produce is stored); only its answer is lost part-way.
        response = await serve(api, req, ctx);
        if (response === null) break;
        slot.chunks = encodeFrame(spec, header.correlationId, headerVersion(spec, header), response, header.apiVersion);
        slot.cut = { how, send: 'part', bytes: decision.params.bytes };
      } else slot.cut = { how, send: 'nothing' };
      return;
    }
    case 'error': {
      const code = errorCode(decision.params.code) ?? ERR.UNKNOWN_SERVER_ERROR;
      const { match } = decision.rule;
      if (api.partialErrorResponse && (match.topic !== undefined || match.partition !== undefined)) {
        const only = { topic: match.topic, partition: match.partition };
        response = await api.partialErrorResponse(req, code, ctx, (topic, partition) => matchFields(only, { topic, partition }));
      } else response = api.errorResponse(req, code, ctx);
      break;
    }
    case 'delay':
      // A client that gives up during the delay never reaches the handler (as if the request were lost).
      if (!(await faultDelay(ctx, delayMs(decision.params, decision.rng.next)))) {
        journal(rt, header, spec, undefined, decision);
        return;
      }
      response = await serve(api, req, ctx);
      break;
    default:
      response = await serve(api, req, ctx);
  }
  if (response === null) {
    journal(rt, header, spec, ERR.NONE, decision);
    return;
  }
  const code = firstError(response);
  journal(rt, header, spec, code, decision);
  slot.chunks = encodeFrame(spec, header.correlationId, headerVersion(spec, header), response, header.apiVersion);
  // A failed SASL authentication ends the connection, as Kafka does.
  if (spec.apiKey === 36 && code !== ERR.NONE) slot.cut = { how: 'close', send: 'all' };
}

/** The request executed — or, with an authorizer, refused where the principal may not act. */
async function serve(api: ApiHandler, req: Message, ctx: RequestContext): Promise<Message | null> {
  const denial = ctx.cluster.acls.enabled ? api.denied(req, ctx) : undefined;
  if (!denial) return api.handle(req, ctx);
  if (denial.hit && api.partialErrorResponse) return api.partialErrorResponse(req, denial.code, ctx, denial.hit);
  return api.errorResponse(req, denial.code, ctx);
}

function headerVersion(spec: MessageSpec, header: RequestHeader): 0 | 1 {
  return header.apiKey !== API_VERSIONS && isFlexible(spec, header.apiVersion) ? 1 : 0;
}

function encodeFrame(spec: MessageSpec, correlationId: number, hv: 0 | 1, body: Message, version: number): Buffer[] {
  const w = new Writer();
  w.int32(0);
  writeResponseHeader(w, correlationId, hv);
  encodeResponse(spec, w, body, version);
  const size = w.length - 4;
  const chunks = w.finish();
  (chunks[0] as Buffer).writeInt32BE(size, 0);
  return chunks;
}

/** The first non-zero error code in a response, looking three levels deep (topics → partitions). */
function firstError(m: Message, depth = 0): number {
  const own = m.errorCode ?? m.partitionErrorCode;
  if (typeof own === 'number' && own !== 0) return own;
  if (depth >= 2) return ERR.NONE;
  for (const v of Object.values(m)) {
    if (!Array.isArray(v)) continue;
    for (const item of v) {
      if (item === null || typeof item !== 'object' || Buffer.isBuffer(item)) break;
      const code = firstError(item as Message, depth + 1);
      if (code !== ERR.NONE) return code;
    }
  }
  return ERR.NONE;
}

function journal(rt: BrokerRuntime, header: RequestHeader, spec: MessageSpec, code: number | undefined, decision: RequestDecision | undefined): void {
  rt.twin.journal.record({
    point: 'request',
    type: 'request',
    summary: `${spec.name} v${header.apiVersion} ${header.clientId ?? ''}${code ? ` → ${errorName(code)}` : ''}`.trim(),
    data: {
      api: spec.name,
      apiKey: spec.apiKey,
      version: header.apiVersion,
      clientId: header.clientId,
      broker: rt.broker.nodeId,
      errorCode: code ?? null,
      error: code ? errorName(code) : null,
    },
    ...(decision ? { fault: { rule: decision.rule.id, action: decision.action } } : {}),
  });
}
