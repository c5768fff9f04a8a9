// The one path syntax of the HTTP-speaking twins (http stubs and rules, stripe and oidc rules):
//   /v1/customers          exact
//   /v1/customers/:id      `:name` matches exactly one segment and captures it (URL-decoded)
//   /v1/customers/*        `*` matches exactly one segment; inside a segment (`/files/*.png`) it
//                          matches any characters of that segment only — never a `/`
//   /v1/**                 `**` (a whole segment) matches any number of segments, none included:
//                          `/v1`, `/v1/customers`, `/v1/customers/cus_1/sources`
// A path is compared without its query string. Compiled once, to a function from a path to its params.
import { FormatRegistry } from '@sinclair/typebox';

export type PathParams = Readonly<Record<string, string>>;

export interface PathGlob {
  /** What the user wrote. */
  readonly source: string;
  /** The captured `:name` params, or undefined when the path does not match. */
  match(path: string): PathParams | undefined;
}

/** A path the syntax refuses; `detail` says why, for a `field: detail` message. */
export class PathGlobError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'PathGlobError';
  }
}

/**
 * JSON Schema format of a path glob (`Type.String({format: PATH_GLOB_FORMAT})`): a rule whose path
 * the syntax refuses is a 400 naming the field, never a rule that silently matches nothing.
 */
export const PATH_GLOB_FORMAT = 'standin-path-glob';

const NO_PARAMS: PathParams = Object.freeze({});
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function compilePathGlob(source: string): PathGlob {
  if (!source.startsWith('/')) throw new PathGlobError('must start with /');
  if (!source.includes(':') && !source.includes('*')) {
    return { source, match: (path) => (path === source ? NO_PARAMS : undefined) };
  }
  const names: string[] = [];
  // Built segment by segment, each with its leading slash, so `/**` can also match nothing at all.
  let regex = '^';
  for (const segment of source.split('/').slice(1)) {
    if (segment === '**') regex += '(?:/[^/]*)*';
    else if (segment.includes('**')) throw new PathGlobError(`"**" must be a whole segment: "${segment}"`);
    else if (segment.startsWith(':')) {
      const name = segment.slice(1);
      if (!PARAM_NAME.test(name)) throw new PathGlobError(`bad path parameter name "${segment}"`);
      if (names.includes(name)) throw new PathGlobError(`path parameter "${segment}" named twice`);
      names.push(name);
      regex += '/([^/]+)';
    } else if (segment === '*') regex += '/[^/]+';
    else regex += `/${segment.split('*').map(escapeRegex).join('[^/]*')}`;
  }
  const compiled = new RegExp(`${regex}$`);
  return {
    source,
    match(path) {
      const m = compiled.exec(path);
      if (m === null) return undefined;
      if (names.length === 0) return NO_PARAMS;
      const params: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) params[names[i] as string] = decodeSegment(m[i + 1] as string);
      return params;
    },
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** A path segment decoded; as sent when it has no escape (most ids) or a malformed one (it then names nothing). */
export function decodeSegment(text: string): string {
  // Most ids carry no escape: the same string, without a decode on every matched request.
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

FormatRegistry.Set(PATH_GLOB_FORMAT, (value) => {
  try {
    compilePathGlob(value);
    return true;
  } catch {
    return false;
  }
});
