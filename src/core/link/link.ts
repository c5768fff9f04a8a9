// One client connection through the link layer: the client's socket, two lanes (upstream =
// client → twin, downstream = twin → client) and the twin's side, which is either the LinkSocket
// handed to the twin or, once `attach`ed, an upstream socket the bytes go straight to.
import type net from 'node:net';
import { cutConnection } from './cut.ts';
import { Lane, type LaneSink, type LaneSource } from './lane.ts';
import { LinkSocket, type LinkSocketHost } from './link-socket.ts';
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

const discard: LaneSink = { write: () => true, end: () => {} };

export class Link implements LinkSocketHost {
  readonly socket: LinkSocket;
  readonly upstream: Lane;
  readonly downstream: Lane;
  readonly openedAt = Date.now();
  private state: 'open' | 'closing' | 'closed' = 'open';
  private attached: net.Socket | undefined;

  constructor(
    readonly id: number,
    readonly client: net.Socket,
    private readonly onClosed: (link: Link) => void,
  ) {
    this.socket = new LinkSocket(this);
    const socket = this.socket;
    const close = (how: CloseHow): void => this.close(how);
    this.upstream = new Lane(
      'upstream',
      { write: (chunk) => socket.push(chunk), end: () => socket.push(null) },
      { pause: () => client.pause(), resume: () => client.resume() },
      close,
    );
    this.downstream = new Lane(
      'downstream',
      { write: (chunk) => client.write(chunk), end: () => client.end() },
      { pause: () => socket.block(), resume: () => socket.unblock() },
      close,
    );
    client.on('data', (chunk: Buffer) => this.upstream.write(chunk));
    client.on('end', () => this.upstream.end());
    client.on('drain', () => this.downstream.drained());
    client.on('timeout', () => socket.emit('timeout'));
    // 'close' always follows 'error'; the link is torn down there.
    client.on('error', () => {});
    client.on('close', () => this.finish());
  }

  get open(): boolean {
    return this.state === 'open';
  }

  lane(direction: Direction): Lane {
    return direction === 'upstream' ? this.upstream : this.downstream;
  }

  addToxic(direction: Direction, ruleId: string, create: (out: ToxicOutlet) => Toxic): void {
    if (this.state === 'open') this.lane(direction).add(ruleId, create);
  }

  removeToxic(ruleId: string): void {
    this.upstream.remove(ruleId);
    this.downstream.remove(ruleId);
  }

  /**
   * Makes `upstream` the twin's side: client bytes are written to it and its bytes go to the
   * client, with no stream in between. What the LinkSocket already buffered goes first.
   */
  attach(upstream: net.Socket): void {
    if (this.attached) throw new Error('link is already piped to an upstream socket');
    this.attached = upstream;
    for (let chunk = this.socket.read() as Buffer | null; chunk !== null; chunk = this.socket.read() as Buffer | null) {
      upstream.write(chunk);
    }
    if (this.upstream.ended) upstream.end();
    this.upstream.sink = { write: (chunk) => upstream.write(chunk), end: () => upstream.end() };
    this.downstream.source = { pause: () => upstream.pause(), resume: () => upstream.resume() };
    upstream.on('data', (chunk: Buffer) => this.downstream.write(chunk));
    upstream.on('end', () => this.downstream.end());
    upstream.on('drain', () => this.upstream.drained());
    upstream.on('error', (error: NodeJS.ErrnoException) => this.close(error.code === 'ECONNRESET' ? 'reset' : 'close'));
    upstream.on('close', () => this.sideGone(null));
    if (this.state !== 'open') upstream.destroy();
    this.upstream.drained();
  }

  /** Ends the whole connection now: `close` flushes what the client socket has and sends FIN. */
  close(how: CloseHow): void {
    if (this.state === 'closed') return;
    if (this.state === 'closing' && how === 'close') return;
    this.state = 'closing';
    this.upstream.destroy();
    this.downstream.destroy();
    this.destroyTwinSide();
    if (how === 'reset') cutConnection(this.client, 'reset');
    else this.client.destroySoon();
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

  // LinkSocketHost

  readDrained(): void {
    if (!this.attached) this.upstream.drained();
  }

  writeFromTwin(chunk: Buffer): void {
    if (!this.attached) this.downstream.write(chunk);
  }

  endFromTwin(): void {
    if (!this.attached) this.downstream.end();
  }

  twinGone(error: Error | null): void {
    if (!this.attached) this.sideGone(error);
  }

  reset(): void {
    this.close('reset');
  }

  /** The twin's side closed: what is in flight to the client still arrives, then its FIN. */
  private sideGone(error: Error | null): void {
    if (this.state !== 'open') return;
    if (error) return this.close('close');
    this.upstream.sink = discard;
    this.downstream.end();
  }

  private destroyTwinSide(): void {
    this.attached?.destroy();
    if (!this.socket.destroyed) this.socket.destroy();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.upstream.destroy();
    this.downstream.destroy();
    this.destroyTwinSide();
    this.onClosed(this);
  }
}
