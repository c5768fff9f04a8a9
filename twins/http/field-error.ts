// A problem in something the user wrote (a stub, a rule's match), named by its field. The caller
// turns it into the right StandinError: a config error at start, an action error at runtime.
import { StandinError } from '../../src/core/index.ts';

export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'FieldError';
  }
}

/** Compiles a user's regular expression anchored to the whole value, naming the field when bad. */
export function compileRegex(source: string, field: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new FieldError(field, `invalid regular expression: ${(error as Error).message}`);
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
