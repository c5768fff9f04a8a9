// `topic` in a scenario's `expect:`: what a kafka twin's topic holds (how many records, their values
// in the order they were produced) and what a consumer group committed on it.
import { Type, type Static } from '@sinclair/typebox';
import { CountSchema, countHolds, defineExpectation, describeCount, inspectAs, looselyEqual, preview } from '../../src/core/index.ts';

/** The parts of inspect() (inspect.ts) that `topic` reads. */
const TopicsState = Type.Object({
  topics: Type.Array(
    Type.Object({
      name: Type.String(),
      partitions: Type.Array(
        Type.Object({
          partition: Type.Integer(),
          records: Type.Array(Type.Object({ offset: Type.Integer(), timestamp: Type.Number(), value: Type.Union([Type.String(), Type.Null()]) })),
        }),
      ),
    }),
  ),
});
const GroupsState = Type.Object({
  groups: Type.Array(
    Type.Object({ id: Type.String(), offsets: Type.Array(Type.Object({ topic: Type.String(), partition: Type.Integer(), offset: Type.Integer() })) }),
  ),
});

export const topicExpectation = defineExpectation({
  name: 'topic',
  description: "a kafka twin's topic: its records and a group's committed offsets",
  fields: {
    topic: Type.String(),
    count: Type.Optional(CountSchema),
    values: Type.Optional(Type.Array(Type.Unknown(), { description: 'record values in order (JSON values compare parsed)' })),
    committed: Type.Optional(
      Type.Object(
        { group: Type.String(), offset: Type.Optional(Type.Integer()), partition: Type.Optional(Type.Integer()) },
        { additionalProperties: false },
      ),
    ),
  },
  async evaluate(spec, { twin }) {
    const records = topicRecords(await inspectAs(twin, { topic: spec.topic, limit: Number.MAX_SAFE_INTEGER }, TopicsState), spec.topic);
    const checks: boolean[] = [];
    const wants: string[] = [];
    const observed: string[] = [`${records.length} records`];
    if (spec.count !== undefined) {
      checks.push(countHolds(spec.count, records.length));
      wants.push(`${describeCount(spec.count)} records`);
    }
    if (spec.values !== undefined) {
      const values = records.map((r) => parseMaybeJson(r.value));
      checks.push(looselyEqual(spec.values, values));
      wants.push(`values ${preview(spec.values)}`);
      observed.push(`values ${preview(values)}`);
    }
    if (spec.committed !== undefined) {
      const { group, partition } = spec.committed;
      const groups = await inspectAs(twin, { group, limit: 0 }, GroupsState);
      const offsets = committedOffsets(groups, group, spec.topic, partition);
      const total = offsets.reduce((a, b) => a + b, 0);
      const wanted = spec.committed.offset ?? records.length;
      checks.push(offsets.length > 0 && total === wanted);
      wants.push(`group ${group} committed offset ${wanted}`);
      observed.push(`committed ${offsets.length ? offsets.join('+') : 'nothing'}`);
    }
    if (wants.length === 0) {
      checks.push(records.length > 0);
      wants.push('at least one record');
    }
    return { passed: checks.every(Boolean), expected: `topic ${spec.topic}: ${wants.join(' and ')}`, observed: observed.join('; ') };
  },
});

/** A topic's records across its partitions, in the order they were produced (by timestamp). */
function topicRecords(state: Static<typeof TopicsState>, name: string): Array<{ value: string | null }> {
  const topic = state.topics.find((t) => t.name === name);
  if (!topic) return [];
  return topic.partitions
    .flatMap((p) => p.records.map((r) => ({ ...r, partition: p.partition })))
    .sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset);
}

function committedOffsets(state: Static<typeof GroupsState>, group: string, topic: string, partition: number | undefined): number[] {
  return (state.groups.find((g) => g.id === group)?.offsets ?? [])
    .filter((o) => o.topic === topic && (partition === undefined || o.partition === partition))
    .map((o) => o.offset);
}

function parseMaybeJson(value: string | null): unknown {
  if (value === null) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
