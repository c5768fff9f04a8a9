// Cutting a client connection, the one way every twin does it: `close` ends it with a FIN, `reset`
// with a TCP RST (a LinkSocket or net.Socket resets; any other Duplex, e.g. a TLS socket over a
// plain stream, can only be destroyed). The `disconnect` action and the protocol errors that close a
// session all end here, so "reset" means the same thing on every twin.
import type { Duplex } from 'node:stream';
import type { CloseHow } from './toxic.ts';

export function cutConnection(socket: Duplex | null | undefined, how: CloseHow): void {
  if (!socket || socket.destroyed) return;
  const resettable = socket as Duplex & { resetAndDestroy?: () => void };
  // A shutdown under way cannot be reset (see resetOrDestroy in link.ts): our FIN is already going.
  const shuttingDown = socket.writableEnded && !socket.writableFinished;
  if (how === 'reset' && !shuttingDown && typeof resettable.resetAndDestroy === 'function') resettable.resetAndDestroy();
  else socket.destroy();
}
