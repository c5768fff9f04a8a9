// An EnvironmentManager that keeps every environment it made, so a run's journal can be read after
// the scenario runner destroyed it.
import type { Environment } from '../../src/environments/environment.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';

export class KeepingManager extends EnvironmentManager {
  readonly made: Environment[] = [];
  override async create(...args: Parameters<EnvironmentManager['create']>): Promise<Environment> {
    const env = await super.create(...args);
    this.made.push(env);
    return env;
  }
}
