// Awaitable message reading for the handshake phases (client startup, upstream login), where the
// flow is request/answer. Once a session is up the relay reads with plain 'data' events instead.
import type { Duplex } from 'node:stream';
import { WireReader, type Frame } from './wire-reader.ts';

export class ConnectionClosed extends Error {
  constructor() {
    super('connection closed');
  }
}

export class FrameSource {
  private waiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer): void => {
    this.reader.push(chunk);
    this.wake();
  };
  private readonly onClose = (): void => this.fail(new ConnectionClosed());
  private readonly onError = (error: Error): void => this.fail(error);

  constructor(
    readonly socket: Duplex,
    readonly reader: WireReader,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onClose);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  /** The next message; rejects when the peer closes, or with FrameError on garbage. */
  async next(limit?: number): Promise<Frame> {
    for (;;) {
      const frame = this.reader.next(limit);
      if (frame) return frame;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
    }
  }

  /** The first unread byte, left unread: how a connection opens tells what it speaks. */
  async firstByte(): Promise<number> {
    for (;;) {
      const byte = this.reader.peek();
      if (byte !== undefined) return byte;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
    }
  }

  /** The peer half-closed (or the socket failed) while this source listened. */
  get ended(): boolean {
    return this.failure !== undefined;
  }

  /** Stops listening; the reader keeps whatever arrived after the last message taken. */
  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onClose);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }
}
