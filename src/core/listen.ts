// Listening on a port, with the errors a user can act on.
import type { Server } from 'node:net';
import { StandinError } from './errors.ts';

/** Listens and resolves with the bound port; a taken port is STANDIN_ERR_TWIN_PORT_IN_USE. */
export function listen(server: Server, host: string, port: number, twin: string): Promise<number> {
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
