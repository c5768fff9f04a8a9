// A linked socket as a plain Duplex, for a layer built on top of it. tls.TLSSocket given a
// net.Socket takes the socket's handle and reads and writes it in C++, past `push` and `_write`,
// so the link's toxics would never see the encrypted bytes; given any other Duplex it goes through
// that stream's JavaScript methods, as it did when twins were handed a Duplex of the link's own.
import net from 'node:net';
import { Duplex } from 'node:stream';

/** `socket` wrapped so that what reads and writes it goes through its stream methods. */
export function carriedStream(socket: Duplex): Duplex {
  if (!(socket instanceof net.Socket)) return socket;
  const carrier = new Duplex({
    read: () => void socket.resume(),
    write: (chunk: Buffer, encoding, callback) => void socket.write(chunk, encoding, callback),
    final: (callback) => {
      socket.end();
      callback();
    },
    destroy: (error, callback) => {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!carrier.push(chunk)) socket.pause();
  });
  socket.on('end', () => carrier.push(null));
  socket.on('error', (error) => carrier.destroy(error));
  socket.on('close', () => carrier.destroy());
  return carrier;
}
