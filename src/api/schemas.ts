// The control API's parameter and response schemas, and the types a client reads from them (the SDK
// imports these types; it loads no server code). Request bodies come from where their shape is
// defined (environment-spec.ts, fault-rule.ts) so each is declared once.
import { Type, type Static } from '@sinclair/typebox';
import { FaultRuleViewSchema } from '../core/index.ts';
import { EnvironmentSummarySchema } from '../environments/environment-view.ts';

export const ErrorSchema = Type.Object(
  { code: Type.String(), message: Type.String(), statusCode: Type.Integer() },
  { $id: 'StandinError', description: 'every error: a STANDIN_ERR_* code, a message naming the field or thing at fault' },
);

export const EnvParamsSchema = Type.Object({ id: Type.String() });
export const TwinParamsSchema = Type.Object({ id: Type.String(), name: Type.String() });

export const RuleParamsSchema = Type.Object({ id: Type.String(), ruleId: Type.String() });
export const ActionParamsSchema = Type.Object({ id: Type.String(), name: Type.String(), verb: Type.String() });

export { CreatedEnvironmentSchema, EnvironmentSummarySchema, EnvironmentViewSchema, TwinViewSchema } from '../environments/environment-view.ts';
export { FaultRuleViewSchema };

export const HealthSchema = Type.Object({ status: Type.Literal('ok'), version: Type.String(), environments: Type.Integer() });
export type Health = Static<typeof HealthSchema>;

export const VersionSchema = Type.Object({
  version: Type.String(),
  name: Type.Optional(Type.Literal('standin')),
  toxiproxy: Type.Optional(Type.String()),
});

export const EnvironmentListSchema = Type.Object({ environments: Type.Array(EnvironmentSummarySchema) });
export type EnvironmentList = Static<typeof EnvironmentListSchema>;

export const FaultRuleListSchema = Type.Object({ rules: Type.Array(FaultRuleViewSchema) });

export const JournalEventSchema = Type.Object({
  seq: Type.Integer(),
  time: Type.Number(),
  twin: Type.String(),
  point: Type.Optional(Type.String({ description: 'the fault point; only events at a fault point have one' })),
  type: Type.String(),
  summary: Type.String(),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  fault: Type.Optional(Type.Object({ rule: Type.String(), action: Type.String() })),
});

export const JournalQuerySchema = Type.Object(
  {
    twin: Type.Optional(Type.String()),
    point: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    rule: Type.Optional(Type.String()),
    since: Type.Optional(Type.Integer({ minimum: 0, description: 'only events with a greater seq' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

export const JournalPageSchema = Type.Object({
  events: Type.Array(JournalEventSchema),
  dropped: Type.Integer({ description: 'events removed (past journalCapacity or journalBytes, or by a reset): lastSeq - dropped are kept' }),
  lastSeq: Type.Integer(),
});

export const TwinStateSchema = Type.Object({ kind: Type.String(), state: Type.Unknown({ description: "the twin kind's own shape (rows, requests, payments…)" }) });
export type TwinState = Static<typeof TwinStateSchema>;

export const ActionResultSchema = Type.Object({ result: Type.Unknown({ description: "the action's own answer" }) });
export type ActionResult = Static<typeof ActionResultSchema>;

/** A JSON Schema document as the API sends it. */
const JsonSchemaSchema = Type.Record(Type.String(), Type.Unknown(), { description: 'a JSON Schema' });

export const KindInfoSchema = Type.Object({
  kind: Type.String(),
  description: Type.String(),
  config: JsonSchemaSchema,
  points: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      match: JsonSchemaSchema,
      actions: Type.Record(Type.String(), JsonSchemaSchema, { description: 'action name → its parameters' }),
    }),
  ),
  actions: Type.Record(Type.String(), Type.Object({ description: Type.String(), params: JsonSchemaSchema }), { description: 'verb → its parameters' }),
  expectations: Type.Record(Type.String(), Type.Object({ description: Type.String(), schema: JsonSchemaSchema }), {
    description: "scenario expectations the kind declares: the key an `expect:` item is written with → its fields",
  }),
});
/** One kind of `GET /kinds`: its config schema, fault points and actions. */
export type KindInfo = Static<typeof KindInfoSchema>;

export const KindListSchema = Type.Object({ kinds: Type.Array(KindInfoSchema) });
export type KindList = Static<typeof KindListSchema>;

/** `POST /scenarios/run`: a scenario as YAML/JSON text or as an object. */
export const ScenarioRunRequestSchema = Type.Object(
  {
    scenario: Type.Union([Type.String({ description: 'YAML or JSON text' }), Type.Record(Type.String(), Type.Unknown())]),
    file: Type.Optional(Type.String({ description: 'name used in positions and reports; relative commands run from its folder' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
  },
  { additionalProperties: false },
);
export type ScenarioRunRequest = Static<typeof ScenarioRunRequestSchema>;

/** `POST /scenarios/explore`: the run request's fields, and how far to explore. */
export const ScenarioExploreRequestSchema = Type.Object(
  {
    ...ScenarioRunRequestSchema.properties,
    budget: Type.Optional(
      Type.Integer({ minimum: 1, description: "runs with injected faults; default the scenario's explore.budget, else 200 (at most --limit-explore-runs)" }),
    ),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, description: 'environments exploring side by side (default 2)' })),
    maxFailures: Type.Optional(Type.Integer({ minimum: 1, description: 'stop once this many schedules broke an invariant (default 1)' })),
  },
  { additionalProperties: false },
);
export type ScenarioExploreRequest = Static<typeof ScenarioExploreRequestSchema>;

/** `POST /scenarios/explore` answers with the explorer's own report schema. */
export type { ExploreReport } from '../explore/explore-report.ts';

/** The report of one scenario run (what src/scenario/scenario-runner.ts's runScenario answers). */
export const ScenarioReportSchema = Type.Object({
  file: Type.String(),
  name: Type.String(),
  seed: Type.Integer(),
  status: Type.Union([Type.Literal('passed'), Type.Literal('failed'), Type.Literal('error')]),
  expectFailure: Type.Optional(Type.String({ description: 'the bug an expectFailure scenario demonstrates, when it was caught' })),
  error: Type.Optional(Type.String()),
  durationMs: Type.Number(),
  sut: Type.Optional(
    Type.Object({
      exitCode: Type.Union([Type.Integer(), Type.Null()]),
      signal: Type.Union([Type.String(), Type.Null()]),
      timedOut: Type.Boolean(),
      durationMs: Type.Number(),
      stdoutTail: Type.String(),
      stderrTail: Type.String(),
    }),
  ),
  steps: Type.Array(Type.Object({ index: Type.Integer(), at: Type.Number(), ok: Type.Boolean(), detail: Type.String() })),
  expectations: Type.Array(
    Type.Object({
      index: Type.Integer(),
      invariant: Type.Optional(Type.Boolean({ description: 'an item of invariants: (index into that list), not of expect:' })),
      type: Type.String({ description: 'the key it is written with (exitCode, journal, sql, topic…)' }),
      name: Type.String(),
      passed: Type.Boolean(),
      expected: Type.String(),
      observed: Type.String(),
    }),
  ),
  replay: Type.String({ description: 'the command that runs it again with the same seed' }),
});
export type ScenarioReport = Static<typeof ScenarioReportSchema>;

/** `{4xx: ErrorSchema}` for the statuses a route can fail with. */
export function errors(...statuses: number[]): Record<number, typeof ErrorSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorSchema]));
}
