// `stripe` in a scenario's `expect:`: how many objects of one resource the twin holds (charges,
// payment_intents, refunds…), optionally only those with some fields (metadata too).
import { Type } from '@sinclair/typebox';
import { CountSchema, countHolds, defineExpectation, describeCount, inspectAs, looselyEqual, preview } from '../../src/core/index.ts';

/** What inspect({resource}) answers (inspect.ts), as far as `stripe` reads it. */
const Objects = Type.Object({ objects: Type.Record(Type.String(), Type.Array(Type.Record(Type.String(), Type.Unknown()))) });

export const stripeExpectation = defineExpectation({
  name: 'stripe',
  description: 'objects of one resource in a stripe twin',
  fields: {
    resource: Type.String({ description: 'e.g. charges, payment_intents, refunds, customers' }),
    where: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'fields the objects must have (metadata too)' })),
    count: CountSchema,
  },
  async evaluate(spec, { twin }) {
    const { objects: collections } = await inspectAs(twin, { resource: spec.resource }, Objects);
    const objects = collections[spec.resource] ?? [];
    const matching = spec.where === undefined ? objects : objects.filter((o) => looselyEqual(spec.where, o));
    return {
      passed: countHolds(spec.count, matching.length),
      expected: `${describeCount(spec.count)} ${spec.resource}${spec.where ? ` where ${preview(spec.where)}` : ''}`,
      observed: `${matching.length} of ${objects.length} ${spec.resource} match`,
    };
  },
});
