// The link layer: the TCP listener every twin kind puts in front of its own port, and the point
// `connection` where Toxiproxy's toxics act on the bytes in each direction: latency, bandwidth,
// slicer, limit_data, reset_peer, timeout, slow_close (one module each) and down (the listener).
// A rule's `match.direction` is Toxiproxy's `stream` (default downstream), `trigger.probability`
// its `toxicity`, decided once per connection; every firing rule stacks, oldest first.
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { definePoint } from '../fault-point.ts';
import { LinkSocket } from './link-socket.ts';
import { connectionActions } from './toxics.ts';

export type { LinkInfo } from './link-listener.ts';
export type { LinkStats } from './link.ts';
export { LinkSocket } from './link-socket.ts';
export { CONNECTION_POINT } from './link-listener.ts';
export { listenHttpLinked } from './http-linked.ts';
export { listenLinked, type LinkServer } from './listen-linked.ts';
export { DIRECTIONS, type Direction, type CloseHow } from './toxic.ts';
export { cutConnection } from './cut.ts';
export { TOXICS } from './toxics.ts';

export const connectionPoint = definePoint({
  name: 'connection',
  description: 'TCP link of each client connection: Toxiproxy toxics per direction',
  match: Type.Object(
    {
      direction: Type.Optional(
        Type.Union([Type.Literal('upstream'), Type.Literal('downstream')], {
          description: 'upstream = client → twin, downstream = twin → client (default, as Toxiproxy)',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  actions: connectionActions,
  // An absent direction means downstream, not "both": Toxiproxy's default stream.
  matches: (match, event) => (match.direction ?? 'downstream') === event.direction,
});

/**
 * Joins a linked connection to an upstream socket, both ways, half-closes included. The bytes go
 * from one socket to the other with no stream in between while no toxic acts, so a proxy costs
 * what `socket.pipe(upstream)` costs. A Duplex that is not a linked one is simply piped.
 */
export function pipeLinked(socket: Duplex, upstream: net.Socket): void {
  if (socket instanceof LinkSocket) return socket.attach(upstream);
  socket.pipe(upstream);
  upstream.pipe(socket);
  socket.on('error', () => upstream.destroy());
  upstream.on('error', () => socket.destroy());
}
