// `http` in a scenario's `expect:`: how many requests (by method and path) the twin received, read
// from its journal so requests past the twin's own request log still count.
import { Type } from '@sinclair/typebox';
import { CountSchema, countHolds, defineExpectation, describeCount, matchFields } from '../../src/core/index.ts';

export const httpExpectation = defineExpectation({
  name: 'http',
  description: 'requests an http twin received',
  fields: {
    method: Type.Optional(Type.String()),
    path: Type.Optional(Type.String({ description: "the request's path, without its query" })),
    count: CountSchema,
  },
  async evaluate(spec, { events }) {
    const match: Record<string, unknown> = {};
    if (spec.method !== undefined) match.method = spec.method.toUpperCase();
    if (spec.path !== undefined) match.path = spec.path;
    const requests = events({ type: 'request' }).filter((e) => matchFields(match, e.data ?? {}));
    return {
      passed: countHolds(spec.count, requests.length),
      expected: `${describeCount(spec.count)} ${spec.method ?? 'any'} ${spec.path ?? '*'} requests to ${spec.twin}`,
      observed: `${requests.length} requests`,
    };
  },
});
