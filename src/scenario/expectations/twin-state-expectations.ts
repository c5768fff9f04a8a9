// sql, topic, stripe, http: what the system under test left in the twins, read with each twin's
// own inspect(). These are the only places the runner knows a twin kind's inspect vocabulary.
import type { Static } from '@sinclair/typebox';
import { matchFields } from '../../core/index.ts';
import type { ExpectationSchemas } from '../scenario-schema.ts';
import { asList, countHolds, describeCount, looselyEqual, preview, type Evaluate, type ExpectationContext } from './expectation.ts';

type Specs = { [K in keyof typeof ExpectationSchemas]: Static<(typeof ExpectationSchemas)[K]> };

function twinOfKind(ctx: ExpectationContext, name: string, kind: string) {
  const twin = ctx.env.twin(name);
  if (twin.kind.kind !== kind) {
    throw new Error(`twin ${name} is a ${twin.kind.kind} twin, not ${kind}`);
  }
  return twin.running;
}

export const sql: Evaluate<Specs['sql']> = async (spec, ctx) => {
  const rows = asList(await twinOfKind(ctx, spec.twin, 'postgres').inspect({ sql: spec.query }), 'rows') as Record<string, unknown>[];
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
  const state = (await kafka.inspect({ topic: spec.topic })) as Record<string, unknown>;
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
    const group = (await kafka.inspect({ group: spec.committed.group })) as Record<string, unknown>;
    const offsets = committedOffsets(group, spec.topic, spec.committed.partition);
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
  const state = (await twinOfKind(ctx, spec.twin, 'stripe').inspect({ resource: spec.resource })) as { objects?: Record<string, unknown> };
  const objects = asList(state.objects ?? state, spec.resource) as Record<string, unknown>[];
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

interface RecordView {
  value?: unknown;
}

function topicRecords(state: Record<string, unknown>, name: string): RecordView[] {
  const topics = state.topics;
  const topicState = Array.isArray(topics)
    ? (topics as Array<Record<string, unknown>>).find((t) => t.name === name)
    : topics && typeof topics === 'object'
      ? (topics as Record<string, Record<string, unknown>>)[name]
      : state;
  if (!topicState) return [];
  const partitions = asList(topicState, 'partitions') as Array<Record<string, unknown>>;
  if (partitions.length > 0 && partitions.some((p) => Array.isArray(p.records))) {
    return partitions.flatMap((p) => asList(p, 'records') as RecordView[]);
  }
  return asList(topicState, 'records') as RecordView[];
}

function committedOffsets(state: Record<string, unknown>, topic: string, partition: number | undefined): number[] {
  const groups = asList(state, 'groups') as Array<Record<string, unknown>>;
  const group = groups[0] ?? state;
  const offsets = asList(group, 'offsets') as Array<Record<string, unknown>>;
  return offsets
    .filter((o) => o.topic === topic && (partition === undefined || o.partition === partition))
    .map((o) => Number(o.offset));
}

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
