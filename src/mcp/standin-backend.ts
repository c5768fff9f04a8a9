// What the MCP tools need from Standin, whichever Standin it is: the environments of this process
// (LocalBackend, the default) or a running `standin serve` reached through the SDK (RemoteBackend).
// Environments are named by id or by name; tokens never cross this interface — the backend holds them.
import type { FaultRuleInput, FaultRuleView, JournalFilter, JournalPage } from '../core/index.ts';
import type { ExploreReport } from '../explore/explore-report.ts';
import type { ScenarioReport } from '../scenario/scenario-runner.ts';
import type { EnvironmentSpecInput, EnvironmentSummary, EnvironmentView, InspectQuery, KindInfo } from '../sdk/index.ts';

/** A scenario to run: its YAML/JSON text, or a file to read. */
export type ScenarioSource = { text: string; file?: string } | { path: string };

/** How far to explore (the fields of POST /scenarios/explore besides the scenario). */
export interface ExploreRequest {
  seed?: number;
  budget?: number;
  concurrency?: number;
  maxFailures?: number;
}

export interface StandinBackend {
  /** Where environments live, for the agent: "this process" or the control API's URL. */
  readonly where: string;
  kinds(): Promise<KindInfo[]>;
  create(spec: EnvironmentSpecInput): Promise<EnvironmentView>;
  list(): Promise<EnvironmentSummary[]>;
  get(env: string): Promise<EnvironmentView>;
  reset(env: string): Promise<EnvironmentView>;
  destroy(env: string): Promise<void>;
  addFault(env: string, rule: FaultRuleInput): Promise<FaultRuleView>;
  listFaults(env: string, twin?: string): Promise<FaultRuleView[]>;
  removeFault(env: string, ruleId: string): Promise<void>;
  queryJournal(env: string, filter: JournalFilter): Promise<JournalPage>;
  inspect(env: string, twin: string, query: InspectQuery): Promise<unknown>;
  action(env: string, twin: string, verb: string, params: Record<string, unknown>): Promise<unknown>;
  runScenario(source: ScenarioSource, seed?: number): Promise<ScenarioReport>;
  /** `standin explore` of a scenario: findings come back as scenario text, nothing is written. */
  explore(source: ScenarioSource, options: ExploreRequest): Promise<ExploreReport>;
  /** Destroys what this backend created and releases its resources. */
  close(): Promise<void>;
}
