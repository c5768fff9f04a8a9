// `disconnect {after?, bytes?, reset?}`: the connection goes away before the answer (after:
// 'request', the default) or part-way through its body (after: 'partial-response': the head and
// `bytes` of the body, by default half of it, never all of it). `reset` sends a TCP RST instead of a
// clean FIN, so the client sees ECONNRESET rather than an early end of stream.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Static } from '@sinclair/typebox';
import type { CommonActions } from '../../../src/core/index.ts';
import { writeHead, type WireResponse } from '../wire-response.ts';

export type DisconnectAction = Static<typeof CommonActions.disconnect>;

export function cutConnection(socket: Duplex | null, reset: boolean): void {
  if (socket === null) return;
  // The link layer's LinkSocket and net.Socket both reset; any other Duplex can only close.
  const resettable = socket as Partial<Pick<Socket, 'resetAndDestroy'>>;
  if (reset && typeof resettable.resetAndDestroy === 'function') resettable.resetAndDestroy();
  else socket.destroy();
}

export function sendPartial(res: ServerResponse, response: WireResponse, params: DisconnectAction): void {
  const socket = res.socket;
  const length = response.body.length;
  const bytes = Math.max(0, Math.min(params.bytes ?? Math.floor(length / 2), length - 1));
  writeHead(res, response);
  // Cut only once the part has reached the socket: destroying earlier would discard it unsent.
  res.write(response.body.subarray(0, bytes), () => cutConnection(socket, params.reset === true));
}
