// The scenario file, declared once: the runner validates against it, `standin up` reads its
// environment part, and schemas/scenario.schema.json (generated from it and every kind's
// expectations) lets editors validate too.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { FaultRuleInputSchema, type FaultClass } from '../core/index.ts';
import { EnvironmentSpecSchema } from '../environments/environment-spec.ts';

/** `2s`, `500ms`, `1.5s`, `1m` or a number of milliseconds. */
export const DurationSchema = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m)$' })], {
  description: 'milliseconds, or a string such as 500ms, 2s, 1m',
});

const strict = { additionalProperties: false } as const;

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

/** Every FaultClass, for `when:`; typed so a class added to the contract must be added here too. */
const FAULT_CLASSES = {
  error: true,
  delay: true,
  hang: true,
  disconnect: true,
  'answer-lost': true,
  corrupt: true,
  drop: true,
  duplicate: true,
  'forged-token': true,
} as const satisfies Record<FaultClass, true>;
export const faultClasses = Object.keys(FAULT_CLASSES) as FaultClass[];

const FaultClassSchema = Type.Union(
  faultClasses.map((c) => Type.Literal(c)),
  { description: 'a kind of fault, as twin kinds classify what explore injects' },
);

/** `when:` of an invariant: it is checked only in runs that injected a fault of one of these classes. */
export const WhenSchema = Type.Union([FaultClassSchema, Type.Array(FaultClassSchema, { minItems: 1 })], {
  description: 'checked only in explore runs that injected a fault of this class (or one of these); absent = always',
});

/** `explore:` — what `standin explore` varies besides faults, and how far it goes by default. */
export const ExploreSectionSchema = Type.Object(
  {
    vary: Type.Optional(
      Type.Object(
        {
          env: Type.Optional(
            Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.Array(Type.String(), { minItems: 1 }), {
              description:
                'run.env variables and values to try in place of the file’s: production conditions (an upgraded API version), not faults; such a run must pass expect: too',
            }),
          ),
        },
        strict,
      ),
    ),
    budget: Type.Optional(Type.Integer({ minimum: 1, description: 'runs to explore when --budget is not given (default 200)' })),
    skip: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)?$' }), {
        description: 'twins (`db`) or twin points (`bus.fetch`) not to inject faults into',
      }),
    ),
  },
  strict,
);
export type ExploreSection = Static<typeof ExploreSectionSchema>;

/**
 * The scenario with `expect` and `invariants` items of the given schemas (an invariant is an
 * expectation with an optional `when`): left open for reading a file (each item is
 * checked alone, against the runner's or its twin kind's declaration, so its errors stay precise),
 * and the union of every declaration for editors (scenario-json-schema.ts).
 */
export function scenarioSchema<E extends TSchema, I extends TSchema>(expectation: E, invariant: I) {
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
      invariants: Type.Optional(
        Type.Array(invariant, {
          description: 'expectations that hold whatever faults are injected; `standin run` checks those without `when`',
        }),
      ),
      explore: Type.Optional(ExploreSectionSchema),
      root: Type.Optional(
        Type.String({
          description: "the folder relative paths in this file name (run.cwd, twins' files), relative to the file; default its own folder",
        }),
      ),
    },
    { additionalProperties: false, title: 'Standin scenario' },
  );
}

const OpenItem = Type.Record(Type.String(), Type.Unknown());
export const ScenarioOuterSchema = scenarioSchema(OpenItem, OpenItem);
export type Scenario = Static<typeof ScenarioOuterSchema>;

export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  const n = Number(match[1]);
  return match[2] === 'ms' ? n : match[2] === 's' ? n * 1000 : n * 60_000;
}
