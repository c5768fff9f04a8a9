// Shapes the control API answers with that have no TypeBox schema the SDK may import: the
// environment views are declared by the API layer (src/api/schemas.ts) and src/environments/
// environment.ts, which a client must not load. test/sdk/api-types.test.ts checks at compile time
// that these stay assignable both ways to the server's own types. Request shapes (EnvironmentSpec,
// FaultRuleInput, JournalFilter) and the journal/fault views come from their one declaration.

export interface TwinView {
  kind: string;
  endpoints: Record<string, string>;
  env: Record<string, string>;
}

export interface EnvironmentView {
  id: string;
  name?: string;
  seed: number;
  createdAt: string;
  expiresAt?: string;
  twins: Record<string, TwinView>;
  env: Record<string, string>;
}

export interface CreatedEnvironment extends EnvironmentView {
  token: string;
}

/** One row of `GET /environments` (no token, twin name → kind). */
export interface EnvironmentSummary {
  id: string;
  name?: string;
  createdAt: string;
  expiresAt?: string;
  twins: Record<string, string>;
}

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
