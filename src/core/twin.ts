// The twin contract. A twin kind is one folder under twins/ exporting a TwinKind; it imports only
// from src/core (this contract, the fault engine's types, the journal, rng, link layer) and its own
// libraries. The environment starts it with a TwinContext and gets back a RunningTwin.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FaultDecision, RuleChange } from './fault-engine.ts';
import type { FaultEvent, FaultPointSpec, FaultRule } from './fault-rule.ts';
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

export interface ActionSpec {
  description: string;
  params: TSchema;
}

export interface TwinKind<Schema extends TSchema = TSchema> {
  kind: string;
  description: string;
  /** The twin's config without `kind`; spread BaseTwinConfigFields into it. */
  configSchema: Schema;
  /** Every point a rule can name; include the link layer's `connectionPoint`. */
  points: readonly FaultPointSpec[];
  /** Twin-specific verbs (`POST /environments/:id/twins/:name/actions/:verb`). */
  actions?: Record<string, ActionSpec>;
  start(config: Static<Schema>, ctx: TwinContext): Promise<RunningTwin>;
  /** Releases process-wide resources (e.g. a shared PostgreSQL server) when Standin exits. */
  shutdown?(): Promise<void>;
}

export interface RunningTwin {
  /** The addresses the SUT uses, e.g. `{url: 'postgres://127.0.0.1:54011/app'}`. */
  endpoints: Record<string, string>;
  /** Env vars exported to the SUT, e.g. `{DATABASE_URL: …}`. */
  env: Record<string, string>;
  /** State for expectations: rows, topic contents, payments… */
  inspect(query?: Record<string, unknown>): Promise<unknown>;
  /** Handlers of the kind's `actions`, params already validated against their schema. */
  actions?: Record<string, (params: Record<string, unknown>) => Promise<unknown>>;
  /** Back to the state right after start, fast. Fault rules are the environment's, not the twin's. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** The fault engine as one twin sees it: bound to its own name. */
export interface TwinFaults {
  decide(point: string, event: FaultEvent, summary?: string): FaultDecision | undefined;
  decideAll(point: string, event: FaultEvent, summary?: string): FaultDecision[];
  decideRule(id: string, event: FaultEvent, summary?: string): FaultDecision | undefined;
  rulesAt(point: string): FaultRule[];
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
