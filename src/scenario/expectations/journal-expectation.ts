// journal: how many matching events, in what order, one header across retries, gaps between them.
import { Type } from '@sinclair/typebox';
import { CountSchema, countHolds, describeCount, matchFields, preview, type JournalEvent } from '../../core/index.ts';
import { defineRunnerExpectation } from './expectation.ts';

const Fields = Type.Record(Type.String(), Type.Unknown());

/** An event's attributes for matching: its data fields, plus twin/point/type/summary. */
function attributes(event: JournalEvent): Record<string, unknown> {
  return { ...event.data, twin: event.twin, point: event.point, type: event.type, summary: event.summary };
}

function header(event: JournalEvent, name: string): unknown {
  const headers: unknown = event.data?.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  return Reflect.get(headers, name.toLowerCase()) ?? Reflect.get(headers, name);
}

export const journal = defineRunnerExpectation({
  schema: Type.Object(
    {
      twin: Type.Optional(Type.String()),
      point: Type.Optional(Type.String()),
      type: Type.Optional(Type.String({ description: 'default: request' })),
      rule: Type.Optional(Type.String()),
      match: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "fields of the event's data" })),
      count: Type.Optional(CountSchema),
      sameHeader: Type.Optional(Type.String({ description: 'every matching request carries the same value of this header' })),
      minGapMs: Type.Optional(Type.Number({ minimum: 0, description: 'consecutive matching events are at least this far apart' })),
      order: Type.Optional(Type.Array(Fields, { description: 'events matching each of these, in this order (others may come between)' })),
    },
    { additionalProperties: false },
  ),
  async evaluate(spec, { env }) {
    const events = env.journal
      .query({ twin: spec.twin, point: spec.point, type: spec.type ?? (spec.rule ? 'fault' : 'request'), rule: spec.rule, limit: Number.MAX_SAFE_INTEGER })
      .events.filter((e) => spec.match === undefined || matchFields(spec.match, attributes(e)));
    const what = [spec.rule && `rule ${spec.rule} fired`, spec.twin && `twin ${spec.twin}`, spec.point && `point ${spec.point}`, spec.match && `matching ${preview(spec.match)}`]
      .filter(Boolean)
      .join(', ');
    const checks: Array<{ passed: boolean; expected: string; observed: string }> = [];

    if (spec.count !== undefined) {
      checks.push({
        passed: countHolds(spec.count, events.length),
        expected: `${describeCount(spec.count)} events (${what || 'any'})`,
        observed: `${events.length} events`,
      });
    }
    const { sameHeader, minGapMs, order } = spec;
    if (sameHeader !== undefined) {
      const values = events.map((e) => header(e, sameHeader));
      const distinct = new Set(values.map((v) => JSON.stringify(v ?? null)));
      checks.push({
        passed: events.length > 0 && distinct.size === 1 && values[0] !== undefined,
        expected: `every event carries the same ${sameHeader} header`,
        observed: `values: ${preview(values)}`,
      });
    }
    if (minGapMs !== undefined) {
      const gaps = events.slice(1).map((e, i) => e.time - (events[i]?.time ?? e.time));
      const smallest = gaps.length ? Math.min(...gaps) : Infinity;
      checks.push({
        passed: smallest >= minGapMs,
        expected: `gaps between events ≥ ${minGapMs} ms`,
        observed: gaps.length ? `gaps ${gaps.map((g) => `${g}ms`).join(', ')}` : 'fewer than two events',
      });
    }
    if (order !== undefined) {
      let next = 0;
      for (const e of events) {
        const wanted = order[next];
        if (wanted !== undefined && matchFields(wanted, attributes(e))) next++;
      }
      checks.push({
        passed: next === order.length,
        expected: `events in order: ${order.map((o) => preview(o, 80)).join(' → ')}`,
        observed: next === order.length ? 'in order' : `stopped before ${preview(order[next], 80)} (${events.length} events)`,
      });
    }
    if (checks.length === 0) {
      checks.push({ passed: events.length > 0, expected: `at least one event (${what || 'any'})`, observed: `${events.length} events` });
    }
    return {
      passed: checks.every((c) => c.passed),
      expected: checks.map((c) => c.expected).join('; '),
      observed: checks.map((c) => c.observed).join('; '),
    };
  },
});
