// `corrupt {how}`: the answer arrives complete at the HTTP level but its payload is wrong.
//   truncate            the body cut at a seeded point, with a Content-Length that matches the cut
//   malformed-json      a stray comma before the final } or ] (other bodies: cut at a seeded point
//                       and ended with a comma), so every strict JSON parser fails
//   wrong-content-type  the body unchanged under a Content-Type the client does not expect
//   empty               status 200 and no body at all
// A twin may add corruptions of its own (oidc: issuer-mismatch, wrong-state…) beside these.
import { Type, type TLiteral, type TObject, type TUnion } from '@sinclair/typebox';
import type { Rng } from '../rng.ts';
import { headerOf, withHeader, type HttpAnswer } from './http-answer.ts';

export const COMMON_CORRUPTIONS = {
  truncate: 'the body cut at a seeded point, Content-Length matching the cut',
  'malformed-json': 'a stray comma before the final } or ], so no strict JSON parser accepts it',
  'wrong-content-type': 'the same bytes under a Content-Type the client does not expect',
  empty: 'status 200 with an empty body',
} as const;
export type CommonCorruption = keyof typeof COMMON_CORRUPTIONS;
const COMMON = Object.keys(COMMON_CORRUPTIONS) as CommonCorruption[];

/** The `corrupt` schema: the common corruptions, plus those of the twin's own this point offers
 * (`own`: how → description; `Own` names all the twin has, so its points share one decision type). */
export function corruptSchema<Own extends string = never>(
  own?: Readonly<Partial<Record<Own, string>>>,
): TObject<{ how: TUnion<Array<TLiteral<CommonCorruption | Own>>> }> {
  const descriptions: Record<string, string | undefined> = { ...COMMON_CORRUPTIONS, ...own };
  const hows = [...COMMON, ...(Object.keys(own ?? {}) as Own[])];
  return Type.Object(
    {
      how: Type.Union(
        hows.map((how) => Type.Literal(how)),
        { description: hows.map((how) => `${how}: ${descriptions[how]}`).join('; ') },
      ),
    },
    { additionalProperties: false },
  );
}

export function isCommonCorruption(how: string): how is CommonCorruption {
  return how in COMMON_CORRUPTIONS;
}

export function corruptAnswer(answer: HttpAnswer, how: CommonCorruption, rng: Rng): HttpAnswer {
  const { body } = answer;
  switch (how) {
    case 'truncate':
      return { ...answer, body: body.subarray(0, body.length <= 1 ? 0 : rng.between(1, body.length - 1)) };
    case 'malformed-json': {
      const malformed = withHeader(answer, 'content-type', headerOf(answer, 'content-type') ?? 'application/json');
      return { ...malformed, body: malformJson(body, rng) };
    }
    case 'wrong-content-type': {
      const current = headerOf(answer, 'content-type') ?? '';
      return withHeader(answer, 'content-type', current.includes('html') ? 'application/octet-stream' : 'text/html; charset=utf-8');
    }
    case 'empty':
      return { ...answer, status: 200, body: Buffer.alloc(0) };
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
