// Response and parameter schemas shared by the routes. Request bodies come from where their shape
// is defined (environment-spec.ts, fault-rule.ts) so each is declared once.
import { Type } from '@sinclair/typebox';

export const ErrorSchema = Type.Object(
  { code: Type.String(), message: Type.String(), statusCode: Type.Integer() },
  { $id: 'StandinError', description: 'every error: a STANDIN_ERR_* code, a message naming the field or thing at fault' },
);

export const EnvParamsSchema = Type.Object({ id: Type.String() });
export const TwinParamsSchema = Type.Object({ id: Type.String(), name: Type.String() });

export { CreatedEnvironmentSchema, EnvironmentSummarySchema, EnvironmentViewSchema, TwinViewSchema } from '../environments/environment-view.ts';

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

/** `{4xx: ErrorSchema}` for the statuses a route can fail with. */
export function errors(...statuses: number[]): Record<number, typeof ErrorSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorSchema]));
}
