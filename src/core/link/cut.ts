// Cutting a client connection, the one way every twin does it: `close` ends it with a FIN, `reset`
// with a TCP RST (a net.Socket resets; any other Duplex, e.g. a TLS socket over a
// plain stream, can only be destroyed). The `disconnect` action and the protocol errors that close a
// session all end here, so "reset" means the same thing on every twin.
import type { Duplex } from 'node:stream';
import type { CloseHow } from './toxic.ts';

export function cutConnection(socket: Duplex | null | undefined, how: CloseHow): void {
  if (!socket || socket.destroyed) return;
  const resettable = socket as Duplex & { resetAndDestroy?: () => void };
  // Once `end()` has started a shutdown that is not done, libuv refuses the reset
  // (uv_tcp_close_reset: EINVAL) and Node (20–24) then never closes the handle: the descriptor
  // leaks, 'close' never comes, and at exit the process spins in its handle cleanup forever. Our FIN
  // is on its way then, so a plain destroy is the closest thing to a reset.
  const shuttingDown = socket.writableEnded && !socket.writableFinished;
  if (how === 'reset' && !shuttingDown && typeof resettable.resetAndDestroy === 'function') resettable.resetAndDestroy();
  else socket.destroy();
}
