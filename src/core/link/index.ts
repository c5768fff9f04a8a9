// The link layer: the TCP listener every twin kind puts in front of its own port, and the point
// `connection` where Toxiproxy-style toxics act on the bytes in each direction.
//
// PLACEHOLDER: passes sockets straight through; the toxics (latency, bandwidth, slicer, limit_data,
// reset_peer, timeout, slow_close, down) are being written. The API below is stable.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FaultPointSpec } from '../fault-rule.ts';
import { closeServer, listen } from '../listen.ts';
import type { TwinContext } from '../twin.ts';

export const connectionPoint: FaultPointSpec = {
  name: 'connection',
  description: 'TCP link of each client connection: Toxiproxy toxics per direction',
  match: Type.Object(
    { direction: Type.Optional(Type.Union([Type.Literal('upstream'), Type.Literal('downstream')])) },
    { additionalProperties: false },
  ),
  actions: {},
};

export interface LinkInfo {
  /** Sequential per twin, from 1. */
  id: number;
  remoteAddress: string;
  remotePort: number;
}

export interface LinkServer {
  host: string;
  port: number;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
}

/**
 * Listens on host:port and hands each accepted client connection to `handler` as a Duplex whose
 * bytes pass through the twin's `connection` rules. An HTTP twin passes it to its http.Server with
 * `server.emit('connection', socket)`; a protocol twin reads and writes it directly.
 */
export async function listenLinked(
  ctx: TwinContext,
  options: { host?: string; port?: number },
  handler: (socket: Duplex, info: LinkInfo) => void,
): Promise<LinkServer> {
  const host = options.host ?? ctx.host;
  const sockets = new Set<net.Socket>();
  let nextId = 1;
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    handler(socket, { id: nextId++, remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 });
  });
  const port = await listen(server, host, options.port ?? 0, ctx.name);
  return {
    host,
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}
