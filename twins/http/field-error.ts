// A problem in something the user wrote (a stub, a rule's match), named by its field. The caller
// turns it into the right StandinError: a config error at start, an action error at runtime.
import { PatternError, StandinError, compilePattern, type UserPattern } from '../../src/core/index.ts';

export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'FieldError';
  }
}

/**
 * Compiles a user's regular expression anchored to the whole value, naming the field when bad.
 * `maxSize` defaults to the default pattern limit; rules pass Infinity, the engine having checked them.
 */
export function compileRegex(source: string, field: string, maxSize?: number): UserPattern {
  try {
    return compilePattern(source, { whole: true, maxSize });
  } catch (error) {
    throw error instanceof PatternError ? new FieldError(field, error.detail) : error;
  }
}

export function configError(twin: string, error: unknown): unknown {
  if (!(error instanceof FieldError)) return error;
  return new StandinError('STANDIN_ERR_TWIN_CONFIG_INVALID', { twin, path: `.${error.field}`, detail: error.detail });
}

export function actionError(twin: string, verb: string, error: unknown): unknown {
  if (!(error instanceof FieldError)) return error;
  return new StandinError('STANDIN_ERR_TWIN_ACTION_FAILED', { twin, verb, detail: error.message });
}
