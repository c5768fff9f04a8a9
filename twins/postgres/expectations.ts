// `sql` in a scenario's `expect:`: a read-only query against the twin's database, its rows compared
// loosely (numbers and strings by text, objects as subsets) or counted.
import { Type } from '@sinclair/typebox';
import { CountSchema, countHolds, defineExpectation, describeCount, inspectAs, looselyEqual, preview } from '../../src/core/index.ts';

/** What inspect({sql}) answers, as far as `sql` reads it: the result's rows. */
const QueryResult = Type.Object({ rows: Type.Array(Type.Record(Type.String(), Type.Unknown())) });

export const sqlExpectation = defineExpectation({
  name: 'sql',
  description: "a read-only query's rows in a postgres twin",
  fields: {
    query: Type.String({ description: 'run read-only' }),
    rows: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'the rows, in order; fields not named are ignored' })),
    count: Type.Optional(CountSchema),
  },
  async evaluate(spec, { twin }) {
    const { rows } = await inspectAs(twin, { sql: spec.query }, QueryResult);
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
  },
});
