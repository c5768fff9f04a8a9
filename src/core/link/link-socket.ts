// The Duplex a twin gets for each client connection. It looks enough like a net.Socket for
// http.Server (`server.emit('connection', socket)`) and protocol code: addresses, setNoDelay,
// setKeepAlive, setTimeout, destroySoon, resetAndDestroy. Its bytes travel through the link's lanes.
import type net from 'node:net';
import { Duplex } from 'node:stream';

/** What the socket needs of its link (implemented by Link). */
export interface LinkSocketHost {
  readonly client: net.Socket;
  /** The twin read what was pushed; the client may send more. */
  readDrained(): void;
  /** Bytes the twin writes to the client. */
  writeFromTwin(chunk: Buffer): void;
  endFromTwin(): void;
  /** The twin destroyed its side. */
  twinGone(error: Error | null): void;
  reset(): void;
  attach(upstream: net.Socket): void;
}

export class LinkSocket extends Duplex {
  private blocked = false;
  private pendingWrite: ((error?: Error | null) => void) | undefined;

  constructor(private readonly host: LinkSocketHost) {
    // Like a socket from a default net.Server: when the client's FIN arrives the twin's side ends
    // too once its writes are out, unless the twin keeps it open itself. (Proxies do not use this
    // Duplex; `pipeLinked` carries half-closes both ways.)
    super({ allowHalfOpen: false });
  }

  get remoteAddress(): string | undefined {
    return this.host.client.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.host.client.remotePort;
  }
  get remoteFamily(): string | undefined {
    return this.host.client.remoteFamily;
  }
  get localAddress(): string | undefined {
    return this.host.client.localAddress;
  }
  get localPort(): number | undefined {
    return this.host.client.localPort;
  }
  /** Bytes read from and written to the client, as on the client's socket. */
  get bytesRead(): number {
    return this.host.client.bytesRead;
  }
  get bytesWritten(): number {
    return this.host.client.bytesWritten;
  }

  address(): ReturnType<net.Socket['address']> {
    return this.host.client.address();
  }

  /** The client socket always has Nagle off; toxics, not Nagle, decide how bytes are grouped. */
  setNoDelay(): this {
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.host.client.setKeepAlive(enable, initialDelay);
    return this;
  }

  /** Idle timeout of the client connection; 'timeout' is emitted here. */
  setTimeout(ms: number, callback?: () => void): this {
    this.host.client.setTimeout(ms);
    if (callback) this.once('timeout', callback);
    return this;
  }

  /** Ends the write side and destroys once it is flushed, like net.Socket's. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Closes the client connection with a TCP RST. */
  resetAndDestroy(): this {
    this.host.reset();
    return this;
  }

  /** Makes `upstream` this connection's far end (see `pipeLinked`). */
  attach(upstream: net.Socket): void {
    this.host.attach(upstream);
  }

  /** Back-pressure from the client lane: hold write callbacks until `unblock`. */
  block(): void {
    this.blocked = true;
  }

  unblock(): void {
    this.blocked = false;
    const callback = this.pendingWrite;
    this.pendingWrite = undefined;
    callback?.();
  }

  override _read(): void {
    this.host.readDrained();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.host.writeFromTwin(chunk);
    if (this.blocked) this.pendingWrite = callback;
    else callback();
  }

  /** Corked writes (http.Server corks a response) go to the client as one write, one segment. */
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const data = chunks.length === 1 ? (chunks[0] as { chunk: Buffer }).chunk : Buffer.concat(chunks.map((c) => c.chunk));
    this._write(data, 'binary', callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.host.endFromTwin();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A write held back by the client lane is dropped with the stream, not completed.
    this.pendingWrite = undefined;
    this.host.twinGone(error);
    callback(error);
  }
}
