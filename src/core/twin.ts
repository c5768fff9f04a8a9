// The twin contract. A twin kind is one folder under twins/ exporting a TwinKind; it imports only
// from src/core (this contract, the fault engine's types, the journal, rng, link layer) and its own
// libraries. The environment starts it with a TwinContext and gets back a RunningTwin.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { RuleChange } from './fault-engine.ts';
import type { TwinExpectation } from './expectation.ts';
import type { ExploreVocabulary } from './explore-vocabulary.ts';
import type { FaultDecision, FaultPoint, PointDecision, PointEvent } from './fault-point.ts';
import type { FaultEvent, FaultRule } from './fault-rule.ts';
import type { FileAccess } from './files.ts';
import type { TwinJournal } from './journal.ts';
import type { Limits } from './limits.ts';
import type { PortRange } from './port-range.ts';
import type { Rng } from './rng.ts';

/** Fields every twin config may carry besides its kind's own. */
export const BaseTwinConfigFields = {
  port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'pin the listening port (default: a free one)' })),
  host: Type.Optional(Type.String({ description: 'bind address (default 127.0.0.1)' })),
};

export interface ActionSpec<P extends TSchema = TSchema> {
  description: string;
  params: P;
}

/** Verb → its description and parameter schema. */
export type ActionSpecs = Record<string, ActionSpec>;

/** A handler typed by its params; declared as a method so kinds with typed verbs sit in one registry. */
type ActionHandler<P> = { handle(params: P): Promise<unknown> }['handle'];

/** The handlers of a kind's verbs, params typed by each verb's schema (a kind declared without
 * `defineTwinKind` gets untyped records). */
export type ActionHandlers<A extends ActionSpecs> = string extends keyof A
  ? Record<string, ActionHandler<Record<string, unknown>>>
  : { [K in keyof A]: ActionHandler<Static<A[K]['params']>> };

export interface TwinKind<Schema extends TSchema = TSchema, Actions extends ActionSpecs = ActionSpecs> {
  kind: string;
  description: string;
  /** The twin's config without `kind`; spread BaseTwinConfigFields into it. */
  configSchema: Schema;
  /** Every point a rule can name (`definePoint`); include the link layer's `connectionPoint`. */
  points: readonly FaultPoint[];
  /** Twin-specific verbs (`POST /environments/:id/twins/:name/actions/:verb`). */
  actions?: Actions;
  /** Scenario expectations about the twin's state (`defineExpectation`), e.g. postgres `sql`. */
  expectations?: readonly TwinExpectation[];
  /** What `standin explore` tries against this kind's twins; `pointVocabulary(points)` when absent. */
  explore?: ExploreVocabulary;
  start(config: Static<Schema>, ctx: TwinContext): Promise<RunningTwin<Actions>>;
  /** Releases process-wide resources (e.g. a shared PostgreSQL server) when Standin exits. */
  shutdown?(): Promise<void>;
}

/** Keeps a kind's config and verb types, so `start` and its action handlers are typed without casts. */
export function defineTwinKind<Schema extends TSchema, Actions extends ActionSpecs = ActionSpecs>(
  kind: TwinKind<Schema, Actions>,
): TwinKind<Schema, Actions> {
  return kind;
}

export interface RunningTwin<Actions extends ActionSpecs = ActionSpecs> {
  /** The addresses the SUT uses, e.g. `{url: 'postgres://127.0.0.1:54011/app'}`. */
  endpoints: Record<string, string>;
  /** Env vars exported to the SUT, e.g. `{DATABASE_URL: …}`. */
  env: Record<string, string>;
  /** State for expectations: rows, topic contents, payments… */
  inspect(query?: Record<string, unknown>): Promise<unknown>;
  /** Handlers of the kind's `actions`, params already validated against their schema. */
  actions?: ActionHandlers<Actions>;
  /** Back to the state right after start, fast. Fault rules are the environment's, not the twin's. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The fault engine as one twin sees it: bound to its own name. Pass the point itself (from
 * `definePoint`) and the decision comes back typed by the point's actions.
 */
export interface TwinFaults {
  decide<P extends FaultPoint>(point: P, event: PointEvent<P>, summary?: string): PointDecision<P> | undefined;
  decideAll<P extends FaultPoint>(point: P, event: PointEvent<P>, summary?: string): Array<PointDecision<P>>;
  /** Evaluates one rule of the point, e.g. a rule added while a connection is open. */
  decideRule<P extends FaultPoint>(point: P, id: string, event: PointEvent<P>, summary?: string): PointDecision<P> | undefined;
  rulesAt(point: FaultPoint): FaultRule[];
  /** Rules of this twin added or removed. */
  onChange(listener: (change: RuleChange) => void): () => void;
}

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface TwinContext {
  envId: string;
  /** The twin's name in its environment. */
  name: string;
  seed: number;
  /** Address to bind: config.host, else the server's twin host (127.0.0.1). */
  host: string;
  /** The host clients are told to use in endpoints and env vars (--advertise-host, e.g. the
   * container's host name as seen from outside); `host` when the server names none. */
  advertisedHost: string;
  /** Where a listener whose config pins no port takes its port (--twin-ports); any free port when absent. */
  twinPorts?: PortRange;
  journal: TwinJournal;
  faults: TwinFaults;
  /** An independent seeded stream for the twin's own random choices (ids, tokens…). */
  rng(...label: Array<string | number>): Rng;
  now(): number;
  log: Logger;
  /** A directory for caches that survive restarts (e.g. a PostgreSQL cluster). */
  cacheDir: string;
  /** The files the twin's config may name (SQL files, handler modules): under the scenario file's
   * folder, under the server's --files-root, or none. */
  files: FileAccess;
  /** The server's limits (src/core/limits.ts). */
  limits: Limits;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
