// schemas/scenario.schema.json is generated (`npm run schemas`) from the scenario schema with every
// expectation an item can be: the runner's own and each twin kind's. It needs every kind loaded,
// which a server never does at start, so it is built then and not at run time;
// test/scenario/json-schema.test.ts checks the file is current.
import { Type, type TSchema } from '@sinclair/typebox';
import type { TwinKind } from '../core/index.ts';
import { kindExpectations } from './expectations/checked-expectations.ts';
import { runnerExpectations } from './expectations/index.ts';
import { WhenSchema, scenarioSchema } from './scenario-schema.ts';

export function scenarioJsonSchema(kinds: readonly TwinKind[]): Record<string, unknown> {
  const items = [
    ...Object.entries(runnerExpectations).map(([key, { schema }]) => ({ key, schema })),
    ...[...kindExpectations(kinds)].map(([key, { expectation }]) => ({ key, schema: expectation.schema })),
  ];
  const union = (extra: Record<string, TSchema>) =>
    Type.Union(items.map(({ key, schema }) => Type.Object({ [key]: schema, name: Type.Optional(Type.String()), ...extra }, { additionalProperties: false })));
  const schema: Record<string, unknown> = JSON.parse(JSON.stringify(scenarioSchema(union({}), union({ when: Type.Optional(WhenSchema) }))));
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: 'https://standin.dev/schemas/scenario.schema.json', ...schema };
}
