// Listening on a port, with the errors a user can act on.
import type { Server } from 'node:net';
import { StandinError } from './errors.ts';
import type { PortRange } from './port-range.ts';

/**
 * Listens and resolves with the bound port; a taken port is STANDIN_ERR_TWIN_PORT_IN_USE. Port 0
 * with a `range` (--twin-ports) takes the first free port of the range instead of any free one;
 * a range with none free is STANDIN_ERR_TWIN_PORTS_EXHAUSTED.
 */
export async function listen(server: Server, host: string, port: number, twin: string, range?: PortRange): Promise<number> {
  if (port !== 0 || range === undefined) return listenOnce(server, host, port, twin);
  for (const candidate of range.candidates()) {
    try {
      const bound = await listenOnce(server, host, candidate, twin);
      range.taken(bound);
      return bound;
    } catch (error) {
      // Taken by another twin or another process: the next one. Anything else is not about the port.
      if (!(error instanceof StandinError && error.code === 'STANDIN_ERR_TWIN_PORT_IN_USE')) throw error;
    }
  }
  throw new StandinError('STANDIN_ERR_TWIN_PORTS_EXHAUSTED', { twin, host, range: range.toString(), size: range.size });
}

function listenOnce(server: Server, host: string, port: number, twin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        reject(new StandinError('STANDIN_ERR_TWIN_PORT_IN_USE', { twin, host, port }, { cause: error }));
      } else reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/** `http://host:port` with IPv6 hosts bracketed. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
