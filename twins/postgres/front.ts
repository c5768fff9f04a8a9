// The twin's listening side: accepts client connections on the link layer, runs each through
// startup, and keeps the sessions it admitted (for maxConnections and for routing CancelRequests,
// which arrive on a new connection and name a session by its BackendKeyData).
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import type { TwinContext } from '../../src/core/index.ts';
import type { TwinDatabase } from './backend.ts';
import type { ScramSecret } from './scram.ts';
import { Session } from './session.ts';
import { startup } from './startup.ts';
import { sendCancel } from './upstream.ts';

export interface FrontOptions {
  ctx: TwinContext;
  db: TwinDatabase;
  auth: 'scram-sha-256' | 'trust';
  user: string;
  secret: ScramSecret;
  /** Database names a client may ask for; all map to the twin's database. */
  databases: ReadonlySet<string>;
  maxConnections?: number;
  /** Answer SSLRequest with TLS; `required`: refuse sessions that did not ask for it. */
  tls?: { context: SecureContext; required: boolean };
}

export class Front {
  readonly ctx: TwinContext;
  readonly db: TwinDatabase;
  readonly auth: 'scram-sha-256' | 'trust';
  readonly user: string;
  readonly secret: ScramSecret;
  readonly databases: ReadonlySet<string>;
  readonly tls: FrontOptions['tls'];
  private readonly maxConnections: number | undefined;
  private admitted = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Set<Duplex>();
  private closed = false;

  constructor(options: FrontOptions) {
    this.ctx = options.ctx;
    this.db = options.db;
    this.auth = options.auth;
    this.user = options.user;
    this.secret = options.secret;
    this.databases = options.databases;
    this.maxConnections = options.maxConnections;
    this.tls = options.tls;
    this.queryRules = this.ctx.faults.rulesAt('query').length;
    this.unsubscribe = this.ctx.faults.onChange((change) => {
      if (change.rule.point === 'query') this.queryRules += change.type === 'added' ? 1 : -1;
    });
  }

  /** Count of `query` rules, kept by the engine's change events so each statement need not ask. */
  private queryRules: number;
  private readonly unsubscribe: () => void;

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Takes a maxConnections slot; undefined when none is free. */
  admit(): (() => void) | undefined {
    if (this.maxConnections !== undefined && this.admitted >= this.maxConnections) return undefined;
    this.admitted++;
    let released = false;
    return () => {
      if (!released) this.admitted--;
      released = true;
    };
  }

  async accept(socket: Duplex): Promise<void> {
    if (this.closed) {
      socket.destroy(); // accepted in the moment between closeAll() and the listener closing
      return;
    }
    // A client's FIN ends only its side: what it sent before is still answered (Session.clientEnd).
    socket.allowHalfOpen = true;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const started = await startup(socket, this);
    if (!started) return;
    if (this.closed) {
      // The twin stopped while this client was logging in: its upstream session must not outlive it.
      started.upstream.socket.destroy();
      started.socket.destroy();
      started.release();
      return;
    }
    const keyHex = started.upstream.key.toString('hex');
    const session = new Session(started.socket, started.reader, started.upstream, this.ctx, {
      onClose: () => {
        this.sessions.delete(keyHex);
        started.release();
      },
      cancelUpstream: (key) => sendCancel(this.db.target, key),
      queryRules: () => this.queryRules > 0,
      reset: () => this.reset(socket),
    }, started.clientEnded);
    this.sessions.set(keyHex, session);
  }

  /** Closes a client connection with a TCP RST (the link socket's, under any TLS), else destroys it. */
  reset(socket: Duplex): void {
    const s = socket as Duplex & { resetAndDestroy?: () => void };
    if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    else socket.destroy();
  }

  /** A CancelRequest's key (process id + secret): the session it names, if it is ours, is cancelled. */
  async cancel(key: Buffer): Promise<void> {
    const session = this.sessions.get(key.toString('hex'));
    if (session) await session.cancel().catch(() => undefined);
  }

  /** Ends every connection, as a server shutdown would, and refuses any that arrive after. */
  closeAll(): void {
    this.closed = true;
    this.unsubscribe();
    for (const session of this.sessions.values()) session.close();
    for (const socket of this.sockets) socket.destroy();
  }
}
