// journal: how many matching events, in what order, one header across retries, gaps between them.
import { matchFields, type JournalEvent } from '../../core/index.ts';
import type { Static } from '@sinclair/typebox';
import type { ExpectationSchemas } from '../scenario-schema.ts';
import { countHolds, describeCount, preview, type Evaluate } from './expectation.ts';

type Spec = Static<typeof ExpectationSchemas.journal>;

/** An event's attributes for matching: its data fields, plus twin/point/type/summary. */
function attributes(event: JournalEvent): Record<string, unknown> {
  return { ...event.data, twin: event.twin, point: event.point, type: event.type, summary: event.summary };
}

function header(event: JournalEvent, name: string): unknown {
  const headers = event.data?.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as Record<string, unknown>;
  return h[name.toLowerCase()] ?? h[name];
}

export const journal: Evaluate<Spec> = async (spec, { env }) => {
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
  if (spec.sameHeader !== undefined) {
    const values = events.map((e) => header(e, spec.sameHeader as string));
    const distinct = new Set(values.map((v) => JSON.stringify(v ?? null)));
    checks.push({
      passed: events.length > 0 && distinct.size === 1 && values[0] !== undefined,
      expected: `every event carries the same ${spec.sameHeader} header`,
      observed: `values: ${preview(values)}`,
    });
  }
  if (spec.minGapMs !== undefined) {
    const gaps = events.slice(1).map((e, i) => e.time - (events[i] as JournalEvent).time);
    const smallest = gaps.length ? Math.min(...gaps) : Infinity;
    checks.push({
      passed: smallest >= spec.minGapMs,
      expected: `gaps between events ≥ ${spec.minGapMs} ms`,
      observed: gaps.length ? `gaps ${gaps.map((g) => `${g}ms`).join(', ')}` : 'fewer than two events',
    });
  }
  if (spec.order !== undefined) {
    let next = 0;
    for (const e of events) if (next < spec.order.length && matchFields(spec.order[next] as Record<string, unknown>, attributes(e))) next++;
    checks.push({
      passed: next === spec.order.length,
      expected: `events in order: ${spec.order.map((o) => preview(o, 80)).join(' → ')}`,
      observed: next === spec.order.length ? 'in order' : `stopped before ${preview(spec.order[next], 80)} (${events.length} events)`,
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
};
