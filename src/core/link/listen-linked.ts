// listenLinked: a twin's port behind the link layer, and what the twin can do with it.
import type { TwinContext } from '../twin.ts';
import { LinkListener, type LinkInfo } from './link-listener.ts';
import type { LinkStats } from './link.ts';
import type net from 'node:net';

export interface LinkServer {
  host: string;
  port: number;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
  /** Toxiproxy's `enabled`: false closes the port and open connections; resolves once applied. */
  setEnabled(enabled: boolean): Promise<void>;
  readonly enabled: boolean;
  /** Open connections with their byte counts and active toxics. */
  connections(): LinkStats[];
  /** Connections accepted so far, open now, and bytes from / to clients (closed ones included). */
  totals(): { accepted: number; open: number; bytesIn: number; bytesOut: number };
  /** Closes every open connection, keeps listening. */
  closeConnections(): void;
}

/**
 * Listens on host:port and hands each accepted client connection to `handler` as its own
 * net.Socket, whose bytes pass through the twin's `connection` rules while any acts on it. An HTTP twin passes it to its http.Server with
 * `server.emit('connection', socket)`; a protocol twin reads and writes it directly; a proxy calls
 * `pipeLinked(socket, upstream)`.
 */
export async function listenLinked(
  ctx: TwinContext,
  options: { host?: string; port?: number },
  handler: (socket: net.Socket, info: LinkInfo) => void,
): Promise<LinkServer> {
  const listener = new LinkListener(ctx, options.host ?? ctx.host, options.port ?? 0, handler);
  await listener.start();
  return {
    host: listener.host,
    get port() {
      return listener.port;
    },
    close: () => listener.close(),
    setEnabled: (enabled) => listener.setEnabled(enabled),
    get enabled() {
      return listener.enabled;
    },
    connections: () => listener.connections(),
    totals: () => listener.totals(),
    closeConnections: () => listener.closeConnections(),
  };
}
