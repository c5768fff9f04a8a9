// The `request` fault point of the http twin: the shared request matchers plus `pathPattern` (a
// regular expression, this twin's own), and the shared request actions with `error` in its plain
// HTTP form (src/core/request-faults).
import { Type, type Static } from '@sinclair/typebox';
import {
  DelaySchema,
  DisconnectSchema,
  HangSchema,
  HttpErrorSchema,
  RegexSchema,
  RequestMatchFields,
  compilePattern,
  corruptSchema,
  definePoint,
  matchesRequest,
  type RequestEvent,
  type UserPattern,
} from '../../../src/core/index.ts';

const RequestMatchSchema = Type.Object(
  { ...RequestMatchFields, pathPattern: Type.Optional(RegexSchema) },
  { additionalProperties: false },
);

type RequestMatch = Static<typeof RequestMatchSchema>;

/** Compiled once per rule (cached by its match); the engine checked the size against the server's limit. */
const patterns = new WeakMap<RequestMatch, UserPattern>();

function pathPatternMatches(match: RequestMatch, path: string): boolean {
  if (match.pathPattern === undefined) return true;
  let pattern = patterns.get(match);
  if (pattern === undefined) {
    pattern = compilePattern(match.pathPattern, { whole: true, maxSize: Infinity });
    patterns.set(match, pattern);
  }
  return pattern.test(path);
}

export const requestPoint = definePoint({
  name: 'request',
  description: 'each HTTP request, once its body has arrived; match {method, path, pathPattern, query, headers, body}',
  match: RequestMatchSchema,
  actions: {
    delay: DelaySchema,
    hang: HangSchema,
    error: HttpErrorSchema,
    disconnect: DisconnectSchema,
    corrupt: corruptSchema(),
  },
  matches: (match, event: RequestEvent) => matchesRequest(match, event) && pathPatternMatches(match, event.path),
});
