// What every expectation evaluates to, and the helpers they share.
import type { Environment } from '../../environments/environment.ts';
import type { SutResult } from '../sut-process.ts';

export interface Verdict {
  passed: boolean;
  /** What was expected, in words. */
  expected: string;
  /** What was seen, in words, so a failure explains itself. */
  observed: string;
}

export interface ExpectationContext {
  sut: SutResult;
  env: Environment;
}

export type Evaluate<Spec> = (spec: Spec, ctx: ExpectationContext) => Promise<Verdict>;

export type Count = number | { min?: number; max?: number };

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
    return Object.entries(expected).every(([k, v]) => looselyEqual(v, (actual as Record<string, unknown>)[k]));
  }
  if (actual instanceof Date) return actual.toISOString() === String(expected) || actual.getTime() === Number(expected);
  return String(expected) === String(actual);
}

export function preview(value: unknown, max = 300): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > max ? `${text.slice(0, max)}…` : text;
}
