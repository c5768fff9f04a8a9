// The scenario file, declared once: the runner validates against it, `standin up` reads its
// environment part, and schemas/scenario.schema.json (generated from it) lets editors validate too.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { FaultRuleInputSchema } from '../core/index.ts';
import { EnvironmentSpecSchema } from '../environments/environment-spec.ts';

/** `2s`, `500ms`, `1.5s`, `1m` or a number of milliseconds. */
export const DurationSchema = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m)$' })], {
  description: 'milliseconds, or a string such as 500ms, 2s, 1m',
});

const TextMatchSchema = Type.Union([
  Type.String({ description: 'the output contains this text' }),
  Type.Object(
    {
      contains: Type.Optional(Type.String()),
      notContains: Type.Optional(Type.String()),
      matches: Type.Optional(Type.String({ description: 'a regular expression' })),
    },
    { additionalProperties: false },
  ),
]);

const CountSchema = Type.Union([
  Type.Integer({ minimum: 0 }),
  Type.Object(
    { min: Type.Optional(Type.Integer({ minimum: 0 })), max: Type.Optional(Type.Integer({ minimum: 0 })) },
    { additionalProperties: false },
  ),
]);

const strict = { additionalProperties: false } as const;

/** Each expectation is an object with exactly one of these keys. */
export const ExpectationSchemas = {
  exitCode: Type.Integer({ description: 'the command exits with this code' }),
  stdout: TextMatchSchema,
  stderr: TextMatchSchema,
  journal: Type.Object(
    {
      twin: Type.Optional(Type.String()),
      point: Type.Optional(Type.String()),
      type: Type.Optional(Type.String({ description: 'default: request' })),
      rule: Type.Optional(Type.String()),
      match: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "fields of the event's data" })),
      count: Type.Optional(CountSchema),
      sameHeader: Type.Optional(Type.String({ description: 'every matching request carries the same value of this header' })),
      minGapMs: Type.Optional(Type.Number({ minimum: 0, description: 'consecutive matching events are at least this far apart' })),
      order: Type.Optional(
        Type.Array(Type.Record(Type.String(), Type.Unknown()), {
          description: 'events matching each of these, in this order (others may come between)',
        }),
      ),
    },
    strict,
  ),
  sql: Type.Object(
    {
      twin: Type.String(),
      query: Type.String(),
      rows: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
      count: Type.Optional(CountSchema),
    },
    strict,
  ),
  topic: Type.Object(
    {
      twin: Type.String(),
      topic: Type.String(),
      count: Type.Optional(CountSchema),
      values: Type.Optional(Type.Array(Type.Unknown(), { description: 'record values in order (JSON values compare parsed)' })),
      committed: Type.Optional(
        Type.Object({ group: Type.String(), offset: Type.Optional(Type.Integer()), partition: Type.Optional(Type.Integer()) }, strict),
      ),
    },
    strict,
  ),
  stripe: Type.Object(
    {
      twin: Type.String(),
      resource: Type.String({ description: 'e.g. charges, payment_intents, refunds, customers' }),
      where: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'fields the objects must have (metadata too)' })),
      count: CountSchema,
    },
    strict,
  ),
  http: Type.Object(
    {
      twin: Type.String(),
      method: Type.Optional(Type.String()),
      path: Type.Optional(Type.String()),
      count: CountSchema,
    },
    strict,
  ),
} as const satisfies Record<string, TSchema>;

export type ExpectationType = keyof typeof ExpectationSchemas;

export const ExpectationSchema = Type.Union(
  Object.entries(ExpectationSchemas).map(([key, schema]) =>
    Type.Object({ [key]: schema, name: Type.Optional(Type.String()) }, strict),
  ),
);
export type Expectation = { name?: string } & { [K in ExpectationType]?: Static<(typeof ExpectationSchemas)[K]> };

export const StepSchema = Type.Object(
  {
    at: DurationSchema,
    addFault: Type.Optional(FaultRuleInputSchema),
    removeFault: Type.Optional(Type.String({ description: 'id of a rule to remove' })),
    action: Type.Optional(
      Type.Object(
        { twin: Type.String(), verb: Type.String(), params: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
        strict,
      ),
    ),
  },
  strict,
);
export type Step = Static<typeof StepSchema>;

/** An action run before the command, whose result fields can be exported to the command's env. */
export const SetupSchema = Type.Object(
  {
    twin: Type.String(),
    verb: Type.String({ description: "one of the twin kind's actions, e.g. mint-token, produce, trigger" }),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    env: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
        description: 'VAR: dotted path in the action result, e.g. {ORDER_TOKEN: token}',
      }),
    ),
  },
  strict,
);
export type Setup = Static<typeof SetupSchema>;

export const RunSchema = Type.Object(
  {
    command: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String(), { minItems: 1 })], {
      description: 'a shell command line, or argv',
    }),
    cwd: Type.Optional(Type.String({ description: "relative to the scenario file's folder" })),
    env: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'added to the twins’ env; ${NAME} is replaced by a twin env var' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'default 60000; a hung command is killed' })),
  },
  strict,
);

/** The scenario with `expect` items as given; the file reader checks each item against its own key's schema. */
function scenarioSchema<E extends TSchema>(expectation: E) {
  return Type.Object(
    {
      $schema: Type.Optional(Type.String()),
      name: Type.String({ minLength: 1 }),
      description: Type.Optional(Type.String()),
      seed: EnvironmentSpecSchema.properties.seed,
      journalCapacity: EnvironmentSpecSchema.properties.journalCapacity,
      expectFailure: Type.Optional(
        Type.String({ minLength: 1, description: 'this scenario demonstrates a bug: it passes when an expectation fails; say which bug' }),
      ),
      twins: EnvironmentSpecSchema.properties.twins,
      faults: EnvironmentSpecSchema.properties.faults,
      setup: Type.Optional(Type.Array(SetupSchema, { description: 'twin actions run before the command, in order' })),
      steps: Type.Optional(Type.Array(StepSchema)),
      run: Type.Optional(RunSchema),
      expect: Type.Optional(Type.Array(expectation)),
    },
    { additionalProperties: false, title: 'Standin scenario' },
  );
}

/** The full schema, for editors (schemas/scenario.schema.json). */
export const ScenarioSchema = scenarioSchema(ExpectationSchema);
/** The same with expectations left open, so each can be checked alone and its errors stay precise. */
export const ScenarioOuterSchema = scenarioSchema(Type.Record(Type.String(), Type.Unknown()));
export type Scenario = Omit<Static<typeof ScenarioOuterSchema>, 'expect'> & { expect?: Expectation[] };

export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  const n = Number(match[1]);
  return match[2] === 'ms' ? n : match[2] === 's' ? n * 1000 : n * 60_000;
}
