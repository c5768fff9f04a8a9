// What the control API answers about environments, declared once: the API's response schemas,
// Environment.view() and the SDK's types all come from here. Pure schemas, safe for clients.
import { Type, type Static } from '@sinclair/typebox';

const StringMap = Type.Record(Type.String(), Type.String());

export const TwinViewSchema = Type.Object({ kind: Type.String(), endpoints: StringMap, env: StringMap });
export type TwinView = Static<typeof TwinViewSchema>;

export const EnvironmentViewSchema = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  seed: Type.Integer(),
  createdAt: Type.String(),
  expiresAt: Type.Optional(Type.String()),
  twins: Type.Record(Type.String(), TwinViewSchema),
  env: StringMap,
});
export type EnvironmentView = Static<typeof EnvironmentViewSchema>;

export const CreatedEnvironmentSchema = Type.Composite([
  EnvironmentViewSchema,
  Type.Object({ token: Type.String({ description: 'send as `Authorization: Bearer <token>` to /environments/:id/…' }) }),
]);
export type CreatedEnvironment = Static<typeof CreatedEnvironmentSchema>;

/** One row of `GET /environments`: no token, twin name → kind. */
export const EnvironmentSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  createdAt: Type.String(),
  expiresAt: Type.Optional(Type.String()),
  twins: Type.Record(Type.String(), Type.String(), { description: 'twin name → kind' }),
});
export type EnvironmentSummary = Static<typeof EnvironmentSummarySchema>;
