// `disconnect {after?, bytes?, reset?}`, one meaning on every HTTP-speaking twin:
//   after: 'request' (default)   the connection is cut before a byte of the answer is sent
//   after: 'partial-response'    the answer's head is sent, then `bytes` bytes of its body (default
//                                half of it, never all of it), then the cut
// The cut is a FIN, or a TCP RST with `reset: true` (the client sees ECONNRESET rather than an early
// end of stream). Whether the request ran first is the twin's to say: on the http twin and oidc the
// answer must exist to be cut, so it ran; stripe adds `after: 'request-ran'` for the lost answer.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import { cutConnection } from '../link/cut.ts';
import { writeAnswerHead, type HttpAnswer } from './http-answer.ts';

export const DisconnectFields = {
  bytes: Type.Optional(Type.Integer({ minimum: 0, description: 'with partial-response: body bytes sent before the cut (default half the body, never all of it)' })),
  reset: Type.Optional(Type.Boolean({ description: 'cut with a TCP RST instead of a FIN' })),
};

export const DisconnectSchema = Type.Object(
  {
    after: Type.Optional(
      Type.Union([Type.Literal('request'), Type.Literal('partial-response')], {
        description: 'request: cut before answering (default); partial-response: cut part-way through the body',
      }),
    ),
    ...DisconnectFields,
  },
  { additionalProperties: false },
);
export type DisconnectParams = Static<typeof DisconnectSchema>;

/** The parameters the cut itself reads, whichever twin's disconnect schema they came from. */
export interface CutParams {
  bytes?: number;
  reset?: boolean;
}

/** Cuts the connection now, before anything of the answer is sent. */
export function disconnectNow(socket: Duplex | null | undefined, params: CutParams): void {
  cutConnection(socket, params.reset === true ? 'reset' : 'close');
}

/** How many body bytes a partial response sends: `bytes`, by default half, never the whole body. */
export function partialLength(bodyLength: number, params: CutParams): number {
  return Math.max(0, Math.min(params.bytes ?? Math.floor(bodyLength / 2), bodyLength - 1));
}

/** Sends the head and part of the body, then cuts the connection. */
export function sendPartial(res: ServerResponse, answer: HttpAnswer, params: CutParams): void {
  const socket = res.socket;
  writeAnswerHead(res, answer);
  // Cut only once the part has reached the socket: destroying earlier would discard it unsent.
  res.write(answer.body.subarray(0, partialLength(answer.body.length, params)), () => disconnectNow(socket, params));
}
