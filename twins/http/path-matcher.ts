// Path matching for stubs and fault rules. `path` is exact unless it holds `:param` segments or
// `*` wildcards (a template); `pathPattern` is a regular expression whose named groups become
// params. Both compile once to a function from the raw request path to its params.
import { FieldError, compileRegex } from './field-error.ts';

export type Params = Readonly<Record<string, string>>;

export interface PathMatcher {
  /** What the user wrote, for near-miss reports. */
  readonly source: string;
  match(path: string): Params | undefined;
}

const NO_PARAMS: Params = Object.freeze({});
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function compilePath(path: string, field: string): PathMatcher {
  if (!path.startsWith('/') && path !== '*') throw new FieldError(field, 'must start with /');
  if (!path.includes(':') && !path.includes('*')) {
    return { source: path, match: (actual) => (actual === path ? NO_PARAMS : undefined) };
  }
  const names: string[] = [];
  const segments = path.split('/').map((segment) => {
    if (segment.startsWith(':')) {
      const name = segment.slice(1);
      if (!PARAM_NAME.test(name)) throw new FieldError(field, `bad path parameter name "${segment}"`);
      names.push(name);
      return '([^/]+)';
    }
    return segment.split('*').map(escapeRegex).join('.*');
  });
  const regex = new RegExp(`^${segments.join('/')}$`);
  return {
    source: path,
    match(actual) {
      const m = regex.exec(actual);
      if (m === null) return undefined;
      if (names.length === 0) return NO_PARAMS;
      const params: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) params[names[i] as string] = decode(m[i + 1] as string);
      return params;
    },
  };
}

export function compilePathPattern(pattern: string, field: string, maxSize?: number): PathMatcher {
  const regex = compileRegex(pattern, field, maxSize);
  return {
    source: pattern,
    match(actual) {
      const groups = regex.groups(actual);
      if (groups === undefined) return undefined;
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(groups)) if (value !== undefined) params[name] = decode(value);
      return params;
    },
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
