// The link layer: the TCP listener every twin kind puts in front of its own port, and the point
// `connection` where Toxiproxy's toxics act on the bytes in each direction: latency, bandwidth,
// slicer, limit_data, reset_peer, timeout, slow_close (one module each) and down (the listener).
// A rule's `match.direction` is Toxiproxy's `stream` (default downstream), `trigger.probability`
// its `toxicity`, decided once per connection; every firing rule stacks, oldest first.
import type net from 'node:net';
import { cutConnection } from './cut.ts';

export type { LinkInfo } from './link-listener.ts';
export type { LinkStats } from './link.ts';
export { listenHttpLinked } from './http-linked.ts';
export { listenLinked, type LinkServer } from './listen-linked.ts';
export { DIRECTIONS, type Direction, type CloseHow } from './toxic.ts';
export { cutConnection } from './cut.ts';
export { carriedStream } from './carried-stream.ts';
export { serverTls } from './server-tls.ts';
export { connectionPoint } from './connection-point.ts';
export { TOXICS } from './toxics.ts';


/**
 * Joins a linked connection to an upstream socket, both ways, half-closes included (a FIN from
 * either end reaches the other while it may still send). While no toxic acts this is exactly
 * `socket.pipe(upstream)` and back. A pipe does not carry a close: when the client's connection
 * goes the upstream one is destroyed, and when the upstream goes the client gets what is in flight
 * and then a FIN, or an RST if the upstream was reset.
 */
export function pipeLinked(socket: net.Socket, upstream: net.Socket): void {
  socket.allowHalfOpen = true;
  socket.pipe(upstream);
  upstream.pipe(socket);
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ECONNRESET') cutConnection(socket, 'reset');
  });
  upstream.on('close', () => {
    if (!socket.destroyed) socket.destroySoon();
  });
}
