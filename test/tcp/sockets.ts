// Real sockets for the tcp tests: an echo upstream and small client helpers.
import net from 'node:net';
import { once } from 'node:events';

export interface EchoServer {
  port: number;
  address: string;
  /** Connections the echo server accepted. */
  accepted(): number;
  close(): Promise<void>;
}

export async function startEcho(): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer({ noDelay: true }, (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  return socket;
}

/** Writes `payload` and resolves with the ms until as many bytes came back. */
export function roundTrip(socket: net.Socket, payload: Buffer, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let got = 0;
    const onData = (chunk: Buffer): void => {
      got += chunk.length;
      if (got >= payload.length) finish(null);
    };
    const onClose = (): void => finish(new Error(`closed after ${got} of ${payload.length} bytes`));
    const timer = setTimeout(() => finish(new Error(`no echo of ${payload.length} bytes in ${timeoutMs} ms (got ${got})`)), timeoutMs);
    const finish = (error: Error | null): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve(performance.now() - started);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(payload);
  });
}

export interface Ending {
  bytes: number;
  chunks: Buffer[];
  error: NodeJS.ErrnoException | undefined;
  /** ms from the call until 'close'. */
  ms: number;
}

/** Collects what arrives until the socket closes (or `timeoutMs` passes: then `ms` is Infinity). */
export function collectUntilClose(socket: net.Socket, timeoutMs = 10_000): Promise<Ending> {
  return new Promise((resolve) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let error: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(() => done(Infinity), timeoutMs);
    const done = (ms: number): void => {
      clearTimeout(timer);
      resolve({ bytes: chunks.reduce((n, c) => n + c.length, 0), chunks, error, ms });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e;
    });
    socket.on('close', () => done(performance.now() - started));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects, retrying refused attempts for up to `ms` (a port coming back after `down`). */
export async function connectEventually(port: number, ms = 5000): Promise<net.Socket> {
  const deadline = performance.now() + ms;
  for (;;) {
    try {
      return await connect(port);
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

/** The error a connection attempt ends with, or undefined if it connected. */
export async function connectError(port: number): Promise<NodeJS.ErrnoException | undefined> {
  try {
    const socket = await connect(port);
    socket.destroy();
    return undefined;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

export function portOf(address: string | undefined): number {
  return Number(address?.split(':').at(-1));
}
