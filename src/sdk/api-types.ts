// Shapes the control API answers with, as the SDK reads them: the static types of the API's own
// response schemas (src/api/schemas.ts, src/environments/environment-view.ts), imported as types
// only, so the SDK loads no server code and cannot drift from what the server declares.

export type { CreatedEnvironment, EnvironmentSummary, EnvironmentView, TwinView } from '../environments/environment-view.ts';
export type {
  ActionResult,
  EnvironmentList,
  ExploreReport,
  Health,
  KindInfo,
  KindList,
  ScenarioExploreRequest,
  ScenarioReport,
  ScenarioRunRequest,
  TwinState,
} from '../api/schemas.ts';

/** A JSON Schema document, as it arrives over the wire (a kind's config, a point's match…). */
export type JsonSchema = Record<string, unknown>;
