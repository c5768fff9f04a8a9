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
  compileRequestMatch,
  corruptSchema,
  definePoint,
  type RequestCheck,
  type RequestEvent,
} from '../../../src/core/index.ts';

const RequestMatchSchema = Type.Object(
  { ...RequestMatchFields, pathPattern: Type.Optional(RegexSchema) },
  { additionalProperties: false },
);

type RequestMatch = Static<typeof RequestMatchSchema>;

/** Built once per rule, when the engine accepts it; the engine checked the pattern's size against the server's limit. */
function compileMatch(match: RequestMatch): RequestCheck {
  const shared = compileRequestMatch(match);
  if (match.pathPattern === undefined) return shared;
  const pattern = compilePattern(match.pathPattern, { whole: true, maxSize: Infinity });
  return (event) => shared(event) && pattern.test(event.path);
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
  compile: (match): ((event: RequestEvent) => boolean) => compileMatch(match),
});
