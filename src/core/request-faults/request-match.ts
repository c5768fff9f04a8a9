// The matchers every HTTP-speaking twin's request points share: `method` (one or a list), `path`
// (one or a list, path-glob.ts syntax), `query` and `headers` (value matchers), `body` (a
// substring). A point spreads `RequestMatchFields` into its match schema beside its own fields and
// builds its `compile` on `compileRequestMatch` (the engine keeps the test beside the rule), or calls
// `matchesRequest` from its `matches` (compiled once, cached by the match object).
import { Type, type Static } from '@sinclair/typebox';
import type { FaultEvent } from '../fault-rule.ts';
import { compilePathGlob, PATH_GLOB_FORMAT, type PathGlob } from './path-glob.ts';
import { compileValueMatcher, ValueMatcherSchema, type RequestValue, type ValueMatcher } from './value-matcher.ts';

const oneOrMany = (description: string, format?: string) => {
  const item = format === undefined ? Type.String() : Type.String({ format });
  return Type.Optional(Type.Union([item, Type.Array(item)], { description }));
};

export const RequestMatchFields = {
  method: oneOrMany('one method or any of several'),
  path: oneOrMany('a path or any of several: exact, `:name` or `*` for one segment, `**` for any number (README: What each fault action means)', PATH_GLOB_FORMAT),
  query: Type.Optional(Type.Record(Type.String(), ValueMatcherSchema, { description: 'query parameters, each a string or a value matcher' })),
  headers: Type.Optional(Type.Record(Type.String(), ValueMatcherSchema, { description: 'headers (names in any case), each a string or a value matcher' })),
  body: Type.Optional(Type.String({ description: 'a substring of the request body' })),
};
const RequestMatchSchema = Type.Object(RequestMatchFields);
export type RequestMatch = Static<typeof RequestMatchSchema>;

/** What a request point's event carries for the shared matchers. */
export interface RequestEvent extends FaultEvent {
  /** Upper case. */
  method: string;
  /** Without the query string. */
  path: string;
  query: Readonly<Record<string, RequestValue>>;
  /** Lower-case names, as node gives them. */
  headers: Readonly<Record<string, RequestValue>>;
  /** The body as text; '' when the twin did not read it. */
  body: string;
}

export type RequestCheck = (event: RequestEvent) => boolean;
type Check = RequestCheck;

/** The engine checked each pattern's size against the server's limit when it accepted the rule. */
const CHECKED = Infinity;

const compiled = new WeakMap<RequestMatch, Check>();

export function matchesRequest(match: RequestMatch, event: RequestEvent): boolean {
  let check = compiled.get(match);
  if (check === undefined) {
    check = compileRequestMatch(match);
    compiled.set(match, check);
  }
  return check(event);
}

/**
 * The methods a match can match (upper case), or undefined when it takes any: a twin can skip
 * asking the engine about a request no rule at the point could match.
 */
export function methodsOf(match: RequestMatch): ReadonlySet<string> | undefined {
  return match.method === undefined ? undefined : new Set([match.method].flat().map((m) => m.toUpperCase()));
}

/** The match as one test; methods upper-cased, globs and regexes compiled, header names lower-cased. */
export function compileRequestMatch(match: RequestMatch): RequestCheck {
  const checks: Check[] = [];
  try {
    const methods = methodsOf(match);
    if (methods !== undefined) checks.push((e) => methods.has(e.method));
    if (match.path !== undefined) {
      const paths: PathGlob[] = [match.path].flat().map(compilePathGlob);
      checks.push((e) => paths.some((p) => p.match(e.path) !== undefined));
    }
    for (const key of ['query', 'headers'] as const) {
      const matchers = Object.entries(match[key] ?? {}).map(([name, m]): [string, ValueMatcher] => [
        key === 'headers' ? name.toLowerCase() : name,
        compileValueMatcher(m, CHECKED),
      ]);
      if (matchers.length > 0) checks.push((e) => matchers.every(([name, matcher]) => matcher(e[key][name])));
    }
    if (match.body !== undefined) {
      const needle = match.body;
      checks.push((e) => e.body.includes(needle));
    }
  } catch {
    // Unreachable for rules the engine accepted (their schema formats check each path and
    // regex); a rule built around the engine matches nothing rather than failing each request.
    return () => false;
  }
  return (event) => checks.every((check) => check(event));
}
