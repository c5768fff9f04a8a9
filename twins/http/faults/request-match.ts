// How a rule at point `request` matches a request: `{method?, path?, pathPattern?, query?, headers?,
// body?}`. `path` is exact or a :param template, `pathPattern` a regular expression, `body` a
// substring. A rule's match compiles once (cached by the match object) instead of per request.
import { Type } from '@sinclair/typebox';
import { PATTERN_FORMAT, type FaultEvent } from '../../../src/core/index.ts';
import { compilePath, compilePathPattern, type PathMatcher } from '../path-matcher.ts';
import type { ValueMatcherInput } from '../stub-schema.ts';
import { compileValueMatcher, type Value, type ValueMatcher } from '../value-matcher.ts';

// A user pattern format: the engine refuses a rule with a bad or oversized regular expression,
// naming the field, instead of keeping a rule that never matches.
const RegexSchema = Type.String({ format: PATTERN_FORMAT, description: 'regular expression (RE2) the whole value must match' });

const RuleValueMatcherSchema = Type.Union([
  Type.String(),
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

export const RequestMatchSchema = Type.Object(
  {
    method: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'one method or any of several' })),
    path: Type.Optional(Type.String({ description: 'exact path, or a template with :param segments' })),
    pathPattern: Type.Optional(RegexSchema),
    query: Type.Optional(Type.Record(Type.String(), RuleValueMatcherSchema)),
    headers: Type.Optional(Type.Record(Type.String(), RuleValueMatcherSchema)),
    body: Type.Optional(Type.String({ description: 'a substring of the request body' })),
  },
  { additionalProperties: false },
);

/** The event the twin hands the fault engine for each request. */
export interface RequestEvent extends FaultEvent {
  method: string;
  path: string;
  query: Record<string, Value>;
  headers: Record<string, Value>;
  body: string;
}

type CompiledMatch = (event: FaultEvent) => boolean;

/** The engine checked each pattern's size against the server's limit when it accepted the rule. */
const CHECKED = Infinity;

const compiled = new WeakMap<Record<string, unknown>, CompiledMatch>();

export function matchRequest(match: Record<string, unknown>, event: FaultEvent): boolean {
  let test = compiled.get(match);
  if (test === undefined) {
    test = compileMatch(match);
    compiled.set(match, test);
  }
  return test(event);
}

function compileMatch(match: Record<string, unknown>): CompiledMatch {
  const checks: CompiledMatch[] = [];
  try {
    if (match.method !== undefined) {
      const methods = new Set([match.method].flat().map((m) => String(m).toUpperCase()));
      checks.push((e) => methods.has(String(e.method)));
    }
    const paths: PathMatcher[] = [];
    if (typeof match.path === 'string') paths.push(compilePath(match.path, 'match.path'));
    if (typeof match.pathPattern === 'string') paths.push(compilePathPattern(match.pathPattern, 'match.pathPattern', CHECKED));
    for (const path of paths) checks.push((e) => path.match(String(e.path)) !== undefined);
    for (const key of ['query', 'headers'] as const) {
      const entries = Object.entries((match[key] ?? {}) as Record<string, ValueMatcherInput>);
      const matchers = entries.map(([name, m]): [string, ValueMatcher] => [
        key === 'headers' ? name.toLowerCase() : name,
        compileValueMatcher(m, `match.${key}.${name}`, CHECKED),
      ]);
      if (matchers.length > 0) {
        checks.push((e) => {
          const values = (e[key] ?? {}) as Record<string, Value>;
          return matchers.every(([name, matcher]) => matcher(values[name]));
        });
      }
    }
    if (typeof match.body === 'string') {
      const needle = match.body;
      checks.push((e) => typeof e.body === 'string' && e.body.includes(needle));
    }
  } catch {
    // Unreachable for rules the engine accepted (the schema checks every regex); a rule built
    // around the engine with a bad pattern matches nothing rather than failing each request.
    return () => false;
  }
  return (event) => checks.every((check) => check(event));
}
