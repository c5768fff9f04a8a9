// Request body matchers: equalTo, contains, matches (regex over the whole body) and json, a
// partial JSON match — objects match as subsets (extra fields in the request are ignored), arrays
// element by element with equal length, scalars by strict equality.
import { compileRegex } from './field-error.ts';
import type { RecordedRequest } from './recorded-request.ts';
import type { BodyMatcherInput } from './stub-schema.ts';

export type BodyMatcher = (request: RecordedRequest) => boolean;

export function compileBodyMatcher(input: BodyMatcherInput, field: string, maxSize?: number): BodyMatcher {
  if (typeof input === 'string') return (request) => request.text === input;
  const checks: BodyMatcher[] = [];
  if (input.equalTo !== undefined) {
    const expected = input.equalTo;
    checks.push((request) => request.text === expected);
  }
  if (input.contains !== undefined) {
    const needle = input.contains;
    checks.push((request) => request.text.includes(needle));
  }
  if (input.matches !== undefined) {
    const regex = compileRegex(input.matches, `${field}.matches`, maxSize);
    checks.push((request) => regex.test(request.text));
  }
  if ('json' in input) {
    const expected = input.json;
    checks.push((request) => request.json !== undefined && jsonIncludes(expected, request.json));
  }
  return (request) => checks.every((check) => check(request));
}

/** Whether `actual` holds everything `expected` says (see the file comment). */
export function jsonIncludes(expected: unknown, actual: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return expected === actual;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => jsonIncludes(e, actual[i]))
    );
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  const actualObject = actual as Record<string, unknown>;
  return Object.entries(expected).every(([key, value]) => key in actualObject && jsonIncludes(value, actualObject[key]));
}
