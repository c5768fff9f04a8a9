// The environments an exploration runs in, kept warm: started once (all with the same seed) and
// reset between runs — twins back to their state after start, rules back to the file's own, the
// journal emptied — since starting a PostgreSQL database or a Kafka cluster costs far more than a run.
import type { Environment } from '../environments/environment.ts';
import type { EnvironmentManager, TwinAccess } from '../environments/environment-manager.ts';
import type { ScenarioFile } from '../scenario/scenario-file.ts';
import { startEnvironment } from '../scenario/scenario-runner.ts';

interface Slot {
  env: Environment;
  /** A run has used it since it was started or reset. */
  dirty: boolean;
}

export class WarmEnvironments {
  private readonly free: Slot[] = [];
  private readonly all: Slot[] = [];
  private readonly waiting: Array<(slot: Slot) => void> = [];

  private constructor(
    private readonly file: ScenarioFile,
    private readonly manager: EnvironmentManager,
    private readonly access: Partial<TwinAccess> | undefined,
    readonly seed: number,
  ) {}

  /** Starts the first environment; its seed (the one asked for, else a random one) is every other's. */
  static async start(file: ScenarioFile, manager: EnvironmentManager, options: { seed?: number; access?: Partial<TwinAccess> }): Promise<WarmEnvironments> {
    const first = await startEnvironment(file, manager, options);
    const pool = new WarmEnvironments(file, manager, options.access, first.seed);
    pool.add(first);
    return pool;
  }

  /** Grows to `count` environments (started side by side). */
  async grow(count: number): Promise<void> {
    const more = Math.max(0, count - this.all.length);
    const started = await Promise.allSettled(
      Array.from({ length: more }, () => startEnvironment(this.file, this.manager, { seed: this.seed, access: this.access })),
    );
    for (const result of started) if (result.status === 'fulfilled') this.add(result.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  get size(): number {
    return this.all.length;
  }

  /** Runs `use` in a free environment, reset first if a run has used it. */
  async use<T>(use: (env: Environment) => Promise<T>): Promise<T> {
    const slot = this.free.pop() ?? (await new Promise<Slot>((resolve) => this.waiting.push(resolve)));
    try {
      if (slot.dirty) await slot.env.reset();
      slot.dirty = true;
      return await use(slot.env);
    } finally {
      this.release(slot);
    }
  }

  /** A fresh environment with the same seed, for one run, destroyed after: to confirm a finding. */
  async fresh<T>(use: (env: Environment) => Promise<T>): Promise<T> {
    const env = await startEnvironment(this.file, this.manager, { seed: this.seed, access: this.access });
    try {
      return await use(env);
    } finally {
      await this.manager.destroy(env.id).catch(() => {});
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.all.map((s) => this.manager.destroy(s.env.id)));
  }

  private add(env: Environment): void {
    const slot = { env, dirty: false };
    this.all.push(slot);
    this.release(slot);
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}
