// User regular expressions (a stub's `matches` and `pathPattern`, a pg rule's `regex`, a scenario's
// `matches`…) all compile here, with RE2 (re2js, pure JavaScript): matching takes time linear in the
// text, so `(a+)+` against a run of `a`s costs microseconds instead of freezing every environment.
// RE2's linear time is text × program size, so a pattern is bounded twice by `limits.patternLength`:
// in characters as written, and in instructions once compiled (`a{1000}` is short but 1000 steps).
// Syntax is RE2's: no lookaround or backreferences; see the README's fault rule section.
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { RE2JS } from 're2js';
import { DEFAULT_LIMITS } from './limits.ts';
import { joinField, type FieldProblem } from './validate.ts';

export interface PatternOptions {
  /** The whole text must match (as `^(?:pattern)$`), not just a part of it. */
  whole?: boolean;
  ignoreCase?: boolean;
  /** `^` and `$` match at line breaks too. */
  multiline?: boolean;
  /** Most characters, and most compiled instructions (default: the default patternLength). */
  maxSize?: number;
}

export interface UserPattern {
  readonly source: string;
  test(text: string): boolean;
  /** The named groups of the first match ({} when the pattern names none), or undefined if none. */
  groups(text: string): Record<string, string | undefined> | undefined;
}

/** A pattern that does not compile or is too large; `detail` says why, for a `field: detail` message. */
export class PatternError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'PatternError';
  }
}

export function compilePattern(source: string, options: PatternOptions = {}): UserPattern {
  const maxSize = options.maxSize ?? DEFAULT_LIMITS.patternLength;
  if (source.length > maxSize) throw new PatternError(`regular expression longer than ${maxSize} characters (--limit-pattern-length)`);
  const flags = (options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | (options.multiline ? RE2JS.MULTILINE : 0);
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, flags);
    // Anchored after the check, so that a source like `a)|(b` cannot escape the group.
    if (options.whole) re = RE2JS.compile(`^(?:${source})$`, flags);
  } catch (error) {
    throw new PatternError(`invalid regular expression (RE2 syntax): ${(error as Error).message.replace(/^error parsing regexp: /, '')}`);
  }
  if (re.programSize() > maxSize) {
    throw new PatternError(`regular expression compiles to ${re.programSize()} instructions, more than ${maxSize} (--limit-pattern-length)`);
  }
  return {
    source,
    test: (text) => re.test(text),
    groups(text) {
      const match = re.exec(text);
      return match === null ? undefined : ((match as RegExpExecArray).groups ?? {});
    },
  };
}

/**
 * JSON Schema format of a user pattern (`Type.String({format: PATTERN_FORMAT})`): a schema check
 * refuses one that does not compile, so a bad pattern is a 400 naming its field, never a rule that
 * silently matches nothing. The size limit in force is checked by `patternProblem`.
 */
export const PATTERN_FORMAT = 'standin-pattern';

/** Beyond this, a format check does not even try to compile (the limit in force is far lower). */
const FORMAT_CEILING = 64 * 1024;

FormatRegistry.Set(PATTERN_FORMAT, (value) => {
  if (value.length > FORMAT_CEILING) return false;
  try {
    RE2JS.compile(value);
    return true;
  } catch {
    return false;
  }
});

/**
 * The first user pattern in `value` (a document valid against `schema`) that is over `maxSize`, as
 * a field problem. It walks the schema beside the value to find the strings with PATTERN_FORMAT.
 */
export function patternProblem(schema: TSchema, value: unknown, field: string, maxSize: number): FieldProblem | undefined {
  if (typeof value === 'string') {
    if (schema.format !== PATTERN_FORMAT) return undefined;
    try {
      compilePattern(value, { maxSize });
      return undefined;
    } catch (error) {
      return { field, detail: (error as PatternError).detail };
    }
  }
  if (Array.isArray(schema.anyOf)) {
    // The branch the value fits, or else the first of its type: a bad pattern fits no branch.
    const branches = schema.anyOf as TSchema[];
    const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    const branch = branches.find((s) => Value.Check(s, value)) ?? branches.find((s) => s.type === kind);
    return branch && patternProblem(branch, value, field, maxSize);
  }
  if (Array.isArray(value)) {
    const items = schema.items as TSchema | undefined;
    for (let i = 0; items && i < value.length; i++) {
      const problem = patternProblem(items, value[i], `${field}[${i}]`, maxSize);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  const rest = (Object.values(schema.patternProperties ?? {})[0] ?? schema.additionalProperties) as TSchema | boolean | undefined;
  for (const [key, item] of Object.entries(value)) {
    const itemSchema = properties[key] ?? (typeof rest === 'object' ? rest : undefined);
    const problem = itemSchema && patternProblem(itemSchema, item, joinField(field, key), maxSize);
    if (problem) return problem;
  }
  return undefined;
}
