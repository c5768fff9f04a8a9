// What every API handler sees and provides. A handler turns a decoded request into a response
// (or null for a Produce with acks=0, which gets none); `errorResponse` builds the response that
// carries an injected error code in the fields Kafka would put it in; `scope` names the topics,
// partitions and group a request touches, for fault matching.
import type { Cluster, BrokerInfo } from '../cluster/cluster.ts';
import type { FetchSessionCache } from '../cluster/fetch-sessions.ts';
import type { FaultTimers, TwinContext } from '../../../src/core/index.ts';
import type { Message, MessageSpec } from '../protocol/schema.ts';
import type { RequestHeader } from '../protocol/request-header.ts';
import type { VersionTable } from '../kafka-version.ts';

export interface ConnectionState {
  /** SASL: the mechanism chosen by SaslHandshake, and whether authentication succeeded. */
  saslMechanism?: string;
  authenticated: boolean;
  /** Who the connection acts as, for ACLs: `User:<name>` once SASL succeeds, `User:ANONYMOUS` before. */
  principal: string;
  /** SCRAM conversation state between the two SaslAuthenticate rounds. */
  scram?: unknown;
  remoteAddress: string;
}

export interface RequestContext {
  cluster: Cluster;
  broker: BrokerInfo;
  header: RequestHeader;
  version: number;
  connection: ConnectionState;
  twin: TwinContext;
  config: KafkaRuntimeConfig;
  /** The API versions this broker serves and lists, as the configured Kafka release does. */
  versions: VersionTable;
  /** The twin's fault waits (a `delay`), all cancelled when it stops. */
  faultTimers: FaultTimers;
  /** This broker's incremental fetch sessions (KIP-227). */
  fetchSessions: FetchSessionCache;
  isClosed(): boolean;
  /** Calls `fn` once when the connection closes (a long poll stops waiting); returns the canceller. */
  onClose(fn: () => void): () => void;
}

/** The parts of the twin's config handlers read. */
export interface KafkaRuntimeConfig {
  sasl?: { mechanisms: string[]; users: Record<string, string> };
  /** group.consumer.heartbeat.interval.ms, in ConsumerGroupHeartbeat answers (default 5 s). */
  consumerHeartbeatIntervalMs?: number;
}

/** Whether an injected error applies to this topic-partition. */
export type PartitionFilter = (topic: string, partition: number) => boolean;

export interface RequestScope {
  topics: string[];
  partitions: number[];
  group?: string;
}

export interface ApiHandler {
  spec: MessageSpec;
  handle(req: Message, ctx: RequestContext): Message | null | Promise<Message | null>;
  errorResponse(req: Message, code: number, ctx: RequestContext): Message;
  /**
   * For a rule that names topics or partitions: the error only on the partitions it matches, the
   * rest of the request served normally. APIs without it fail the whole request.
   */
  partialErrorResponse?(req: Message, code: number, ctx: RequestContext, hit: PartitionFilter): Promise<Message | null>;
  scope(req: Message, ctx: RequestContext): RequestScope;
  /** With an authorizer: what the principal may not do here (connection.ts answers it). */
  denied(req: Message, ctx: RequestContext): Denial | undefined;
}

/**
 * An authorization failure: `code` (TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED) for the whole
 * request, or, with `hit`, only on the partitions it matches (the rest served).
 */
export interface Denial {
  code: number;
  hit?: PartitionFilter;
}

interface TypedApi<Req, Res> {
  spec: MessageSpec;
  handle(req: Req, ctx: RequestContext): Res | null | Promise<Res | null>;
  /** Default: `{errorCode: code}` at the top level. */
  errorResponse?(req: Req, code: number, ctx: RequestContext): Res;
  partialErrorResponse?(req: Req, code: number, ctx: RequestContext, hit: PartitionFilter): Promise<Res | null>;
  scope?(req: Req, ctx: RequestContext): RequestScope;
  denied?(req: Req, ctx: RequestContext): Denial | undefined;
}

/**
 * Binds a handler written against its generated request/response types to the untyped engine. The
 * engine decoded `req` with the same spec the types were generated from, so the cast is exact.
 */
export function defineApi<Req, Res>(api: TypedApi<Req, Res>): ApiHandler {
  return {
    spec: api.spec,
    handle: (req, ctx) => api.handle(req as Req, ctx) as Message | null | Promise<Message | null>,
    errorResponse: (req, code, ctx) => (api.errorResponse ? (api.errorResponse(req as Req, code, ctx) as Message) : { errorCode: code }),
    ...(api.partialErrorResponse
      ? { partialErrorResponse: async (req: Message, code: number, ctx: RequestContext, hit: PartitionFilter) => (await api.partialErrorResponse!(req as Req, code, ctx, hit)) as Message | null }
      : {}),
    scope: (req, ctx) => (api.scope ? api.scope(req as Req, ctx) : { topics: [], partitions: [] }),
    denied: (req, ctx) => api.denied?.(req as Req, ctx),
  };
}

/** Whether the connection's principal may do `operation` on a resource (always, without an authorizer). */
export function allowed(ctx: RequestContext, operation: number, resourceType: number, name: string): boolean {
  return ctx.cluster.acls.authorize(ctx.connection.principal, ctx.connection.remoteAddress, operation, resourceType, name);
}

/** A whole-request refusal with `code` unless the principal may do `operation` on every one of `names`. */
export function denyUnless(ctx: RequestContext, operation: number, resourceType: number, names: ReadonlyArray<string | null | undefined>, code: number): Denial | undefined {
  return names.every((n) => n === null || n === undefined || allowed(ctx, operation, resourceType, n)) ? undefined : { code };
}

/** A refusal with `code` of the topics the principal may not do `operation` on (the rest served). */
export function denyTopics(ctx: RequestContext, operation: number, topics: ReadonlyArray<string | null | undefined>, code: number): Denial | undefined {
  const refused = new Set(topics.filter((t): t is string => typeof t === 'string' && !allowed(ctx, operation, 2, t)));
  return refused.size === 0 ? undefined : { code, hit: (topic) => refused.has(topic) };
}

/**
 * The topics and partition indexes a request names, each once. Sets, not arrays searched per
 * element: a hostile request may name a million partitions (as fetchScope does for Fetch).
 */
export function topicScope(topics: ReadonlyArray<{ name?: string | null; topic?: string; partitions?: ReadonlyArray<unknown> }> | null): RequestScope {
  const names = new Set<string>();
  const partitions = new Set<number>();
  for (const t of topics ?? []) {
    const name = t.name ?? t.topic;
    if (name) names.add(name);
    for (const p of t.partitions ?? []) {
      const index = typeof p === 'number' ? p : ((p as { partitionIndex?: number; partition?: number; index?: number }).partitionIndex ?? (p as { partition?: number }).partition ?? (p as { index?: number }).index);
      if (typeof index === 'number') partitions.add(index);
    }
  }
  return { topics: [...names], partitions: [...partitions] };
}
