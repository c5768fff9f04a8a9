// The port of an HTTP-speaking twin (http, stripe, oidc): its node:http server fed by the link
// layer, with the timeouts a listening Node server enforces. Node keeps its header and request
// deadlines on the connections of a server that emitted 'listening'; one fed through
// `emit('connection')` never does, so a client sending its request line a byte a minute held the
// connection for ever (slowloris). Here they come from `ctx.limits`.
import type http from 'node:http';
import type { TwinContext } from '../twin.ts';
import { listenLinked, type LinkServer } from './listen-linked.ts';

/** Node checks the deadlines on a timer; at most this often, however small the limits. */
const MIN_CHECK_INTERVAL_MS = 50;
/** Node's own default check interval. */
const MAX_CHECK_INTERVAL_MS = 30_000;

/**
 * Listens on host:port and serves every linked connection with `server`: a request whose headers
 * take longer than `limits.headersTimeoutMs`, or that is not complete within `requestTimeoutMs`, is
 * answered 408 and closed (as Node answers it); a keep-alive connection idle for `idleTimeoutMs`
 * (or the twin's own shorter keepAliveTimeout) is closed.
 */
export async function listenHttpLinked(
  ctx: TwinContext,
  server: http.Server,
  options: { host?: string; port?: number },
): Promise<LinkServer> {
  const { headersTimeoutMs, requestTimeoutMs, idleTimeoutMs } = ctx.limits;
  server.requestTimeout = requestTimeoutMs;
  // Node's rule: the headers' deadline is within the request's.
  server.headersTimeout = Math.min(headersTimeoutMs, requestTimeoutMs);
  server.keepAliveTimeout = server.keepAliveTimeout > 0 ? Math.min(server.keepAliveTimeout, idleTimeoutMs) : idleTimeoutMs;
  // A quarter of the shorter deadline: a connection is closed at most 25% past it.
  // (createServer's option, kept on the server and read when the checking starts; untyped there.)
  const checked = server as http.Server & { connectionsCheckingInterval: number };
  checked.connectionsCheckingInterval = Math.min(MAX_CHECK_INTERVAL_MS, Math.max(MIN_CHECK_INTERVAL_MS, Math.floor(server.headersTimeout / 4)));
  // What a listening server does on 'listening': create the connection list each request parser
  // registers in, and start the timer that answers 408 to those past a deadline.
  server.emit('listening');
  const link = await listenLinked(ctx, options, (socket) => server.emit('connection', socket));
  const closeLink = link.close;
  link.close = async () => {
    // Stops Node's check timer (it holds the server) and closes idle connections; the link closes the rest.
    server.close();
    await closeLink();
  };
  return link;
}
