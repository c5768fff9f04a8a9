// Expectations a twin kind declares about its own state, in the style of `definePoint`: the kind
// names the key a scenario writes (`sql`, `topic`…), the schema of its fields and the evaluator that
// reads the running twin. The scenario runner knows none of them by name: it validates a scenario's
// `expect:` items, builds the scenario JSON Schema and evaluates through these declarations, so a
// kind with its own expectation touches only its own folder.
import { Type, type Static, type TObject, type TProperties, type TSchema, type TString } from '@sinclair/typebox';
import type { JournalEvent, JournalFilter } from './journal.ts';
import type { RunningTwin } from './twin.ts';
import { checkSchema } from './validate.ts';

/** What an expectation evaluates to. */
export interface Verdict {
  passed: boolean;
  /** What was expected, in words. */
  expected: string;
  /** What was seen, in words, so a failure explains itself. */
  observed: string;
}

/** What a twin expectation reads: the twin it names and that twin's journal. */
export interface TwinExpectationContext {
  /** The twin's name in its environment. */
  name: string;
  twin: RunningTwin;
  /** The twin's journal events still kept, oldest first. */
  events(filter?: Pick<JournalFilter, 'point' | 'type' | 'rule'>): JournalEvent[];
}

/** The fields of a twin expectation: `twin` (the twin it reads, of the declaring kind) and the kind's own. */
export type TwinExpectationSchema<F extends TProperties = TProperties> = TObject<F & { twin: TString }>;

export interface TwinExpectation<F extends TProperties = TProperties> {
  /** The key a scenario writes it with; unique among every kind's and the runner's own (exitCode, journal…). */
  name: string;
  description: string;
  schema: TwinExpectationSchema<F>;
  /** Declared as a method so expectations of different fields sit in one list. */
  evaluate(spec: Static<TwinExpectationSchema<F>>, ctx: TwinExpectationContext): Promise<Verdict>;
}

/** Declares an expectation from its own fields; `twin` is added, and unknown fields are refused. */
export function defineExpectation<F extends TProperties>(declaration: {
  name: string;
  description: string;
  fields: F;
  evaluate(spec: Static<TwinExpectationSchema<F>>, ctx: TwinExpectationContext): Promise<Verdict>;
}): TwinExpectation<F> {
  const { fields, ...rest } = declaration;
  const twin = Type.String({ description: 'the twin it reads' });
  return { ...rest, schema: Type.Object({ twin, ...fields }, { additionalProperties: false, description: declaration.description }) };
}

/** True when `value` has the schema's shape: a typed read of a twin's `inspect()` answer. */
export function conforms<S extends TSchema>(schema: S, value: unknown): value is Static<S> {
  return checkSchema(schema, value).length === 0;
}

/** The part of a twin's `inspect(query)` answer an expectation reads, checked against its shape. */
export async function inspectAs<S extends TSchema>(twin: RunningTwin, query: Record<string, unknown>, shape: S): Promise<Static<S>> {
  const state = await twin.inspect(query);
  if (conforms(shape, state)) return state;
  const problem = checkSchema(shape, state, 'inspect')[0];
  throw new Error(`the twin's state is not what this expectation reads (${problem?.field}: ${problem?.detail})`);
}

/** An exact count, or bounds. */
export const CountSchema = Type.Union([
  Type.Integer({ minimum: 0 }),
  Type.Object(
    { min: Type.Optional(Type.Integer({ minimum: 0 })), max: Type.Optional(Type.Integer({ minimum: 0 })) },
    { additionalProperties: false },
  ),
]);
export type Count = Static<typeof CountSchema>;

export function countHolds(count: Count, n: number): boolean {
  if (typeof count === 'number') return n === count;
  return (count.min === undefined || n >= count.min) && (count.max === undefined || n <= count.max);
}

export function describeCount(count: Count): string {
  if (typeof count === 'number') return String(count);
  if (count.min !== undefined && count.max !== undefined) return `${count.min}..${count.max}`;
  return count.min !== undefined ? `≥ ${count.min}` : `≤ ${count.max}`;
}

/**
 * Loose equality for values written in YAML against values from a twin: numbers and strings
 * compare by text (PostgreSQL returns bigint as a string), objects as subsets, arrays in full.
 */
export function looselyEqual(expected: unknown, actual: unknown): boolean {
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => looselyEqual(e, actual[i]));
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || actual === null) return false;
    return Object.entries(expected).every(([k, v]) => looselyEqual(v, Reflect.get(actual, k)));
  }
  if (actual instanceof Date) return actual.toISOString() === String(expected) || actual.getTime() === Number(expected);
  return String(expected) === String(actual);
}

/** A value in a verdict, cut to `max` characters. */
export function preview(value: unknown, max = 300): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > max ? `${text.slice(0, max)}…` : text;
}
