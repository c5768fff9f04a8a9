// The shapes users write: stubs (WireMock-like), their request patterns and responses. TypeBox
// schemas, so the API edge and scenario files validate them the same way the twin does.
import { Type, type Static } from '@sinclair/typebox';

/** A string is shorthand for `{equalTo}`; every given key must hold. */
export const ValueMatcherSchema = Type.Union([
  Type.String(),
  Type.Object(
    {
      equalTo: Type.Optional(Type.String()),
      contains: Type.Optional(Type.String()),
      matches: Type.Optional(Type.String({ description: 'regular expression the whole value must match' })),
      absent: Type.Optional(Type.Boolean({ description: 'true: must be missing; false: must be present' })),
    },
    { additionalProperties: false },
  ),
]);
export type ValueMatcherInput = Static<typeof ValueMatcherSchema>;

/** A string is shorthand for `{equalTo}`. */
export const BodyMatcherSchema = Type.Union([
  Type.String(),
  Type.Object(
    {
      equalTo: Type.Optional(Type.String()),
      contains: Type.Optional(Type.String()),
      matches: Type.Optional(Type.String({ description: 'regular expression the whole body must match' })),
      json: Type.Optional(
        Type.Unknown({
          description: 'partial JSON: objects match as subsets, arrays element by element with equal length',
        }),
      ),
    },
    { additionalProperties: false },
  ),
]);
export type BodyMatcherInput = Static<typeof BodyMatcherSchema>;

export const RequestPatternSchema = Type.Object(
  {
    method: Type.Optional(Type.String({ description: 'GET, POST…; absent or ANY = every method' })),
    path: Type.Optional(Type.String({ description: 'exact path, or a template with :param segments and * wildcards' })),
    pathPattern: Type.Optional(Type.String({ description: 'regular expression the whole path must match; named groups become params' })),
    query: Type.Optional(Type.Record(Type.String(), ValueMatcherSchema)),
    headers: Type.Optional(Type.Record(Type.String(), ValueMatcherSchema)),
    body: Type.Optional(BodyMatcherSchema),
  },
  { additionalProperties: false },
);
export type RequestPatternInput = Static<typeof RequestPatternSchema>;

export const StubResponseSchema = Type.Object(
  {
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599, default: 200 })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    body: Type.Optional(Type.Unknown({ description: 'a string is sent as is; anything else as JSON' })),
    delayMs: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type StubResponseInput = Static<typeof StubResponseSchema>;

export const StubSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'generated (s1, s2, …) when absent' })),
    request: RequestPatternSchema,
    response: Type.Optional(StubResponseSchema),
    responses: Type.Optional(
      Type.Array(StubResponseSchema, { minItems: 1, description: 'served in order; the last one repeats' }),
    ),
    scenarioName: Type.Optional(Type.String({ minLength: 1 })),
    requiredScenarioState: Type.Optional(Type.String({ minLength: 1 })),
    newScenarioState: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type StubInput = Static<typeof StubSchema>;

/** WireMock's initial scenario state. */
export const STARTED = 'Started';
