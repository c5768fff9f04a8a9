// The server side of TLS over a client's linked connection. tls.TLSSocket is given carriedStream,
// so the link's toxics still see the encrypted bytes, and a `reset` cut of the TLS session resets
// the TCP connection under it (the TLS socket itself has no handle to reset).
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { carriedStream } from './carried-stream.ts';
import { cutConnection } from './cut.ts';

export function serverTls(socket: Duplex, options: Pick<tls.TLSSocketOptions, 'secureContext' | 'ALPNProtocols'>): tls.TLSSocket {
  const secured = new tls.TLSSocket(carriedStream(socket), { ...options, isServer: true });
  secured.on('error', () => {}); // a failed handshake ends this connection only; its reader sees the close
  secured.resetAndDestroy = () => {
    cutConnection(socket, 'reset');
    return secured.destroy();
  };
  return secured;
}
