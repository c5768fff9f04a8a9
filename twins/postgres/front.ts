// The twin's listening side: accepts client connections on the link layer, runs each through
// startup, and keeps the sessions it admitted (for maxConnections and for routing CancelRequests,
// which arrive on a new connection and name a session by its BackendKeyData).
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { cutConnection, FaultTimers, type CloseHow, type TwinContext } from '../../src/core/index.ts';
import type { Route, TwinDatabase } from './backend.ts';
import type { ScramSecret } from './scram.ts';
import { queryPoint } from './faults.ts';
import { Session } from './session.ts';
import { startup } from './startup.ts';
import { sendCancel } from './upstream.ts';

export interface FrontOptions {
  ctx: TwinContext;
  db: TwinDatabase;
  auth: 'scram-sha-256' | 'trust';
  user: string;
  secret: ScramSecret;
  /** Where a session for the database a client named goes; undefined: no such database. */
  route(database: string): Promise<Route | undefined>;
  maxConnections: number;
  tls?: FrontTls;
}

/** Answer SSLRequest (and a direct TLS ClientHello) with TLS; `required`: refuse sessions that did not. */
export interface FrontTls {
  context: SecureContext;
  /** tls-server-end-point channel binding data: the hash of the server certificate (RFC 5929). */
  endPoint: Buffer;
  required: boolean;
}

const PIDS_KEPT = 4096;
/** Checks of an ended backend before its client's close goes out anyway (a backend stuck in its exit). */
const BACKEND_EXIT_CHECKS = 50;

export class Front {
  readonly ctx: TwinContext;
  readonly db: TwinDatabase;
  readonly auth: 'scram-sha-256' | 'trust';
  readonly user: string;
  readonly secret: ScramSecret;
  readonly route: FrontOptions['route'];
  readonly tls: FrontOptions['tls'];
  private readonly maxConnections: number;
  private admitted = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Set<Duplex>();
  /** The waits of `delay` rules (startup and query), all cancelled by closeAll. */
  readonly timers = new FaultTimers();
  /**
   * Client-facing process ids by their upstream backend's, for notifications. Kept past a session's
   * end (its NOTIFY may reach a listener after it closed), the oldest forgotten past PIDS_KEPT.
   */
  private readonly pids = new Map<number, number>();
  private keysIssued = 0;
  private closed = false;

  constructor(options: FrontOptions) {
    this.ctx = options.ctx;
    this.db = options.db;
    this.auth = options.auth;
    this.user = options.user;
    this.secret = options.secret;
    this.route = options.route;
    this.maxConnections = options.maxConnections;
    this.tls = options.tls;
    this.queryRules = this.ctx.faults.rulesAt(queryPoint).length;
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
    if (this.admitted >= this.maxConnections) return undefined;
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
    const keyHex = started.key.toString('hex');
    const upstreamPid = started.upstream.key.readInt32BE(0);
    this.pids.delete(upstreamPid); // the OS reuses pids: the newest session's goes last
    this.pids.set(upstreamPid, started.key.readInt32BE(0));
    if (this.pids.size > PIDS_KEPT) this.pids.delete(this.pids.keys().next().value as number);
    const session = new Session(started.socket, started.reader, started.upstream, this.ctx, {
      onClose: () => {
        this.sessions.delete(keyHex);
        started.release();
      },
      cancelUpstream: (key) => sendCancel(this.db.target, key),
      backendGone: (pid) => this.backendGone(pid),
      clientPid: (pid) => this.pids.get(pid) ?? pid,
      queryRules: () => this.queryRules > 0,
      cut: (how) => cutClient(started.socket, socket, how),
      timers: this.timers,
    }, started.clientEnded);
    this.sessions.set(keyHex, session);
  }

  /**
   * The BackendKeyData a client gets for an upstream session: a process id drawn from the seed, since
   * a client sees it (and the same run must show the same one), and a random secret, since it
   * authorises cancels: 4 bytes in protocol 3.0, 32 from 3.2 on (PostgreSQL 18's length). The relay
   * maps the id back (cancel, notifications); a CancelRequest names the whole key, whatever its length.
   */
  clientKey(upstream: Buffer, minor: number): Buffer {
    const key = Buffer.alloc(4 + (minor >= 2 ? 32 : Math.max(4, upstream.length - 4)));
    key.writeInt32BE(this.ctx.rng('backend-pid', ++this.keysIssued).between(1_000, 4_194_303), 0); // Linux's pid range
    randomBytes(key.length - 4).copy(key, 4);
    return key;
  }

  /** Asks the server until the backend has left pg_stat_activity (it does within its exit), or gives up. */
  private async backendGone(pid: number): Promise<void> {
    for (let attempt = 0; attempt < BACKEND_EXIT_CHECKS && !this.closed; attempt++) {
      const listed = await this.db.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ${pid}`, { readOnly: true }).catch(() => undefined);
      if (!listed || listed.rows.length === 0) return;
    }
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
    this.timers.stop();
    for (const session of this.sessions.values()) session.close();
    for (const socket of this.sockets) socket.destroy();
  }
}

/**
 * Cuts a client connection where the RST can be sent: on the link socket, under any TLS. Over TLS
 * the cut waits until the TLS socket has handed on what was written to it (a FATAL, part of an
 * answer), which a plain destroy would drop.
 */
export function cutClient(client: Duplex, raw: Duplex, how: CloseHow): void {
  if (client === raw || client.destroyed || client.writableFinished) return cutConnection(raw, how);
  const cut = (): void => cutConnection(raw, how);
  client.once('finish', cut);
  client.once('close', cut);
  client.end();
}
