// Environments on a running `standin serve`, through the SDK. The environments this MCP server
// creates are the ones it can act on: it holds their handles (and so their tokens) by id, and
// destroys them when it closes, since nobody else holds their tokens. A scenario `file` is read here,
// by this process, so it must lie under this process's --files-root (none: refused); the files the
// scenario names are resolved by the server, under its own --files-root.
import { readFile } from 'node:fs/promises';
import { StandinError, noFiles, type FaultRuleInput, type FileAccess, type JournalFilter } from '../core/index.ts';
import type { ExploreReport } from '../explore/explore-report.ts';
import type { ScenarioReport } from '../scenario/scenario-runner.ts';
import {
  StandinApiError,
  isStandinApiError,
  type EnvironmentHandle,
  type EnvironmentSpecInput,
  type InspectQuery,
  type StandinClient,
} from '../sdk/index.ts';
import type { ExploreRequest, ScenarioSource, StandinBackend } from './standin-backend.ts';

export class RemoteBackend implements StandinBackend {
  readonly where: string;
  private readonly held = new Map<string, EnvironmentHandle>();

  constructor(
    private readonly client: StandinClient,
    private readonly files: FileAccess = noFiles,
  ) {
    this.where = client.url;
  }

  kinds() {
    return this.client.kinds();
  }

  async create(spec: EnvironmentSpecInput) {
    const handle = await this.client.environments.create(spec);
    this.held.set(handle.id, handle);
    return handle.refresh();
  }

  list() {
    return this.client.environments.list();
  }

  get(env: string) {
    return this.handle(env).refresh();
  }

  reset(env: string) {
    return this.handle(env).reset();
  }

  async destroy(env: string): Promise<void> {
    const handle = this.handle(env);
    await handle.destroy();
    this.held.delete(handle.id);
  }

  async addFault(env: string, rule: FaultRuleInput) {
    try {
      return await this.handle(env).faults.add(rule);
    } catch (error) {
      // The API names the rule's fields from its request body; the tool's input calls it `rule`.
      if (isStandinApiError(error) && error.message.startsWith('body')) {
        throw new StandinApiError({ ...error.toJSON(), message: error.message.replace(/^body/, 'rule') });
      }
      throw error;
    }
  }

  listFaults(env: string, twin?: string) {
    return this.handle(env).faults.list(twin);
  }

  removeFault(env: string, ruleId: string) {
    return this.handle(env).faults.remove(ruleId);
  }

  queryJournal(env: string, filter: JournalFilter) {
    return this.handle(env).journal.query(filter);
  }

  inspect(env: string, twin: string, query: InspectQuery) {
    return this.handle(env).twin(twin).inspect(query);
  }

  action(env: string, twin: string, verb: string, params: Record<string, unknown>) {
    return this.handle(env).twin(twin).action(verb, params);
  }

  async runScenario(source: ScenarioSource, seed?: number): Promise<ScenarioReport> {
    // The server's own report, as JSON; test/sdk/api-types-check.ts keeps the two types in step.
    return (await this.client.scenarios.run({ ...(await this.request(source)), ...(seed === undefined ? {} : { seed }) })) as ScenarioReport;
  }

  async explore(source: ScenarioSource, options: ExploreRequest): Promise<ExploreReport> {
    return this.client.scenarios.explore({ ...(await this.request(source)), ...options });
  }

  /** A scenario for the server: a file is read here, where the agent named it. */
  private async request(source: ScenarioSource): Promise<{ scenario: string; file?: string }> {
    if (!('path' in source)) return { scenario: source.text, ...(source.file === undefined ? {} : { file: source.file }) };
    // The absolute path keeps relative commands running from the file's folder when the server shares this machine.
    const file = this.files.resolve(source.path, 'file');
    const text = await readFile(file, 'utf8').catch(() => {
      throw new StandinError('STANDIN_ERR_SCENARIO_NOT_FOUND', { file: source.path });
    });
    return { scenario: text, file };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.held.values()].map((handle) => handle.destroy()));
    this.held.clear();
  }

  private handle(idOrName: string): EnvironmentHandle {
    const handle = this.held.get(idOrName) ?? [...this.held.values()].find((h) => h.name === idOrName);
    if (!handle) {
      throw new StandinError('STANDIN_ERR_API_UNAUTHORIZED', {
        resource: `environment ${idOrName} (this MCP server holds tokens only for the environments it created)`,
      });
    }
    return handle;
  }
}
