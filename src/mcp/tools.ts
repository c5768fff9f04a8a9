// The MCP tools: one per thing an agent does with Standin. Each declares its input as a TypeBox
// schema — the API's own where one exists (EnvironmentSpecSchema, FaultRuleInputSchema,
// JournalQuerySchema) — which is both the JSON Schema the agent sees and what its arguments are
// checked against, so a bad argument is refused naming the field, as the API would.
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { FaultRuleInputSchema, StandinError } from '../core/index.ts';
import { EnvironmentSpecSchema } from '../environments/environment-spec.ts';
import { JournalQuerySchema } from '../api/schemas.ts';
import { formatExploreReport } from '../explore/explore-report.ts';
import { formatScenario } from '../scenario/report.ts';
import type { KindInfo } from '../sdk/index.ts';
import type { ScenarioSource, StandinBackend } from './standin-backend.ts';

export interface ToolOutput {
  /** Sent as structured content and, serialized, as text. */
  result: Record<string, unknown>;
  /** A readable form put before the JSON text (e.g. a scenario report). */
  summary?: string;
}

export interface ToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
}

export interface ToolDefinition<S extends TObject = TObject> {
  name: string;
  description: string;
  input: S;
  hints: ToolHints;
  // Method syntax: a tool of a specific input is usable where any tool is expected.
  run(backend: StandinBackend, input: Static<S>): Promise<ToolOutput>;
}

const Env = Type.String({ minLength: 1, description: 'the environment: its id (env_…) or its name' });
const Twin = Type.String({ minLength: 1, description: "the twin's name in the environment" });
const strict = { additionalProperties: false } as const;

/** A journal answer for an agent's context: capped unless it asks for more. */
const DEFAULT_JOURNAL_LIMIT = 100;

/** A scenario given to a tool: its text, or a file to read. */
const ScenarioInput = Type.Object(
  {
    yaml: Type.Optional(Type.String({ description: 'the scenario as YAML (or JSON) text' })),
    file: Type.Optional(
      Type.String({
        description:
          'a scenario file to read, under the folder `standin mcp --files-root` names (relative to it); with `yaml`, the name used in reports (relative commands run from its folder)',
      }),
    ),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'replay with this seed' })),
  },
  strict,
);

function scenarioSource(yaml: string | undefined, file: string | undefined): ScenarioSource {
  if (yaml !== undefined) return { text: yaml, ...(file === undefined ? {} : { file }) };
  if (file !== undefined) return { path: file };
  throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: 'yaml: give the scenario as yaml text or a file path' });
}

/** Infers each tool's input type from its schema; the list holds them as plain ToolDefinitions. */
function define<S extends TObject>(tool: ToolDefinition<S>): ToolDefinition {
  return tool;
}

export const tools: readonly ToolDefinition[] = [
  define({
    name: 'list_kinds',
    description:
      'Twin kinds this Standin has (postgres, kafka, oidc, stripe, http, tcp…): fault points with the match fields and actions each accepts, and twin actions. ' +
      'Give `kind` for the full JSON Schemas of that kind (its config, each point’s match and action parameters, each action’s parameters).',
    input: Type.Object({ kind: Type.Optional(Type.String({ description: 'one kind, in full' })) }, strict),
    hints: { readOnlyHint: true },
    async run(backend, { kind }) {
      const kinds = await backend.kinds();
      if (kind === undefined) return { result: { kinds: kinds.map(summarizeKind) } };
      const found = kinds.find((k) => k.kind === kind);
      if (!found) {
        throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `kind: unknown twin kind ${kind}; known kinds: ${kinds.map((k) => k.kind).join(', ')}` });
      }
      return { result: { ...found } };
    },
  }),
  define({
    name: 'create_environment',
    description:
      'Create and start an environment: named twins ({"twins": {"api": {"kind": "http", "stubs": [...]}}}), optional seed, TTL and initial fault rules. ' +
      'Answers each twin’s endpoints (URLs the system under test connects to) and the merged env vars for it. The token is kept by this server.',
    input: EnvironmentSpecSchema,
    hints: {},
    async run(backend, spec) {
      return { result: { ...(await backend.create(spec)) } };
    },
  }),
  define({
    name: 'list_environments',
    description: 'Live environments: id, name, twins (name → kind), creation and expiry times.',
    input: Type.Object({}, strict),
    hints: { readOnlyHint: true },
    async run(backend) {
      return { result: { environments: await backend.list() } };
    },
  }),
  define({
    name: 'get_environment',
    description: 'One environment: seed, twins with their endpoints and env vars, the merged env for the system under test.',
    input: Type.Object({ environment: Env }, strict),
    hints: { readOnlyHint: true },
    async run(backend, { environment }) {
      return { result: { ...(await backend.get(environment)) } };
    },
  }),
  define({
    name: 'destroy_environment',
    description: 'Stop every twin of an environment and forget it.',
    input: Type.Object({ environment: Env }, strict),
    hints: { destructiveHint: true },
    async run(backend, { environment }) {
      await backend.destroy(environment);
      return { result: { destroyed: environment } };
    },
  }),
  define({
    name: 'reset_environment',
    description: 'Twins back to their state right after start, fault rules back to the initial set, journal emptied (sequence numbers go on).',
    input: Type.Object({ environment: Env }, strict),
    hints: { destructiveHint: true, idempotentHint: true },
    async run(backend, { environment }) {
      return { result: { ...(await backend.reset(environment)) } };
    },
  }),
  define({
    name: 'add_fault',
    description:
      'Add a fault rule {twin, point, match?, action, trigger?} to an environment, e.g. ' +
      '{"twin": "api", "point": "request", "match": {"path": "/pay"}, "action": {"error": {"status": 503}}, "trigger": {"times": 2}}. ' +
      'Points and actions per kind: list_kinds. Each firing is a `fault` event in the journal with the rule id.',
    input: Type.Object({ environment: Env, rule: FaultRuleInputSchema }, strict),
    hints: {},
    async run(backend, { environment, rule }) {
      return { result: { ...(await backend.addFault(environment, rule)) } };
    },
  }),
  define({
    name: 'list_faults',
    description: 'Fault rules of an environment with their matched and fired counters.',
    input: Type.Object({ environment: Env, twin: Type.Optional(Twin) }, strict),
    hints: { readOnlyHint: true },
    async run(backend, { environment, twin }) {
      return { result: { rules: await backend.listFaults(environment, twin) } };
    },
  }),
  define({
    name: 'remove_fault',
    description: 'Remove one fault rule by id.',
    input: Type.Object({ environment: Env, ruleId: Type.String({ minLength: 1, description: 'the rule’s id (r1, r2, … or the id given)' }) }, strict),
    hints: { destructiveHint: true },
    async run(backend, { environment, ruleId }) {
      await backend.removeFault(environment, ruleId);
      return { result: { removed: ruleId } };
    },
  }),
  define({
    name: 'query_journal',
    description:
      'Journal events of an environment, oldest first: requests, responses, fired faults (type "fault", with fault.rule), state changes. ' +
      `Filter by twin, point, type, rule; \`since\` a seq for only newer events; \`limit\` (default ${DEFAULT_JOURNAL_LIMIT}). ` +
      '`lastSeq` in the answer is where to continue from; `dropped` counts events removed (past the journal capacity or byte bound, or by a reset).',
    input: Type.Object({ environment: Env, ...JournalQuerySchema.properties }, strict),
    hints: { readOnlyHint: true },
    async run(backend, { environment, ...filter }) {
      return { result: { ...(await backend.queryJournal(environment, { limit: DEFAULT_JOURNAL_LIMIT, ...filter })) } };
    },
  }),
  define({
    name: 'inspect_twin',
    description:
      'A twin’s state: http requests and stubs, postgres rows (query {table} or {sql}), kafka topics, stripe objects… `query` is passed to the twin as its inspect parameters.',
    input: Type.Object(
      {
        environment: Env,
        twin: Twin,
        query: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { description: 'kind-specific, e.g. {"path": "/pay"}' })),
      },
      strict,
    ),
    hints: { readOnlyHint: true },
    async run(backend, { environment, twin, query }) {
      return { result: { twin, state: await backend.inspect(environment, twin, query ?? {}) } };
    },
  }),
  define({
    name: 'twin_action',
    description: 'Run a twin kind’s action (http add-stub, kafka produce, oidc mint-token, stripe trigger…; see list_kinds) and answer its result.',
    input: Type.Object(
      {
        environment: Env,
        twin: Twin,
        verb: Type.String({ minLength: 1, description: 'the action, e.g. add-stub' }),
        params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the action’s parameters' })),
      },
      strict,
    ),
    hints: {},
    async run(backend, { environment, twin, verb, params }) {
      return { result: { result: await backend.action(environment, twin, verb, params ?? {}) } };
    },
  }),
  define({
    name: 'run_scenario',
    description:
      'Run a scenario — twins, faults, a command that is the system under test, expectations — in its own environment, and answer its report ' +
      '(status, seed, each expectation with what was observed, a replay command). Give `yaml` (the file’s text) or `file` (a path). ' +
      'The command runs on the machine Standin runs on.',
    input: ScenarioInput,
    hints: {},
    async run(backend, { yaml, file, seed }) {
      const report = await backend.runScenario(scenarioSource(yaml, file), seed);
      return { result: { ...report }, summary: formatScenario(report) };
    },
  }),
  define({
    name: 'explore',
    description:
      'Search the faults that could break a passing scenario’s `invariants:` (standin explore): run it once without faults, then inject each twin kind’s ' +
      'protocol-native faults at each interaction the system had (the Nth request, query, produce…), singly then in pairs, within `budget` runs. ' +
      'Answers every run (fault → outcome: violated, held, not-reached, error) and each finding shrunk to a minimal schedule, with the scenario file ' +
      'that replays it (as text, in `findings[].scenario`). Give `yaml` or `file` as for run_scenario. Takes a run of the command per budget unit.',
    input: Type.Object(
      {
        ...ScenarioInput.properties,
        budget: Type.Optional(Type.Integer({ minimum: 1, description: 'runs with injected faults (default the file’s explore.budget, else 200)' })),
        concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, description: 'environments exploring side by side (default 2)' })),
        maxFailures: Type.Optional(Type.Integer({ minimum: 1, description: 'stop once this many schedules broke an invariant (default 1)' })),
      },
      strict,
    ),
    hints: {},
    async run(backend, { yaml, file, ...options }) {
      const report = await backend.explore(scenarioSource(yaml, file), options);
      return { result: { ...report }, summary: formatExploreReport(report, 40) };
    },
  }),
];

/** A kind in a few lines: what an agent needs to choose points and actions. */
function summarizeKind(kind: KindInfo): Record<string, unknown> {
  return {
    kind: kind.kind,
    description: kind.description,
    points: Object.fromEntries(
      kind.points.map((point) => [
        point.name,
        { description: point.description, match: Object.keys((point.match.properties as Record<string, unknown> | undefined) ?? {}), actions: Object.keys(point.actions) },
      ]),
    ),
    actions: Object.fromEntries(Object.entries(kind.actions).map(([verb, action]) => [verb, action.description])),
  };
}
