// Path matching for stubs and the request log's filter. `path` is the path glob every
// HTTP-speaking twin shares (exact; `:param` and `*` one segment; `**` any number — see
// src/core/request-faults/path-glob.ts); `pathPattern` is a regular expression whose named groups
// become params. Both compile once to a function from the raw request path to its params.
import { compilePathGlob, decodeSegment, PathGlobError, type PathGlob, type PathParams } from '../../src/core/index.ts';
import { FieldError, compileRegex } from './field-error.ts';

export type Params = PathParams;

/** `source` is what the user wrote, for near-miss reports. */
export type PathMatcher = PathGlob;

export function compilePath(path: string, field: string): PathMatcher {
  try {
    return compilePathGlob(path);
  } catch (error) {
    throw error instanceof PathGlobError ? new FieldError(field, error.detail) : error;
  }
}

export function compilePathPattern(pattern: string, field: string, maxSize?: number): PathMatcher {
  const regex = compileRegex(pattern, field, maxSize);
  return {
    source: pattern,
    match(actual) {
      const groups = regex.groups(actual);
      if (groups === undefined) return undefined;
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(groups)) if (value !== undefined) params[name] = decodeSegment(value);
      return params;
    },
  };
}
