// The typestate builder (STYLE.md #8, after testcontainers' GenericContainer → StartedTestContainer):
// `with…()` gather the spec and return the builder; `start()` returns a different type, the started
// environment, which is AsyncDisposable:
//
//   await using env = await Standin.environment().withSeed(7).withTwin('api', { kind: 'http' }).start();
import type { FaultRuleInput } from '../core/index.ts';
import type { EnvironmentSpec, TwinSpec } from '../environments/environment-spec.ts';
import type { EnvironmentHandle } from './environment-handle.ts';
import { StandinClient, type EnvironmentSpecInput } from './standin-client.ts';

export type { TwinSpec };

/** What `start()` answers: the environment, running, destroyed by `await using` or `destroy()`. */
export type StartedEnvironment = EnvironmentHandle;

export class EnvironmentBuilder {
  private readonly twins: Record<string, TwinSpec> = {};
  private readonly faults: FaultRuleInput[] = [];
  private options: Omit<EnvironmentSpec, 'twins' | 'faults'> = {};

  withName(name: string): this {
    this.options = { ...this.options, name };
    return this;
  }

  /** Same seed + same traffic ⇒ same fault decisions. Random when not given (the handle says which). */
  withSeed(seed: number): this {
    this.options = { ...this.options, seed };
    return this;
  }

  withTtl(seconds: number): this {
    this.options = { ...this.options, ttlSeconds: seconds };
    return this;
  }

  withJournalCapacity(events: number): this {
    this.options = { ...this.options, journalCapacity: events };
    return this;
  }

  withTwin(name: string, spec: TwinSpec): this {
    this.twins[name] = spec;
    return this;
  }

  /** A rule applied at start and restored by reset. */
  withFault(rule: FaultRuleInput): this {
    this.faults.push(rule);
    return this;
  }

  /** The spec `start()` sends, e.g. to write it into a scenario file. */
  toSpec(): EnvironmentSpecInput {
    return { ...this.options, twins: { ...this.twins }, ...(this.faults.length > 0 ? { faults: [...this.faults] } : {}) };
  }

  /** Creates the environment on `client` (default: `StandinClient.fromEnv()`), all twins listening. */
  async start(client: StandinClient = StandinClient.fromEnv()): Promise<StartedEnvironment> {
    return client.environments.create(this.toSpec());
  }
}
