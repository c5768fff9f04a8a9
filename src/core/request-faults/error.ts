// `error {status, body?, headers?}` in its plain HTTP form (the http twin's). Stripe and oidc answer
// `error` with their own protocol's error object instead (twins/stripe/faults.ts, twins/oidc/oauth-errors.ts).
// Without a body, a small JSON body names the status and the rule, so a confused reader finds the fault.
import { STATUS_CODES } from 'node:http';
import { Type, type Static } from '@sinclair/typebox';
import { headerOf, type HttpAnswer } from './http-answer.ts';

export const HttpErrorSchema = Type.Object(
  {
    status: Type.Integer({ minimum: 100, maximum: 599 }),
    body: Type.Optional(Type.Unknown({ description: 'a string is sent as is (text/plain); anything else as JSON' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);
export type HttpErrorParams = Static<typeof HttpErrorSchema>;

export function httpErrorAnswer(params: HttpErrorParams, rule: string): HttpAnswer {
  const headers: string[] = [];
  for (const [name, value] of Object.entries(params.headers ?? {})) headers.push(name.toLowerCase(), value);
  const body = params.body ?? { error: STATUS_CODES[params.status] ?? 'Error', standinFault: rule };
  const answer = { status: params.status, headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
  if (headerOf(answer, 'content-type') === undefined) headers.push('content-type', typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json');
  return answer;
}
