// `corrupt {how}`: the answer arrives complete at the HTTP level but its payload is wrong.
//   truncate            the body cut at a seeded point, Content-Length matching the cut body
//   malformed-json      a stray comma before the final } or ] (or at a seeded cut of other
//                       bodies), so every strict JSON parser fails
//   wrong-content-type  the body unchanged under a Content-Type the client does not expect
import { Type, type Static } from '@sinclair/typebox';
import type { Rng } from '../../../src/core/index.ts';
import { headerOf, withHeader, type WireResponse } from '../wire-response.ts';

export const CorruptActionSchema = Type.Object(
  {
    how: Type.Union([Type.Literal('truncate'), Type.Literal('malformed-json'), Type.Literal('wrong-content-type')]),
  },
  { additionalProperties: false },
);
export type CorruptAction = Static<typeof CorruptActionSchema>;

export function corrupt(response: WireResponse, params: CorruptAction, rng: Rng): WireResponse {
  const { body } = response;
  switch (params.how) {
    case 'truncate':
      return { ...response, body: body.subarray(0, body.length <= 1 ? 0 : rng.between(1, body.length - 1)) };
    case 'malformed-json': {
      const malformed = withHeader(response, 'content-type', headerOf(response, 'content-type') ?? 'application/json');
      return { ...malformed, body: malformJson(body, rng) };
    }
    case 'wrong-content-type': {
      const current = headerOf(response, 'content-type') ?? '';
      return withHeader(response, 'content-type', current.includes('html') ? 'application/octet-stream' : 'text/html; charset=utf-8');
    }
  }
}

function malformJson(body: Buffer, rng: Rng): Buffer {
  let end = body.length;
  while (end > 0 && isSpace(body[end - 1] as number)) end--;
  const last = body[end - 1];
  if (last === 0x7d /* } */ || last === 0x5d /* ] */) {
    return Buffer.concat([body.subarray(0, end - 1), Buffer.from(','), body.subarray(end - 1)]);
  }
  // No JSON text ends with a comma outside a string, and inside one the string is unterminated.
  const cut = end <= 1 ? end : rng.between(1, end - 1);
  return Buffer.concat([body.subarray(0, cut), Buffer.from(',')]);
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
