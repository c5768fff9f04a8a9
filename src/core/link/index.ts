// The link layer: the TCP listener every twin kind puts in front of its own port, and the point
// `connection` where Toxiproxy's toxics act on the bytes in each direction: latency, bandwidth,
// slicer, limit_data, reset_peer, timeout, slow_close (one module each) and down (the listener).
// A rule's `match.direction` is Toxiproxy's `stream` (default downstream), `trigger.probability`
// its `toxicity`, decided once per connection; every firing rule stacks, oldest first.
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { LinkSocket } from './link-socket.ts';

export type { LinkInfo } from './link-listener.ts';
export type { LinkStats } from './link.ts';
export { LinkSocket } from './link-socket.ts';
export { listenHttpLinked } from './http-linked.ts';
export { listenLinked, type LinkServer } from './listen-linked.ts';
export { DIRECTIONS, type Direction, type CloseHow } from './toxic.ts';
export { cutConnection } from './cut.ts';
export { connectionPoint } from './connection-point.ts';
export { TOXICS } from './toxics.ts';


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
