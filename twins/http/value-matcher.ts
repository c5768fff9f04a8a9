// Value matchers (equalTo, contains, matches, absent) for a stub's query parameters and headers:
// the core's, with a bad regular expression named by its field.
import { compileValueMatcher as compileCore, PatternError, type ValueMatcher } from '../../src/core/index.ts';
import { FieldError } from './field-error.ts';
import type { ValueMatcherInput } from './stub-schema.ts';

export type { RequestValue as Value, ValueMatcher } from '../../src/core/index.ts';

export function compileValueMatcher(input: ValueMatcherInput, field: string, maxSize?: number): ValueMatcher {
  try {
    return compileCore(input, maxSize);
  } catch (error) {
    throw error instanceof PatternError ? new FieldError(`${field}.matches`, error.detail) : error;
  }
}
