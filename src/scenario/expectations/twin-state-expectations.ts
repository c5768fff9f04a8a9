// sql, topic, stripe, http: what the system under test left in the twins, read with each twin's
// own inspect(). These are the only places the runner knows a twin kind's inspect vocabulary.
import type { Static } from '@sinclair/typebox';
import { matchFields } from '../../core/index.ts';
import type { ExpectationSchemas } from '../scenario-schema.ts';
import { countHolds, describeCount, looselyEqual, preview, type Evaluate, type ExpectationContext } from './expectation.ts';

type Specs = { [K in keyof typeof ExpectationSchemas]: Static<(typeof ExpectationSchemas)[K]> };

function twinOfKind(ctx: ExpectationContext, name: string, kind: string) {
  const twin = ctx.env.twin(name);
  if (twin.kind.kind !== kind) {
    throw new Error(`twin ${name} is a ${twin.kind.kind} twin, not ${kind}`);
  }
  return twin.running;
}

export const sql: Evaluate<Specs['sql']> = async (spec, ctx) => {
  // The postgres twin answers a read-only query as {rows, …}.
  const { rows } = (await twinOfKind(ctx, spec.twin, 'postgres').inspect({ sql: spec.query })) as { rows: Record<string, unknown>[] };
  const checks: boolean[] = [];
  const wants: string[] = [];
  if (spec.rows !== undefined) {
    checks.push(looselyEqual(spec.rows, rows));
    wants.push(`rows ${preview(spec.rows)}`);
  }
  if (spec.count !== undefined) {
    checks.push(countHolds(spec.count, rows.length));
    wants.push(`${describeCount(spec.count)} rows`);
  }
  if (wants.length === 0) {
    checks.push(rows.length > 0);
    wants.push('at least one row');
  }
  return { passed: checks.every(Boolean), expected: `${spec.query} → ${wants.join(' and ')}`, observed: `rows ${preview(rows)}` };
};

export const topic: Evaluate<Specs['topic']> = async (spec, ctx) => {
  const kafka = twinOfKind(ctx, spec.twin, 'kafka');
  const state = (await kafka.inspect({ topic: spec.topic, limit: Number.MAX_SAFE_INTEGER })) as KafkaState;
  const records = topicRecords(state, spec.topic);
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
    const groupState = (await kafka.inspect({ group: spec.committed.group, limit: 0 })) as KafkaState;
    const offsets = committedOffsets(groupState, spec.committed.group, spec.topic, spec.committed.partition);
    const total = offsets.reduce((a, b) => a + b, 0);
    const wanted = spec.committed.offset ?? records.length;
    checks.push(offsets.length > 0 && total === wanted);
    wants.push(`group ${spec.committed.group} committed offset ${wanted}`);
    observed.push(`committed ${offsets.length ? offsets.join('+') : 'nothing'}`);
  }
  if (wants.length === 0) {
    checks.push(records.length > 0);
    wants.push('at least one record');
  }
  return { passed: checks.every(Boolean), expected: `topic ${spec.topic}: ${wants.join(' and ')}`, observed: observed.join('; ') };
};

export const stripe: Evaluate<Specs['stripe']> = async (spec, ctx) => {
  // The stripe twin answers {objects: {<resource>: [...]}, events, deliveries}.
  const state = (await twinOfKind(ctx, spec.twin, 'stripe').inspect({ resource: spec.resource })) as { objects: Record<string, Record<string, unknown>[]> };
  const objects = state.objects[spec.resource] ?? [];
  const matching = spec.where === undefined ? objects : objects.filter((o) => looselyEqual(spec.where, o));
  return {
    passed: countHolds(spec.count, matching.length),
    expected: `${describeCount(spec.count)} ${spec.resource}${spec.where ? ` where ${preview(spec.where)}` : ''}`,
    observed: `${matching.length} of ${objects.length} ${spec.resource} match`,
  };
};

export const http: Evaluate<Specs['http']> = async (spec, ctx) => {
  ctx.env.twin(spec.twin);
  const match: Record<string, unknown> = {};
  if (spec.method !== undefined) match.method = spec.method.toUpperCase();
  if (spec.path !== undefined) match.path = spec.path;
  const events = ctx.env.journal
    .query({ twin: spec.twin, type: 'request', limit: Number.MAX_SAFE_INTEGER })
    .events.filter((e) => matchFields(match, e.data ?? {}));
  return {
    passed: countHolds(spec.count, events.length),
    expected: `${describeCount(spec.count)} ${spec.method ?? 'any'} ${spec.path ?? '*'} requests to ${spec.twin}`,
    observed: `${events.length} requests`,
  };
};

/** The kafka twin's inspect answer, as far as expectations read it. */
interface KafkaState {
  topics: Array<{ name: string; partitions: Array<{ partition: number; records: Array<{ offset: number; timestamp: number; value: string | null }> }> }>;
  groups: Array<{ id: string; offsets: Array<{ topic: string; partition: number; offset: number }> }>;
}

/** A topic's records across its partitions, in the order they were produced (by timestamp). */
function topicRecords(state: KafkaState, name: string): Array<{ value: string | null }> {
  const topic = state.topics.find((t) => t.name === name);
  if (!topic) return [];
  return topic.partitions
    .flatMap((p) => p.records.map((r) => ({ ...r, partition: p.partition })))
    .sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset);
}

function committedOffsets(state: KafkaState, group: string, topic: string, partition: number | undefined): number[] {
  return (state.groups.find((g) => g.id === group)?.offsets ?? [])
    .filter((o) => o.topic === topic && (partition === undefined || o.partition === partition))
    .map((o) => o.offset);
}

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
