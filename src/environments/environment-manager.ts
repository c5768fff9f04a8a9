// All live environments of one Standin process: create, find, destroy, and reap those whose TTL
// has passed. Destroying is idempotent and never leaves ports open.
import { statSync } from 'node:fs';
import { DEFAULT_LIMITS, StandinError, filesUnder, noFiles, type FileAccess, type Limits, type Logger } from '../core/index.ts';
import { loopbackOnly, type BindPolicy } from './bind-policy.ts';
import { Environment } from './environment.ts';
import type { EnvironmentSpec } from './environment-spec.ts';
import { Slots } from './slots.ts';
import type { TwinRegistry } from './twin-registry.ts';

/**
 * What an environment's twin configs may reach: the files they may read and the addresses they may
 * bind. API clients get the server's (--files-root, the bind policy of its admin token); a scenario
 * file run by `standin run`/`up` is the operator's own and gets its folder and any address.
 */
export interface TwinAccess {
  files: FileAccess;
  bind: BindPolicy;
}

export interface EnvironmentManagerOptions {
  registry: TwinRegistry;
  log: Logger;
  /** Where twins may listen; the server's follows its admin token (default: loopback only). */
  bind?: BindPolicy;
  /** The server's limits (default: DEFAULT_LIMITS). */
  limits?: Limits;
  /** The folder API clients' twin configs may read files from (--files-root); none when absent. */
  filesRoot?: string;
  /** How often expired environments are looked for. */
  reapIntervalMs?: number;
  now?: () => number;
}

export class EnvironmentManager {
  readonly registry: TwinRegistry;
  private readonly envs = new Map<string, Environment>();
  /** Names being created, so two concurrent creates cannot both take one name. */
  private readonly reservedNames = new Set<string>();
  private readonly reaper: NodeJS.Timeout;
  private readonly now: () => number;
  /** Environments live or being created, against --limit-environments. */
  private readonly envSlots: Slots;
  /** Twins of every environment, live or starting, against --limit-twins-per-server. */
  private readonly twinSlots: Slots;

  constructor(private readonly options: EnvironmentManagerOptions) {
    this.registry = options.registry;
    this.now = options.now ?? Date.now;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.bind = options.bind ?? loopbackOnly;
    this.envSlots = new Slots(this.limits.environments);
    this.twinSlots = new Slots(this.limits.twinsPerServer);
    this.apiFiles = options.filesRoot === undefined ? noFiles : filesUnder(checkedFolder(options.filesRoot));
    this.reaper = setInterval(() => void this.reap(), options.reapIntervalMs ?? 1000);
    this.reaper.unref();
  }

  readonly limits: Limits;
  readonly bind: BindPolicy;

  get log(): Logger {
    return this.options.log;
  }

  /** What API clients' twin configs may read: files under --files-root, or none. */
  readonly apiFiles: FileAccess;

  /** `access`: what the twin configs may reach (default: what API clients may, apiFiles and bind). */
  async create(spec: EnvironmentSpec, access: Partial<TwinAccess> = {}): Promise<Environment> {
    const { files = this.apiFiles, bind = this.bind } = access;
    const { name } = spec;
    if (name !== undefined && (this.reservedNames.has(name) || [...this.envs.values()].some((e) => e.name === name))) {
      throw new StandinError('STANDIN_ERR_ENV_NAME_TAKEN', { name });
    }
    if (!this.envSlots.take()) throw new StandinError('STANDIN_ERR_LIMIT_ENVIRONMENTS', { limit: this.limits.environments });
    if (name !== undefined) this.reservedNames.add(name);
    try {
      const env = await Environment.create(spec, {
        registry: this.registry,
        log: this.options.log,
        bind,
        serverTwins: this.twinSlots,
        now: this.options.now,
        files,
        limits: this.limits,
      });
      this.envs.set(env.id, env);
      this.options.log.info('environment created', { env: env.id, name, twins: env.twinNames() });
      return env;
    } catch (error) {
      this.envSlots.give();
      throw error;
    } finally {
      if (name !== undefined) this.reservedNames.delete(name);
    }
  }

  get(id: string): Environment {
    const env = this.envs.get(id);
    if (!env) throw new StandinError('STANDIN_ERR_ENV_NOT_FOUND', { id });
    return env;
  }

  /** By id, or by name. */
  find(idOrName: string): Environment | undefined {
    return this.envs.get(idOrName) ?? [...this.envs.values()].find((e) => e.name === idOrName);
  }

  list(): Environment[] {
    return [...this.envs.values()];
  }

  async destroy(id: string): Promise<void> {
    const env = this.get(id);
    this.envs.delete(id);
    try {
      await env.destroy();
    } finally {
      this.envSlots.give();
    }
    this.options.log.info('environment destroyed', { env: id });
  }

  /** Destroys every environment whose TTL has passed; returns their ids. */
  async reap(): Promise<string[]> {
    const now = this.now();
    const expired = this.list().filter((e) => e.expiresAt !== undefined && e.expiresAt <= now);
    await Promise.allSettled(expired.map((e) => this.destroy(e.id)));
    return expired.map((e) => e.id);
  }

  async close(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.allSettled(this.list().map((e) => this.destroy(e.id)));
    await Promise.allSettled(this.registry.loaded().map((kind) => kind.shutdown?.()));
  }
}

/** A --files-root that is not a folder is the operator's typo: said at start, not at the first create. */
function checkedFolder(root: string): string {
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--files-root: ${root} is not a folder`);
  return root;
}
