// Shapes the control API answers with. The environment views come from their one declaration
// (src/environments/environment-view.ts); the kinds and the scenario report are copies of the
// server's, which a client must not load: test/sdk/api-types-check.ts checks at compile time that
// they stay assignable to the server's own types.

export type { CreatedEnvironment, EnvironmentSummary, EnvironmentView, TwinView } from '../environments/environment-view.ts';

/** A JSON Schema document, as it arrives over the wire. */
export type JsonSchema = Record<string, unknown>;

/** One kind of `GET /kinds`: its config schema, fault points and actions. */
export interface KindInfo {
  kind: string;
  description: string;
  config: JsonSchema;
  points: Array<{ name: string; description: string; match: JsonSchema; actions: Record<string, JsonSchema> }>;
  actions: Record<string, { description: string; params: JsonSchema }>;
}

/** `POST /scenarios/run`: a scenario as YAML/JSON text or as an object. */
export interface ScenarioRunRequest {
  scenario: string | Record<string, unknown>;
  /** Name used in positions and reports; relative commands run from its folder on the server. */
  file?: string;
  seed?: number;
}

/** The report of one scenario run (src/scenario/scenario-runner.ts ScenarioReport). */
export interface ScenarioReport {
  file: string;
  name: string;
  seed: number;
  status: 'passed' | 'failed' | 'error';
  expectFailure?: string;
  error?: string;
  durationMs: number;
  sut?: {
    exitCode: number | null;
    signal: string | null;
    timedOut: boolean;
    durationMs: number;
    stdoutTail: string;
    stderrTail: string;
  };
  steps: Array<{ index: number; at: number; ok: boolean; detail: string }>;
  expectations: Array<{ index: number; type: string; name: string; passed: boolean; expected: string; observed: string }>;
  replay: string;
}
