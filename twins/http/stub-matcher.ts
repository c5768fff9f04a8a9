// A stub's request pattern, compiled: method, path, query, headers, body. `match` is the hot path
// (no allocation for a plain path); `explain` scores each field for near-miss reports.
import { compileBodyMatcher, type BodyMatcher } from './body-matcher.ts';
import { FieldError } from './field-error.ts';
import { compilePath, compilePathPattern, type Params, type PathMatcher } from './path-matcher.ts';
import type { RecordedRequest } from './recorded-request.ts';
import type { RequestPatternInput } from './stub-schema.ts';
import { similarity } from './similarity.ts';
import { compileValueMatcher, type ValueMatcher } from './value-matcher.ts';

export interface Difference {
  field: string;
  expected: unknown;
  actual: unknown;
}

/** How well one field of a request agrees with a pattern: 1 = matches, 0 = nothing alike. */
export interface FieldScore {
  weight: number;
  score: number;
  difference?: Difference;
}

type Named = readonly [name: string, matcher: ValueMatcher, expected: unknown];

export class StubMatcher {
  private constructor(
    readonly input: RequestPatternInput,
    private readonly method: string | undefined,
    private readonly path: PathMatcher,
    private readonly query: readonly Named[],
    private readonly headers: readonly Named[],
    private readonly body: BodyMatcher | undefined,
  ) {}

  /** `field` names the pattern in error messages, e.g. `stubs[2].request`; `maxSize` bounds its regexes. */
  static compile(input: RequestPatternInput, field: string, maxSize?: number): StubMatcher {
    if (input.path !== undefined && input.pathPattern !== undefined) {
      throw new FieldError(field, 'give either path or pathPattern, not both');
    }
    let path: PathMatcher;
    if (input.path !== undefined) path = compilePath(input.path, `${field}.path`);
    else if (input.pathPattern !== undefined) path = compilePathPattern(input.pathPattern, `${field}.pathPattern`, maxSize);
    else throw new FieldError(field, 'needs path or pathPattern');
    const method = input.method === undefined || input.method.toUpperCase() === 'ANY' ? undefined : input.method.toUpperCase();
    const query = Object.entries(input.query ?? {}).map(
      ([name, m]): Named => [name, compileValueMatcher(m, `${field}.query.${name}`, maxSize), m],
    );
    const headers = Object.entries(input.headers ?? {}).map(
      ([name, m]): Named => [name.toLowerCase(), compileValueMatcher(m, `${field}.headers.${name}`, maxSize), m],
    );
    const body = input.body === undefined ? undefined : compileBodyMatcher(input.body, `${field}.body`, maxSize);
    return new StubMatcher(input, method, path, query, headers, body);
  }

  /** The path params when the request matches, else undefined. */
  match(request: RecordedRequest): Params | undefined {
    if (this.method !== undefined && this.method !== request.method) return undefined;
    const params = this.path.match(request.path);
    if (params === undefined) return undefined;
    if (this.query.length > 0) {
      const query = request.query;
      for (const [name, matcher] of this.query) if (!matcher(query[name])) return undefined;
    }
    for (const [name, matcher] of this.headers) if (!matcher(request.headers[name])) return undefined;
    if (this.body !== undefined && !this.body(request)) return undefined;
    return params;
  }

  /** Scores every constrained field; used only for unmatched requests. */
  explain(request: RecordedRequest): FieldScore[] {
    const scores: FieldScore[] = [];
    if (this.method !== undefined) {
      const ok = this.method === request.method;
      scores.push({ weight: 1, score: ok ? 1 : 0, ...(!ok && { difference: diff('method', this.method, request.method) }) });
    }
    const pathOk = this.path.match(request.path) !== undefined;
    scores.push({
      weight: 3,
      // A different path that looks alike (a typo, a missing segment) still ranks high.
      score: pathOk ? 1 : 0.9 * similarity(this.path.source, request.path),
      ...(!pathOk && {
        difference: diff(this.input.path !== undefined ? 'path' : 'pathPattern', this.path.source, request.path),
      }),
    });
    for (const [name, matcher, expected] of this.query) {
      const actual = request.query[name];
      const ok = matcher(actual);
      scores.push({ weight: 1, score: ok ? 1 : 0, ...(!ok && { difference: diff(`query.${name}`, expected, actual) }) });
    }
    for (const [name, matcher, expected] of this.headers) {
      const actual = request.headers[name];
      const ok = matcher(actual);
      scores.push({ weight: 1, score: ok ? 1 : 0, ...(!ok && { difference: diff(`headers.${name}`, expected, actual) }) });
    }
    if (this.body !== undefined) {
      const ok = this.body(request);
      scores.push({
        weight: 2,
        score: ok ? 1 : 0,
        ...(!ok && { difference: diff('body', this.input.body, request.bodyPreview(200)) }),
      });
    }
    return scores;
  }
}

function diff(field: string, expected: unknown, actual: unknown): Difference {
  return { field, expected, actual: actual ?? null };
}
