// `error {status, body?, headers?}`: answer with this status instead of the stub's answer. Without a
// body, a small JSON body names the status and the rule, so a confused reader can find the fault.
import { STATUS_CODES } from 'node:http';
import { Type, type Static } from '@sinclair/typebox';
import { bodyResponse, flatHeaders, type WireResponse } from '../wire-response.ts';

export const ErrorActionSchema = Type.Object(
  {
    status: Type.Integer({ minimum: 100, maximum: 599 }),
    body: Type.Optional(Type.Unknown({ description: 'a string is sent as is; anything else as JSON' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);
export type ErrorAction = Static<typeof ErrorActionSchema>;

export function errorResponse(params: ErrorAction, rule: string): WireResponse {
  const body = params.body ?? { error: STATUS_CODES[params.status] ?? 'Error', standinFault: rule };
  return bodyResponse(params.status, body, flatHeaders(params.headers));
}
