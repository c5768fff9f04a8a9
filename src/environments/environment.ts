// One environment: an isolated set of named twins with one id, seed, token, journal and fault
// engine. Starting is all-or-nothing: if a twin fails, the ones already started are stopped.
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import {
  DEFAULT_LIMITS,
  FaultEngine,
  Journal,
  StandinError,
  checkSchema,
  createTwinContext,
  isStandinError,
  noFiles,
  withFieldPrefix,
  type FileAccess,
  type Limits,
  type Logger,
  type RunningTwin,
  type TwinKind,
} from '../core/index.ts';
import { loopbackOnly, type BindPolicy } from './bind-policy.ts';
import { TWIN_NAME_PATTERN, checkJournalCapacity, type EnvironmentSpec } from './environment-spec.ts';
import type { EnvironmentView, TwinView } from './environment-view.ts';
import { Slots } from './slots.ts';
import type { TwinRegistry } from './twin-registry.ts';

const TWIN_NAME = new RegExp(TWIN_NAME_PATTERN);

export interface EnvironmentOptions {
  registry: TwinRegistry;
  log: Logger;
  /** Where twins may listen (default: loopback addresses and unprivileged ports only). */
  bind?: BindPolicy;
  /** The twins of the whole server, shared by its environments (default: this environment's own). */
  serverTwins?: Slots;
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

interface CheckedTwin {
  kind: TwinKind;
  config: Record<string, unknown>;
  /** The address to bind, checked by the bind policy. */
  host: string;
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
  private readonly limits: Limits;
  private readonly bind: BindPolicy;
  private readonly serverTwins: Slots;
  /** Twin slots this environment holds on the server: its twins and those being started. */
  private held = 0;
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
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.journal = new Journal({ capacity: spec.journalCapacity, maxBytes: this.limits.journalBytes, now });
    this.initialFaults = spec.faults ?? [];
    this.bind = options.bind ?? loopbackOnly;
    this.serverTwins = options.serverTwins ?? new Slots(this.limits.twinsPerServer);
    this.faults = new FaultEngine({
      seed: this.seed,
      journal: this.journal,
      now,
      limits: this.limits,
      twins: {
        kindOf: (name) => this.twins.get(name)?.kind ?? this.pending.get(name),
        names: () => [...new Set([...this.pending.keys(), ...this.twins.keys()])],
      },
    });
  }

  /** Kinds of the twins being started, so rules can be checked before they are up. */
  private readonly pending = new Map<string, TwinKind>();

  /** Validates the spec, starts every twin (or none) and applies the initial fault rules. */
  static async create(spec: EnvironmentSpec, options: EnvironmentOptions): Promise<Environment> {
    const limits = options.limits ?? DEFAULT_LIMITS;
    checkJournalCapacity(spec, limits);
    if ((spec.faults?.length ?? 0) > limits.rulesPerEnvironment) {
      throw new StandinError('STANDIN_ERR_LIMIT_RULES', { field: 'faults', limit: limits.rulesPerEnvironment });
    }
    const env = new Environment(spec, options);
    // Counted first: a spec of ten thousand twins is refused before any of them is even checked.
    env.reserveTwins(Object.keys(spec.twins).length, 'twins');
    try {
      await env.loadKinds(Object.values(spec.twins).map((twin) => twin.kind));
      const twins = env.checkTwins(spec);
      // Rules are checked before any port is opened, so a typo in a rule costs no start-up.
      env.initialFaults.forEach((rule, i) => env.faults.check(rule, `faults[${i}]`));
      for (const [name, twin] of twins) await env.startTwin(name, twin);
      env.pending.clear();
      env.initialFaults.forEach((rule, i) => env.faults.add(rule, `faults[${i}]`));
    } catch (error) {
      await env.destroy();
      throw error;
    }
    return env;
  }

  /** Imports the kinds' modules not yet loaded (twin-registry.ts); an unknown kind is left to checkTwin. */
  private async loadKinds(kinds: string[]): Promise<void> {
    await Promise.all([...new Set(kinds)].map((kind) => this.options.registry.load(kind)));
  }

  private checkTwins(spec: EnvironmentSpec): Map<string, CheckedTwin> {
    const out = new Map<string, CheckedTwin>();
    for (const [name, twinSpec] of Object.entries(spec.twins)) {
      const twin = this.checkTwin(name, twinSpec);
      out.set(name, twin);
      this.pending.set(name, twin.kind);
    }
    return out;
  }

  private checkTwin(name: string, twinSpec: { kind: string } & Record<string, unknown>): CheckedTwin {
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
    const host = this.bind.host(typeof config.host === 'string' ? config.host : undefined, `twins.${name}.host`);
    if (typeof config.port === 'number') this.bind.port(config.port, `twins.${name}.port`);
    // `ports` pins several listeners of one twin (a kafka cluster's brokers).
    if (Array.isArray(config.ports)) config.ports.forEach((port, i) => typeof port === 'number' && this.bind.port(port, `twins.${name}.ports[${i}]`));
    // Twins read `host` from their config: it carries the checked address (localhost → 127.0.0.1).
    return { kind, config: config.host === undefined ? config : { ...config, host }, host };
  }

  /** Starts one more twin in this live environment (the Toxiproxy API adds proxies this way). */
  async addTwin(name: string, twinSpec: { kind: string } & Record<string, unknown>): Promise<void> {
    if (this.destroyed) throw new StandinError('STANDIN_ERR_ENV_NOT_FOUND', { id: this.id });
    if (this.twins.has(name) || this.pending.has(name)) throw new StandinError('STANDIN_ERR_TWIN_NAME_TAKEN', { twin: name, env: this.id });
    await this.loadKinds([twinSpec.kind]);
    const twin = this.checkTwin(name, twinSpec);
    this.reserveTwins(1, `twins.${name}`);
    this.pending.set(name, twin.kind);
    try {
      await this.startTwin(name, twin);
    } catch (error) {
      this.releaseTwins(1);
      throw error;
    } finally {
      this.pending.delete(name);
    }
  }

  /** Stops a twin and removes it with its fault rules. */
  async removeTwin(name: string): Promise<void> {
    const twin = this.twin(name);
    this.twins.delete(name);
    this.faults.clear(name);
    try {
      await twin.running.stop();
    } finally {
      this.releaseTwins(1);
    }
  }

  /** Takes `count` twin slots of this environment and of the server, before any twin starts. */
  private reserveTwins(count: number, field: string): void {
    const { twinsPerEnvironment, twinsPerServer } = this.limits;
    if (this.held + count > twinsPerEnvironment) {
      throw new StandinError('STANDIN_ERR_LIMIT_TWINS', {
        field,
        detail: `an environment holds at most ${twinsPerEnvironment} twins (--limit-twins-per-environment)`,
      });
    }
    if (!this.serverTwins.take(count)) {
      throw new StandinError('STANDIN_ERR_LIMIT_TWINS', {
        field,
        detail: `this server runs at most ${twinsPerServer} twins (--limit-twins-per-server) and ${this.serverTwins.taken} are taken; destroy an environment first`,
      });
    }
    this.held += count;
  }

  private releaseTwins(count: number): void {
    const released = Math.min(count, this.held);
    this.held -= released;
    this.serverTwins.give(released);
  }

  private async startTwin(name: string, { kind, config, host }: CheckedTwin): Promise<void> {
    const ctx = createTwinContext({
      envId: this.id,
      name,
      seed: this.seed,
      host,
      advertisedHost: this.bind.advertise(host),
      twinPorts: this.bind.ports,
      journal: this.journal,
      faults: this.faults,
      log: this.options.log,
      now: this.options.now,
      // A file a twin refuses is named as the client wrote it: `twins.db.init[0]`.
      files: withFieldPrefix(this.options.files ?? noFiles, `twins.${name}.`),
      limits: this.limits,
    });
    try {
      const running = await kind.start(config, ctx);
      if (this.destroyed) {
        // Destroyed while this twin started (a proxy added during shutdown): it must not outlive it.
        await running.stop();
        throw new StandinError('STANDIN_ERR_ENV_NOT_FOUND', { id: this.id });
      }
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
    // Own properties only: a verb named `constructor` or `__proto__` is not an action.
    const spec = twin.kind.actions && Object.hasOwn(twin.kind.actions, verb) ? twin.kind.actions[verb] : undefined;
    const handler = twin.running.actions && Object.hasOwn(twin.running.actions, verb) ? twin.running.actions[verb] : undefined;
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
    // Given back once the twins' ports are closed, so the next twins find the descriptors free.
    this.releaseTwins(this.held);
    this.journal.close();
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
