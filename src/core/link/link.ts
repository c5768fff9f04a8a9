// One client connection through the link layer. The twin gets the client's own net.Socket: while
// no toxic acts on the connection nothing stands between the socket and the protocol server (the
// fast path, what a bare Node server costs). The first toxic splices the two lanes (upstream =
// client → twin, downstream = twin → client) into that live socket by giving it its own stream
// methods; when the last toxic leaves, the socket gets its prototype's methods back.
//
// Why splicing cannot lose or reorder bytes: every byte from the client reaches the stream through
// `push` (libuv's read callback calls it), and every byte to the client leaves through `_write`/
// `_writev`, which a Writable calls one batch at a time. Swapping those methods between two calls
// changes where the next byte goes, never a byte already on its way; a toxic that leaves hands on
// what it holds synchronously (Toxic.flush) before the methods are restored.
import net from 'node:net';
import { cutConnection } from './cut.ts';
import { Lane } from './lane.ts';
import type { CloseHow, Direction, Toxic, ToxicOutlet } from './toxic.ts';

export interface LinkStats {
  id: number;
  remoteAddress: string;
  remotePort: number;
  /** Bytes received from the client. */
  bytesIn: number;
  /** Bytes sent to the client. */
  bytesOut: number;
  openedAt: number;
  /** Rule ids of the toxics acting on each direction, in chain order. */
  toxics: Record<Direction, string[]>;
}

type Callback = (error?: Error | null) => void;

/** The stream methods a spliced socket gets in place of its prototype's. */
interface SocketHooks {
  push(chunk: Buffer | null): boolean;
  _read(size: number): void;
  _write(chunk: Buffer | string, encoding: BufferEncoding, callback: Callback): void;
  _writev(chunks: Array<{ chunk: Buffer | string; encoding: BufferEncoding }>, callback: Callback): void;
  _final(callback: Callback): void;
  _destroy(error: Error | null, callback: Callback): void;
}

const HOOKED = ['push', '_read', '_write', '_writev', '_final', '_destroy'] as const satisfies ReadonlyArray<keyof SocketHooks>;

/** The prototype's own methods, which the lanes' ends call to reach the socket's handle. */
const proto = net.Socket.prototype as unknown as SocketHooks;

/** Bytes handed to the socket's handle and not yet written, above which the downstream lane pauses. */
const UNSENT_HIGH_WATER = 64 * 1024;

const ignore = (): void => {};

/** The encoding net.Socket's own writes pass with a Buffer ('buffer' is not a BufferEncoding in the types). */
const BUFFER = 'buffer' as BufferEncoding;

export class Link {
  readonly upstream: Lane;
  readonly downstream: Lane;
  readonly openedAt = Date.now();
  private state: 'open' | 'closing' | 'closed' = 'open';
  private spliced = false;
  /** The upstream lane asked its source (the socket's reads) to stop. */
  private readsPaused = false;
  /** The downstream lane asked its source (the twin's writes) to stop: the last write's callback waits. */
  private writesPaused = false;
  private heldWrite: Callback | undefined;
  private unsent = 0;
  private congested = false;
  /** The twin's end(), waiting for the FIN to leave the downstream lane. */
  private heldFinal: Callback | undefined;
  /** The twin's destroy(), waiting for what the downstream lane holds to reach the client. */
  private heldDestroy: Callback | undefined;

  constructor(
    readonly id: number,
    readonly client: net.Socket,
    private readonly onClosed: (link: Link) => void,
  ) {
    const close = (how: CloseHow): void => this.close(how);
    this.upstream = new Lane(
      'upstream',
      { write: (chunk) => proto.push.call(client, chunk), end: () => void proto.push.call(client, null) },
      {
        pause: () => {
          this.readsPaused = true;
        },
        resume: () => {
          this.readsPaused = false;
          proto._read.call(client, 0);
        },
      },
      close,
    );
    this.downstream = new Lane(
      'downstream',
      { write: (chunk) => this.send(chunk), end: () => this.sendEnd() },
      {
        pause: () => {
          this.writesPaused = true;
        },
        resume: () => this.releaseWrite(),
      },
      close,
    );
    // 'close' always follows 'error'; the link is torn down there.
    client.on('error', ignore);
    client.on('close', () => this.finish());
  }

  get open(): boolean {
    return this.state === 'open';
  }

  /** Whether the lanes are spliced into the socket (some toxic acts, or has just left). */
  get linked(): boolean {
    return this.spliced;
  }

  lane(direction: Direction): Lane {
    return direction === 'upstream' ? this.upstream : this.downstream;
  }

  addToxic(direction: Direction, ruleId: string, create: (out: ToxicOutlet) => Toxic): void {
    if (this.state !== 'open') return;
    this.splice();
    this.lane(direction).add(ruleId, create);
  }

  /** Takes the rule's toxics out (what they hold goes on first); with none left, back to the fast path. */
  removeToxic(ruleId: string): void {
    this.upstream.remove(ruleId);
    this.downstream.remove(ruleId);
    if (!this.upstream.faulted && !this.downstream.faulted) this.unsplice();
  }

  /**
   * The twin has the socket now. A protocol server that reads the socket's handle itself
   * (http.Server's parser consumes it) would bypass `push`: on a spliced link, make it read through
   * the stream again.
   */
  handedOver(): void {
    if (this.spliced) this.readThroughStream();
  }

  /**
   * Ends the whole connection now. `close` sends a FIN once what the socket's handle already has
   * is written, then closes; what the twin had not written yet is dropped, as when Toxiproxy
   * closes a link. `reset` sends an RST.
   */
  close(how: CloseHow): void {
    if (this.state === 'closed') return;
    if (this.state === 'closing' && how === 'close') return;
    this.state = 'closing';
    this.upstream.destroy();
    this.downstream.destroy();
    const destroy = this.heldDestroy;
    this.heldFinal = this.heldDestroy = undefined;
    this.unsplice();
    const client = this.client;
    if (destroy) {
      // The twin destroyed the socket already; its handle stayed open for the lane: close it now.
      if (how === 'reset') (client as net.Socket & { resetAndClosing?: boolean }).resetAndClosing = true;
      if (how === 'reset') proto._destroy.call(client, null, destroy);
      else proto._final.call(client, () => proto._destroy.call(client, null, destroy));
      return;
    }
    if (how === 'reset') cutConnection(client, 'reset');
    else if (!client.destroyed) proto._final.call(client, () => client.destroy());
  }

  stats(): LinkStats {
    return {
      id: this.id,
      remoteAddress: this.client.remoteAddress ?? '',
      remotePort: this.client.remotePort ?? 0,
      bytesIn: this.client.bytesRead,
      bytesOut: this.client.bytesWritten,
      openedAt: this.openedAt,
      toxics: { upstream: this.upstream.toxics, downstream: this.downstream.toxics },
    };
  }

  private splice(): void {
    if (this.spliced) return;
    this.spliced = true;
    const hooks: SocketHooks = {
      push: (chunk) => {
        if (chunk === null) this.upstream.end();
        else this.upstream.write(chunk);
        return !this.readsPaused;
      },
      _read: (size) => {
        this.upstream.drained();
        if (!this.readsPaused) proto._read.call(this.client, size);
      },
      _write: (chunk, encoding, callback) => this.fromTwin(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk, callback),
      // Corked writes (http.Server corks a response) go to the client as one write, one segment.
      _writev: (chunks, callback) => {
        const buffers = chunks.map(({ chunk, encoding }) => (typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk));
        this.fromTwin(buffers.length === 1 ? (buffers[0] as Buffer) : Buffer.concat(buffers), callback);
      },
      _final: (callback) => {
        this.heldFinal = callback;
        this.downstream.end();
      },
      _destroy: (error, callback) => {
        // Destroyed by the twin with bytes still in a toxic: they reach the client, then the FIN,
        // then the handle closes (an error or a reset closes at once).
        const resetting = (this.client as net.Socket & { resetAndClosing?: boolean }).resetAndClosing === true;
        if (error || resetting || !this.downstream.faulted || this.downstream.ended) return proto._destroy.call(this.client, error, callback);
        this.heldDestroy = callback;
        this.downstream.end();
      },
    };
    Object.assign(this.client, hooks);
    this.readThroughStream();
  }

  private unsplice(): void {
    if (!this.spliced || this.heldFinal || this.heldDestroy) return;
    this.spliced = false;
    const own = this.client as unknown as Record<string, unknown>;
    for (const name of HOOKED) delete own[name];
    // Reads the lane stopped start again when the stream next asks (the prototype's _read).
    this.readsPaused = false;
  }

  /**
   * http.Server's parser reads the handle directly when it can; Node hands reading back to the
   * stream when a 'data' listener is added to such a socket (_http_server.js unconsume), so adding
   * and removing one is the public way to ask for it.
   */
  private readThroughStream(): void {
    if (!(this.client as net.Socket & { parser?: unknown }).parser) return;
    this.client.on('data', ignore);
    this.client.removeListener('data', ignore);
  }

  private fromTwin(chunk: Buffer, callback: Callback): void {
    this.downstream.write(chunk);
    if (this.writesPaused) this.heldWrite = callback;
    else callback();
  }

  private releaseWrite(): void {
    this.writesPaused = false;
    const callback = this.heldWrite;
    this.heldWrite = undefined;
    callback?.();
  }

  /** The downstream lane's end: the bytes go to the handle as the prototype writes them. */
  private send(chunk: Buffer): boolean {
    this.unsent += chunk.length;
    proto._write.call(this.client, chunk, BUFFER, () => this.sent(chunk.length));
    if (this.unsent <= UNSENT_HIGH_WATER) return true;
    this.congested = true;
    return false;
  }

  private sent(bytes: number): void {
    this.unsent -= bytes;
    if (this.congested && this.unsent <= UNSENT_HIGH_WATER / 2) {
      this.congested = false;
      this.downstream.drained();
    }
  }

  /** The FIN left the downstream lane: shut the write side down, then finish what waited for it. */
  private sendEnd(): void {
    const final = this.heldFinal;
    const destroy = this.heldDestroy;
    this.heldFinal = this.heldDestroy = undefined;
    proto._final.call(this.client, (error) => {
      final?.(error);
      if (destroy) proto._destroy.call(this.client, null, destroy);
    });
    if (!this.upstream.faulted && !this.downstream.faulted) this.unsplice();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.upstream.destroy();
    this.downstream.destroy();
    this.heldFinal = this.heldDestroy = undefined;
    this.unsplice();
    this.onClosed(this);
  }
}
