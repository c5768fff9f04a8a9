// Matchers for one value of a request (a query parameter, a header): a string (equal), or
// `{equalTo?, contains?, matches?, absent?}`. Compiled once, so matching a request builds no regex.
import { Type, type Static } from '@sinclair/typebox';
import { compilePattern, PATTERN_FORMAT } from '../pattern.ts';

/** A user regular expression; its format makes a schema check refuse one that does not compile. */
export const RegexSchema = Type.String({ format: PATTERN_FORMAT, description: 'regular expression (RE2) the whole value must match' });

export const ValueMatcherSchema = Type.Union([
  Type.String({ description: 'equal to' }),
  Type.Object(
    {
      equalTo: Type.Optional(Type.String()),
      contains: Type.Optional(Type.String()),
      matches: Type.Optional(RegexSchema),
      absent: Type.Optional(Type.Boolean({ description: 'true: must be missing; false: must be present' })),
    },
    { additionalProperties: false },
  ),
]);
export type ValueMatcherInput = Static<typeof ValueMatcherSchema>;

/** Node gives repeated headers and query parameters as arrays: any element may match. */
export type RequestValue = string | string[] | undefined;
export type ValueMatcher = (value: RequestValue) => boolean;

/** Throws PatternError for a bad `matches` (`maxSize` as in compilePattern). */
export function compileValueMatcher(input: ValueMatcherInput, maxSize?: number): ValueMatcher {
  if (typeof input === 'string') return anyOf((v) => v === input);
  if (input.absent === true) return (value) => value === undefined;
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
    const regex = compilePattern(input.matches, { whole: true, maxSize });
    checks.push((v) => regex.test(v));
  }
  return anyOf((v) => checks.every((check) => check(v)));
}

function anyOf(test: (v: string) => boolean): ValueMatcher {
  return (value) => {
    if (value === undefined) return false;
    if (typeof value === 'string') return test(value);
    return value.some(test);
  };
}
