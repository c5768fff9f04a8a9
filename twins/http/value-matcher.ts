// Matchers for one value (a query parameter, a header): equalTo, contains, matches, absent.
// Compiled once per stub so matching a request never builds a regular expression.
import { compileRegex } from './field-error.ts';
import type { ValueMatcherInput } from './stub-schema.ts';

/** Node gives repeated headers and query parameters as arrays: any element may match. */
export type Value = string | string[] | undefined;
export type ValueMatcher = (value: Value) => boolean;

export function compileValueMatcher(input: ValueMatcherInput, field: string, maxSize?: number): ValueMatcher {
  if (typeof input === 'string') return anyOf((v) => v === input);
  const checks: Array<(v: string) => boolean> = [];
  if (input.equalTo !== undefined) {
    const expected = input.equalTo;
    checks.push((v) => v === expected);
  }
  if (input.contains !== undefined) {
    const needle = input.contains;
    checks.push((v) => v.includes(needle));
  }
  if (input.matches !== undefined) {
    const regex = compileRegex(input.matches, `${field}.matches`, maxSize);
    checks.push((v) => regex.test(v));
  }
  const present = anyOf((v) => checks.every((check) => check(v)));
  if (input.absent === true) return (value) => value === undefined;
  return present;
}

function anyOf(test: (v: string) => boolean): ValueMatcher {
  return (value) => {
    if (value === undefined) return false;
    if (typeof value === 'string') return test(value);
    return value.some(test);
  };
}
