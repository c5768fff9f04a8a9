// The MCP server's own environments, in this process (as `standin run` does): no control API, no
// tokens to hold. Errors are the same StandinErrors the API would answer with. The agent is a client
// like any other: the files it names (a scenario `file`, twins' init files and handler modules) must
// lie under `standin mcp --files-root DIR`, the manager's apiFiles; without one, none are read.
import { StandinError, type FaultRuleInput, type JournalFilter } from '../core/index.ts';
import type { Environment } from '../environments/environment.ts';
import type { EnvironmentManager, TwinAccess } from '../environments/environment-manager.ts';
import { explore, serverBudget } from '../explore/explorer.ts';
import { parseScenario, readScenarioFile, scenarioRoot, type ScenarioFile } from '../scenario/scenario-file.ts';
import { runScenario } from '../scenario/scenario-runner.ts';
import type { EnvironmentSpecInput, EnvironmentSummary, InspectQuery, KindInfo } from '../sdk/index.ts';
import type { ExploreRequest, ScenarioSource, StandinBackend } from './standin-backend.ts';

export class LocalBackend implements StandinBackend {
  readonly where = 'this process (standin mcp)';

  constructor(private readonly manager: EnvironmentManager) {}

  async kinds(): Promise<KindInfo[]> {
    return this.manager.registry.describe();
  }

  async create(spec: EnvironmentSpecInput) {
    return (await this.manager.create(spec)).view();
  }

  async list(): Promise<EnvironmentSummary[]> {
    return this.manager.list().map((env) => {
      const { id, name, createdAt, expiresAt, twins } = env.view();
      return {
        id,
        ...(name === undefined ? {} : { name }),
        createdAt,
        ...(expiresAt === undefined ? {} : { expiresAt }),
        twins: Object.fromEntries(Object.entries(twins).map(([twin, view]) => [twin, view.kind])),
      };
    });
  }

  async get(env: string) {
    return this.env(env).view();
  }

  async reset(env: string) {
    const environment = this.env(env);
    await environment.reset();
    return environment.view();
  }

  async destroy(env: string): Promise<void> {
    await this.manager.destroy(this.env(env).id);
  }

  async addFault(env: string, rule: FaultRuleInput) {
    const environment = this.env(env);
    const added = environment.faults.add(rule, 'rule');
    return environment.faults.get(added.id)!;
  }

  async listFaults(env: string, twin?: string) {
    return this.env(env).faults.list(twin);
  }

  async removeFault(env: string, ruleId: string): Promise<void> {
    if (!this.env(env).faults.remove(ruleId)) throw new StandinError('STANDIN_ERR_FAULT_NOT_FOUND', { id: ruleId });
  }

  async queryJournal(env: string, filter: JournalFilter) {
    return this.env(env).journal.query(filter);
  }

  async inspect(env: string, twin: string, query: InspectQuery): Promise<unknown> {
    // Stringified as the API's query string would be, so a twin sees the same values either way.
    const asText = Object.fromEntries(Object.entries(query).map(([key, value]) => [key, String(value)]));
    return this.env(env).twin(twin).running.inspect(asText);
  }

  action(env: string, twin: string, verb: string, params: Record<string, unknown>): Promise<unknown> {
    return this.env(env).runAction(twin, verb, params);
  }

  async runScenario(source: ScenarioSource, seed?: number) {
    const { file, access } = await this.scenario(source);
    return runScenario(file, this.manager, { ...(seed === undefined ? {} : { seed }), ...access });
  }

  async explore(source: ScenarioSource, { budget, ...options }: ExploreRequest) {
    const { file, access } = await this.scenario(source);
    return explore(file, this.manager, { ...options, budget: serverBudget(budget, file, this.manager.limits.exploreRuns), ...access });
  }

  /**
   * The scenario read or parsed. A file under the root names its files from its own folder (or its
   * `root:`), still inside the root; text gets the manager's access.
   */
  private async scenario(source: ScenarioSource): Promise<{ file: ScenarioFile; access: { access?: Partial<TwinAccess> } }> {
    if ('path' in source) {
      const files = this.manager.apiFiles;
      const file = await readScenarioFile(files.resolve(source.path, 'file'), this.manager.registry);
      return { file, access: { access: { files: files.from(scenarioRoot(file)) } } };
    }
    return { file: await parseScenario(source.file ?? 'scenario.yaml', source.text, this.manager.registry, this.manager.limits), access: {} };
  }

  async close(): Promise<void> {
    await this.manager.close();
  }

  private env(idOrName: string): Environment {
    const env = this.manager.find(idOrName);
    if (!env) throw new StandinError('STANDIN_ERR_ENV_NOT_FOUND', { id: idOrName });
    return env;
  }
}
