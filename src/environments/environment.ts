// One environment: an isolated set of named twins with one id, seed, token, journal and fault
// engine. Starting is all-or-nothing: if a twin fails, the ones already started are stopped.
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import {
  FaultEngine,
  Journal,
  StandinError,
  checkSchema,
  createTwinContext,
  isStandinError,
  type FileAccess,
  type Limits,
  type Logger,
  type RunningTwin,
  type TwinKind,
} from '../core/index.ts';
import { TWIN_NAME_PATTERN, type EnvironmentSpec } from './environment-spec.ts';

const TWIN_NAME = new RegExp(TWIN_NAME_PATTERN);
import type { EnvironmentView, TwinView } from './environment-view.ts';
import type { TwinRegistry } from './twin-registry.ts';

export interface EnvironmentOptions {
  registry: TwinRegistry;
  log: Logger;
  /** Default bind address of twins (a twin's config.host overrides it). */
  twinHost?: string;
  /** The files twin configs may name (a scenario file's folder, the server's --files-root, or none). */
  files?: FileAccess;
  limits?: Limits;
  now?: () => number;
}

export type { EnvironmentView, TwinView } from './environment-view.ts';

interface StartedTwin {
  kind: TwinKind;
  config: Record<string, unknown>;
  running: RunningTwin;
}

export class Environment {
  readonly id: string;
  readonly name?: string;
  readonly seed: number;
  readonly createdAt: number;
  readonly expiresAt?: number;
  readonly journal: Journal;
  readonly faults: FaultEngine;
  private readonly token: string;
  private readonly twins = new Map<string, StartedTwin>();
  private readonly initialFaults: readonly unknown[];
  private destroyed = false;

  private constructor(spec: EnvironmentSpec, private readonly options: EnvironmentOptions) {
    const now = options.now ?? Date.now;
    this.id = `env_${randomBytes(9).toString('base64url')}`;
    this.name = spec.name;
    // The seed drives behaviour and must be reproducible; the token guards access and must not be.
    this.seed = spec.seed ?? randomInt(0, 2 ** 32 - 1);
    this.token = randomBytes(24).toString('base64url');
    this.createdAt = now();
    this.expiresAt = spec.ttlSeconds === undefined ? undefined : this.createdAt + spec.ttlSeconds * 1000;
    this.journal = new Journal({ capacity: spec.journalCapacity, maxBytes: options.limits?.journalBytes, now });
    this.initialFaults = spec.faults ?? [];
    this.faults = new FaultEngine({
      seed: this.seed,
      journal: this.journal,
      now,
      limits: options.limits,
      twins: {
        kindOf: (name) => this.twins.get(name)?.kind ?? this.pending.get(name),
        names: () => [...new Set([...this.pending.keys(), ...this.twins.keys()])],
      },
    });
  }

  /** Kinds of the twins being started by create(), so rules can be checked before any is up. */
  private readonly pending = new Map<string, TwinKind>();

  /** Validates the spec, starts every twin (or none) and applies the initial fault rules. */
  static async create(spec: EnvironmentSpec, options: EnvironmentOptions): Promise<Environment> {
    const env = new Environment(spec, options);
    const configs = env.checkTwins(spec);
    // Rules are checked before any port is opened, so a typo in a rule costs no start-up.
    env.initialFaults.forEach((rule, i) => env.faults.check(rule, `faults[${i}]`));
    try {
      for (const [name, { kind, config }] of configs) await env.startTwin(name, kind, config);
      env.pending.clear();
      env.initialFaults.forEach((rule, i) => env.faults.add(rule, `faults[${i}]`));
    } catch (error) {
      await env.destroy();
      throw error;
    }
    return env;
  }

  private checkTwins(spec: EnvironmentSpec): Map<string, { kind: TwinKind; config: Record<string, unknown> }> {
    const out = new Map<string, { kind: TwinKind; config: Record<string, unknown> }>();
    for (const [name, twinSpec] of Object.entries(spec.twins)) {
      out.set(name, this.checkTwin(name, twinSpec));
      this.pending.set(name, (out.get(name) as { kind: TwinKind }).kind);
    }
    return out;
  }

  private checkTwin(name: string, twinSpec: { kind: string } & Record<string, unknown>): { kind: TwinKind; config: Record<string, unknown> } {
    if (!TWIN_NAME.test(name)) {
      throw new StandinError('STANDIN_ERR_TWIN_CONFIG_INVALID', {
        twin: name,
        detail: 'a twin name starts with a letter and holds only letters, digits, _ and - (at most 63)',
      });
    }
    const kind = this.options.registry.get(twinSpec.kind);
    if (!kind) {
      throw new StandinError('STANDIN_ERR_TWIN_UNKNOWN_KIND', { twin: name, kind: twinSpec.kind, known: this.options.registry.names() });
    }
    const { kind: _kind, ...config } = twinSpec;
    const problem = checkSchema(kind.configSchema, config)[0];
    if (problem) {
      throw new StandinError('STANDIN_ERR_TWIN_CONFIG_INVALID', { twin: name, path: `.${problem.field}`, detail: problem.detail });
    }
    return { kind, config };
  }

  /** Starts one more twin in this live environment (the Toxiproxy API adds proxies this way). */
  async addTwin(name: string, twinSpec: { kind: string } & Record<string, unknown>): Promise<void> {
    if (this.twins.has(name)) throw new StandinError('STANDIN_ERR_TWIN_NAME_TAKEN', { twin: name, env: this.id });
    const { kind, config } = this.checkTwin(name, twinSpec);
    await this.startTwin(name, kind, config);
  }

  /** Stops a twin and removes it with its fault rules. */
  async removeTwin(name: string): Promise<void> {
    const twin = this.twin(name);
    this.twins.delete(name);
    this.faults.clear(name);
    await twin.running.stop();
  }

  private async startTwin(name: string, kind: TwinKind, config: Record<string, unknown>): Promise<void> {
    const ctx = createTwinContext({
      envId: this.id,
      name,
      seed: this.seed,
      host: typeof config.host === 'string' ? config.host : (this.options.twinHost ?? '127.0.0.1'),
      journal: this.journal,
      faults: this.faults,
      log: this.options.log,
      now: this.options.now,
      files: this.options.files,
      limits: this.options.limits,
    });
    try {
      const running = await kind.start(config, ctx);
      this.twins.set(name, { kind, config, running });
    } catch (error) {
      if (isStandinError(error)) throw error;
      throw new StandinError('STANDIN_ERR_ENV_START_FAILED', { twin: name, detail: (error as Error).message }, { cause: error });
    }
  }

  /** Constant-time check of a bearer token. */
  authorize(token: string): boolean {
    const a = Buffer.from(token);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** The token, shown once in the create response. */
  revealToken(): string {
    return this.token;
  }

  twin(name: string): StartedTwin {
    const twin = this.twins.get(name);
    if (!twin) throw new StandinError('STANDIN_ERR_TWIN_NOT_FOUND', { twin: name, env: this.id });
    return twin;
  }

  /**
   * Runs one of a twin kind's actions with its params checked against the action's schema; the
   * one place the API, the scenario runner and the MCP server run actions. `field` names the params
   * in errors (`body`, `setup[0].params`).
   */
  async runAction(twinName: string, verb: string, params: Record<string, unknown>, field = 'params'): Promise<unknown> {
    const twin = this.twin(twinName);
    const spec = twin.kind.actions?.[verb];
    const handler = twin.running.actions?.[verb];
    if (!spec || !handler) {
      throw new StandinError('STANDIN_ERR_TWIN_UNKNOWN_ACTION', {
        twin: twinName,
        kind: twin.kind.kind,
        verb,
        known: Object.keys(twin.kind.actions ?? {}),
      });
    }
    const problem = checkSchema(spec.params, params, field)[0];
    if (problem) throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `${problem.field}: ${problem.detail}` });
    try {
      return (await handler(params)) ?? null;
    } catch (error) {
      if (isStandinError(error)) throw error;
      throw new StandinError('STANDIN_ERR_TWIN_ACTION_FAILED', { verb, twin: twinName, detail: (error as Error).message });
    }
  }

  twinNames(): string[] {
    return [...this.twins.keys()];
  }

  /** Twins back to their state right after start, rules back to the initial set, journal emptied. */
  async reset(): Promise<void> {
    await Promise.all([...this.twins.values()].map((t) => t.running.reset()));
    this.faults.clear();
    this.journal.clear();
    this.initialFaults.forEach((rule, i) => this.faults.add(rule, `faults[${i}]`));
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.faults.clear();
    const results = await Promise.allSettled([...this.twins.values()].map((t) => t.running.stop()));
    this.twins.clear();
    for (const result of results) {
      if (result.status === 'rejected') this.options.log.warn('twin stop failed', { env: this.id, error: String(result.reason) });
    }
  }

  view(): EnvironmentView {
    const twins: Record<string, TwinView> = {};
    for (const [name, { kind, running }] of this.twins) {
      twins[name] = { kind: kind.kind, endpoints: running.endpoints, env: running.env };
    }
    return {
      id: this.id,
      ...(this.name === undefined ? {} : { name: this.name }),
      seed: this.seed,
      createdAt: new Date(this.createdAt).toISOString(),
      ...(this.expiresAt === undefined ? {} : { expiresAt: new Date(this.expiresAt).toISOString() }),
      twins,
      env: this.mergedEnv(),
    };
  }

  /**
   * The env vars for the SUT: each twin's own (the first twin to claim a name keeps it), plus
   * unambiguous `STANDIN_<TWIN>_<ENDPOINT>` for every endpoint.
   */
  mergedEnv(): Record<string, string> {
    const env: Record<string, string> = { STANDIN_ENV_ID: this.id, STANDIN_SEED: String(this.seed) };
    for (const [name, { running }] of this.twins) {
      for (const [key, value] of Object.entries(running.env)) if (!(key in env)) env[key] = value;
      for (const [key, value] of Object.entries(running.endpoints)) env[`STANDIN_${envName(name)}_${envName(key)}`] = value;
    }
    return env;
  }
}

function envName(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}
