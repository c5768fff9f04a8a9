// One client session after startup: relays messages between the client and its own upstream
// session, and is where `query` rules act (what each effect does to an answer: query-effects.ts).
// The relay keeps a queue of what the upstream still owes (one entry per forwarded message that
// gets an answer), so it always knows which statement a DataRow, CommandComplete or ErrorResponse
// belongs to, even with pipelining.
//
// Keeping the upstream in step: an injected ERROR replaces the statement upstream with one that
// fails on purpose (SENTINEL_SQL). The real server then does what it would have done had the
// statement failed: skips to Sync, marks an open transaction aborted (25P02 until ROLLBACK), and
// reports the right ReadyForQuery status. The relay swaps its ErrorResponse for the injected one.
// @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
//
// Forward first, keep the books after: when nothing can change what a chunk of whole messages
// becomes (no `query` rule to decide on the way in; no effect or synthetic answer in flight on the
// way out), the chunk is written on as it came and the same bookkeeping runs afterwards, reading
// messages in place. A proxy's added latency is what it does between reading and writing, and on
// this 2-core box also, as measured, what it does right after writing (likely because the woken
// reader is queued on the writer's core). So the books stay lean: no Buffer per message, shared
// entries, one journal event per statement.
import type { Duplex } from 'node:stream';
import type { CloseHow, FaultTimers, TwinContext } from '../../src/core/index.ts';
import { BackendError } from './backend-error.ts';
import { parseRowDescription, type ColumnInfo } from './data-row.ts';
import { queryPoint, type QueryEvent } from './faults.ts';
import { corruptRow, effectOf, rowsAnswer, type Effect, type PartialAnswer } from './query-effects.ts';
import { BackendCode, FrontendCode, SESSION_FRONTEND_CODES, TxStatus } from './message-codes.ts';
import { classifyQueryCached } from './query-classifier.ts';
import type { UpstreamSession } from './upstream.ts';
import { FrameError, typeTable, wholeMessages, type Frame, type WireReader } from './wire-reader.ts';
import { flush, oneBuffer, parse, query, terminate } from './wire-writer.ts';

/** Fails at parse analysis, before touching anything; its error is replaced by the injected one. */
const SENTINEL_SQL = 'SELECT standin_injected_fault FROM "standin: injected fault"';
const SQL_IN_JOURNAL = 2_000;

/** Client messages the fast path forwards before accounting for them: all but Terminate. */
const FORWARD_FIRST = typeTable([...SESSION_FRONTEND_CODES].filter((t) => t !== FrontendCode.Terminate));
/** Server messages the fast path passes as they come: all but NotificationResponse, whose process id
 * is the upstream backend's and is rewritten to the one the client was given (Front.clientKey). */
const AS_THEY_COME = typeTable(Array.from({ length: 256 }, (_, t) => t).filter((t) => t !== BackendCode.NotificationResponse));
/** The messages that end an Execute's answer. */
const ENDS_EXECUTE = typeTable([BackendCode.CommandComplete, BackendCode.EmptyQueryResponse, BackendCode.PortalSuspended, BackendCode.ErrorResponse]);

interface QueryRun {
  sql: string;
  started: number;
  rows: number;
  bytes: number;
  effect?: Effect;
  rule?: { rule: string; action: string };
  columns?: ColumnInfo[];
  /** Extended protocol: the portal, whose described columns `rows`/`corrupt` use. */
  portal?: Portal;
  corruptColumn?: number;
  tag?: string;
  error?: string;
  done: boolean;
}

interface Statement {
  sql: string;
  columns?: ColumnInfo[];
}

interface Portal {
  statement?: Statement;
  columns?: ColumnInfo[];
}

type Entry =
  | { t: 'parse' | 'bind' | 'close' | 'sync' }
  | { t: 'describe'; statement?: Statement; portal?: Portal }
  | { t: 'query' | 'execute' | 'call'; run?: QueryRun }
  | { t: 'synthetic'; emit: (out: Buffer[]) => void };

/** Whether the answers to this entry are not the upstream's, as they came. */
function rewrites(entry: Entry): boolean {
  return entry.t === 'synthetic' || ('run' in entry && entry.run?.effect !== undefined);
}

type Inbound =
  | { frame: Frame; run?: QueryRun }
  /** A bad frame: answered in order (after what came before it) with this FATAL, then close. */
  | { violation: BackendError };

/** Entries that carry nothing: one object each, shared. */
const PARSE: Entry = { t: 'parse' };
const BIND: Entry = { t: 'bind' };
const CLOSE: Entry = { t: 'close' };
const SYNC: Entry = { t: 'sync' };

export interface SessionHooks {
  onClose(session: Session): void;
  /** Whether any `query` rule is set: without one a statement needs no classifying or deciding. */
  queryRules(): boolean;
  /** Sends a CancelRequest upstream with this session's upstream key. */
  cancelUpstream(key: Buffer): Promise<void>;
  /** The process id the client knows for an upstream backend's (its own session's, or another's). */
  clientPid(upstreamPid: number): number;
  /** Resolves once the upstream backend with this process id is no longer in pg_stat_activity. */
  backendGone(upstreamPid: number): Promise<void>;
  /** Cuts the client connection (cutConnection) once what was written to it is out. */
  cut(how: CloseHow): void;
  /** The twin's fault waits, cancelled when it stops. */
  timers: FaultTimers;
}

export class Session {
  private readonly pending: Entry[] = [];
  private readonly inbox: Inbound[] = [];
  private readonly statements = new Map<string, Statement>();
  private readonly portals = new Map<string, Portal>();
  private pumping = false;
  private hung: { frame: Frame; run: QueryRun } | undefined;
  private closed = false;
  /** A bad frame arrived: nothing more is read from the client. */
  private violated = false;
  /** Extended protocol after an error: until Sync the server skips messages and owes no answers. */
  private skipUntilSync = false;
  private txStatus: number;
  /** txStatus as it will be once what is forwarded has run (BEGIN seen but not yet answered…). */
  private txPredicted: number;
  private readonly upstreamReader: WireReader;
  /** Pending entries that are synthetic or carry an effect: while any is, answers are rewritten. */
  private effectsPending = 0;
  /** When the chunk being handled arrived: a statement's journaled duration starts there. */
  private arrived = 0;

  constructor(
    private readonly client: Duplex,
    private readonly clientReader: WireReader,
    private readonly upstream: UpstreamSession,
    private readonly ctx: TwinContext,
    private readonly hooks: SessionHooks,
    clientEnded = false,
  ) {
    this.txStatus = upstream.status;
    this.txPredicted = upstream.status;
    this.upstreamReader = upstream.reader;
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('close', () => this.close());
    client.on('error', () => this.close());
    // A half-close: answer what was sent, then end, as a server reading EOF after the last message.
    client.on('end', () => this.clientEnd());
    upstream.socket.on('data', (chunk: Buffer) => this.onUpstreamData(chunk));
    upstream.socket.on('close', () => this.close());
    upstream.socket.on('error', () => this.close());
    if (this.upstreamReader.buffered > 0) this.onUpstreamData(Buffer.alloc(0));
    if (this.clientReader.buffered > 0) this.onClientData(Buffer.alloc(0));
    if (clientEnded) this.clientEnd();
  }

  private clientEnded = false;

  private clientEnd(): void {
    this.clientEnded = true;
    // Extended-protocol answers wait in the server for Sync or Flush; none will come now.
    if (!this.upstream.socket.destroyed) this.upstream.socket.write(flush);
    this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.clientEnded && !this.pumping && !this.hung && this.inbox.length === 0 && this.pending.length === 0) this.close();
  }

  get key(): Buffer {
    return this.upstream.key;
  }

  /** A CancelRequest for this session: a hung statement fails with 57014, else the upstream cancels. */
  cancel(): Promise<void> {
    const hung = this.hung;
    if (hung) {
      this.hung = undefined;
      hung.run.effect = { type: 'error', error: BackendError.of('57014') };
      this.inbox.unshift(hung);
      void this.pump();
      return Promise.resolve();
    }
    return this.hooks.cancelUpstream(this.upstream.key);
  }

  /** Ends the session: a FATAL (or nothing), then both sockets closed; a fault's cut or a FATAL cuts the client's. */
  close(options: { cut?: CloseHow; fatal?: BackendError } = {}): void {
    if (this.closed) return;
    this.closed = true;
    if (this.hung) this.journal(this.hung.run);
    this.hung = undefined;
    if (options.fatal) this.client.write(options.fatal.toMessage());
    if (options.cut ?? options.fatal) {
      this.hooks.cut(options.cut ?? 'close');
      if (!this.upstream.socket.destroyed) this.upstream.socket.end(terminate);
      this.hooks.onClose(this);
      return;
    }
    // A client that saw PostgreSQL close its session never finds it still in pg_stat_activity. The
    // upstream socket's close is not proof of that here (measured: about 1 in 10 ended backends was
    // still listed right after it), so the client's close waits until the backend is gone.
    const endClient = (): void => {
      this.hooks.onClose(this);
      void this.hooks.backendGone(this.upstream.key.readInt32BE(0)).finally(() => this.client.end());
    };
    if (this.upstream.socket.destroyed) return endClient();
    this.upstream.socket.once('close', endClient);
    this.upstream.socket.end(terminate);
  }

  // ---- client → upstream

  private onClientData(chunk: Buffer): void {
    if (this.closed || this.violated) return;
    this.arrived = performance.now();
    if (this.clientReader.buffered === 0 && !this.pumping && !this.hung && this.inbox.length === 0 && !this.hooks.queryRules()) {
      const whole = wholeMessages(chunk, FORWARD_FIRST, this.clientReader.maxBytes);
      if (whole > 0) {
        if (!this.upstream.socket.destroyed) this.upstream.socket.write(whole === chunk.length ? chunk : chunk.subarray(0, whole));
        this.clientReader.push(chunk);
        try {
          for (let frame = this.clientReader.next(); frame; frame = this.clientReader.next()) this.forward(frame, this.decide(frame));
        } catch (error) {
          // A well-typed message with a malformed body (PostgreSQL refuses it too, upstream).
          this.close({ fatal: BackendError.of('08P01', { message: (error as Error).message }) });
        }
        return;
      }
    }
    this.clientReader.push(chunk);
    try {
      for (let frame = this.clientReader.next(); frame; frame = this.clientReader.next()) {
        if (!SESSION_FRONTEND_CODES.has(frame.type)) {
          throw new FrameError(`invalid frontend message type ${frame.type}`);
        }
        this.inbox.push({ frame });
      }
    } catch (error) {
      // PostgreSQL answers what came before the bad message first; so do we. Nothing after it is read.
      this.violated = true;
      const violation = BackendError.of('08P01', { message: (error as Error).message });
      this.inbox.push({ violation });
    }
    if (!this.pumping && !this.hung) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    let out: Buffer[] = [];
    try {
      while (this.inbox.length > 0 && !this.closed && !this.hung) {
        const item = this.inbox.shift() as Inbound;
        if ('violation' in item) {
          const fatal = item.violation;
          this.enqueue({ t: 'synthetic', emit: (o) => (this.writeClient(o), this.close({ fatal })) });
          // The server holds extended-protocol answers until Sync or Flush: ask for them now.
          out.push(flush);
          break;
        }
        item.run ??= this.decide(item.frame);
        const { frame, run } = item;
        const effect = run?.effect;
        if (effect?.type === 'delay') {
          this.writeUpstream(out);
          out = [];
          if (!(await this.hooks.timers.delay(effect.ms)) || this.closed) return;
        } else if (effect?.type === 'hang') {
          this.hung = { frame, run: run as QueryRun };
          break;
        }
        this.forward(frame, run, out);
      }
    } catch (error) {
      this.close({ fatal: BackendError.of('08P01', { message: (error as Error).message }) });
    } finally {
      this.writeUpstream(out);
      this.pumping = false;
      this.finishIfDone();
    }
  }

  private writeUpstream(out: Buffer[]): void {
    if (out.length === 0 || this.upstream.socket.destroyed) return;
    this.upstream.socket.write(oneBuffer(out));
  }

  /** The rule decision for a statement (simple Query, or Execute outside a failed batch). */
  private decide(frame: Frame): QueryRun | undefined {
    let sql: string;
    let portal: Portal | undefined;
    if (frame.type === FrontendCode.Query && !this.skipUntilSync) {
      sql = frame.reader().cstring();
    } else if (frame.type === FrontendCode.Execute && !this.skipUntilSync) {
      portal = this.portals.get(frame.reader().cstring());
      sql = portal?.statement?.sql ?? '';
    } else {
      return undefined;
    }
    const run: QueryRun = { sql, started: this.arrived, rows: 0, bytes: 0, portal, done: false };
    if (!this.hooks.queryRules()) return run;
    const shape = classifyQueryCached(sql);
    const event: QueryEvent = { sql, kind: shape.kind, table: shape.tables, inTransaction: this.txPredicted !== TxStatus.Idle };
    const decision = this.ctx.faults.decide(queryPoint, event, sql.slice(0, 120));
    if (decision) {
      run.effect = effectOf(decision);
      run.rule = { rule: decision.rule.id, action: decision.action };
    }
    if (run.effect?.type !== 'error' && run.effect?.type !== 'rows') {
      if (shape.kind === 'begin') this.txPredicted = TxStatus.InTransaction;
      else if (shape.kind === 'commit' || shape.kind === 'rollback') this.txPredicted = TxStatus.Idle;
    }
    return run;
  }

  /**
   * Forwards one client message into `out` and keeps the books on it. Without `out` the message
   * went upstream already, as it came (the fast path): only the books are kept.
   */
  private forward(frame: Frame, run: QueryRun | undefined, out?: Buffer[]): void {
    switch (frame.type) {
      case FrontendCode.Query:
      case FrontendCode.Execute:
        // No run: after an extended-protocol error the server discards everything up to Sync, Query too.
        if (run) return this.forwardStatement(frame.type === FrontendCode.Query ? 'query' : 'execute', frame, run, out);
        break;
      case FrontendCode.Parse: {
        const body = frame.reader();
        const name = body.cstring();
        this.statements.set(name, { sql: body.cstring() });
        return this.pass(frame, out, PARSE);
      }
      case FrontendCode.Bind: {
        const body = frame.reader();
        const portal = body.cstring();
        this.portals.set(portal, { statement: this.statements.get(body.cstring()) });
        return this.pass(frame, out, BIND);
      }
      case FrontendCode.Describe: {
        const body = frame.reader();
        const kind = body.byte();
        const name = body.cstring();
        const entry: Entry =
          kind === 'S'.charCodeAt(0) ? { t: 'describe', statement: this.statements.get(name) } : { t: 'describe', portal: this.portals.get(name) };
        return this.pass(frame, out, entry);
      }
      case FrontendCode.Close: {
        const body = frame.reader();
        const kind = body.byte();
        const name = body.cstring();
        if (kind === 'S'.charCodeAt(0)) this.statements.delete(name);
        else this.portals.delete(name);
        return this.pass(frame, out, CLOSE);
      }
      case FrontendCode.Sync:
        this.skipUntilSync = false;
        return this.pass(frame, out, SYNC);
      case FrontendCode.FunctionCall:
        return this.pass(frame, out, { t: 'call' });
      case FrontendCode.Terminate:
        if (out) this.writeUpstream(out.splice(0));
        this.close(); // sends Terminate upstream
        return;
      default:
        // Flush, CopyData, CopyDone, CopyFail: no answer of their own.
        break;
    }
    out?.push(frame.raw);
  }

  private pass(frame: Frame, out: Buffer[] | undefined, entry: Entry): void {
    out?.push(frame.raw);
    if (!this.skipUntilSync) this.enqueue(entry);
  }

  private forwardStatement(t: 'query' | 'execute', frame: Frame, run: QueryRun, out: Buffer[] | undefined): void {
    const effect = run.effect;
    if (effect?.type === 'error') {
      out?.push(t === 'query' ? query(SENTINEL_SQL) : parse(SENTINEL_SQL));
      if (t === 'execute') this.skipUntilSync = true;
      this.enqueue({ t, run });
    } else if (effect?.type === 'rows') {
      this.enqueue({ t: 'synthetic', emit: (o) => this.emitRows(t, run, effect, o) });
    } else if (effect?.type === 'disconnect' && !effect.partial) {
      this.enqueue({ t: 'synthetic', emit: (o) => this.cutOff(run, o, effect.how) });
    } else {
      out?.push(frame.raw);
      this.enqueue({ t, run });
    }
  }

  private enqueue(entry: Entry): void {
    this.pending.push(entry);
    if (rewrites(entry)) this.effectsPending++;
    if (entry.t === 'synthetic' && this.pending.length === 1) {
      const out: Buffer[] = [];
      this.drainSynthetic(out);
      this.writeClient(out);
    }
  }

  private dequeue(): Entry | undefined {
    const entry = this.pending.shift();
    if (entry && rewrites(entry)) this.effectsPending--;
    return entry;
  }

  private emitRows(t: 'query' | 'execute', run: QueryRun, effect: Extract<Effect, { type: 'rows' }>, out: Buffer[]): void {
    const answer = rowsAnswer(t, effect, run.portal?.columns ?? run.portal?.statement?.columns, this.txStatus);
    out.push(...answer.messages);
    run.rows = effect.rows.length;
    run.tag = answer.tag;
    this.journal(run);
  }

  // ---- upstream → client

  private onUpstreamData(chunk: Buffer): void {
    if (this.closed) return;
    // Nothing to rewrite: the whole messages go on now, and below only their books are kept.
    const whole = this.effectsPending === 0 && this.upstreamReader.buffered === 0 ? wholeMessages(chunk, AS_THEY_COME, this.upstreamReader.maxBytes) : -1;
    if (whole > 0 && !this.client.destroyed) this.client.write(whole === chunk.length ? chunk : chunk.subarray(0, whole));
    this.upstreamReader.push(chunk);
    const out = whole > 0 ? undefined : [];
    this.readUpstream(out);
    if (out) this.writeClient(out);
    this.finishIfDone();
  }

  /** Takes the upstream's whole messages: into `out`, or (without it) only into the books. */
  private readUpstream(out?: Buffer[]): void {
    try {
      for (let frame = this.upstreamReader.next(); frame && !this.closed; frame = this.upstreamReader.next()) {
        this.fromUpstream(frame, out);
      }
    } catch (error) {
      this.ctx.log.warn('postgres: bad message from upstream', { error: (error as Error).message });
      if (out) this.writeClient(out);
      this.close({ fatal: BackendError.of('08P01', { message: 'upstream sent an invalid message' }) });
    }
  }

  private writeClient(out: Buffer[]): void {
    if (out.length === 0 || this.client.destroyed) return;
    this.client.write(oneBuffer(out));
    out.length = 0;
  }

  /**
   * Passes one upstream message on into `out`, rewritten when an effect says so, and keeps the
   * books on it. Without `out` it went to the client already, as it came (the fast path).
   */
  private fromUpstream(frame: Frame, out?: Buffer[]): void {
    const head = this.pending[0];
    const run = head && 'run' in head ? head.run : undefined;
    // A notification is no part of the statement's answer (and its process id is rewritten below).
    if (run?.effect?.type === 'disconnect' && run.effect.partial && out && (head?.t === 'query' || head?.t === 'execute') && frame.type !== BackendCode.NotificationResponse) {
      return this.partialAnswer(frame, head.t, run, run.effect.partial, run.effect.how, out);
    }
    switch (frame.type) {
      case BackendCode.DataRow:
        if (!run) break;
        run.rows++;
        if (run.effect?.type === 'corrupt' && out) {
          const corrupted = corruptRow(frame.body, run.effect, run.columns ?? run.portal?.columns ?? run.portal?.statement?.columns, run.corruptColumn);
          run.corruptColumn = corrupted.column;
          out.push(corrupted.message);
          return;
        }
        break;
      case BackendCode.RowDescription:
        if (head?.t === 'describe') {
          const columns = parseRowDescription(frame.body);
          if (head.portal) head.portal.columns = columns;
          if (head.statement) head.statement.columns = columns;
          this.pop(out, frame);
          return;
        }
        if (run?.effect) run.columns = parseRowDescription(frame.body);
        break;
      case BackendCode.NoData:
        if (head?.t === 'describe') return this.pop(out, frame);
        break;
      case BackendCode.ParseComplete:
      case BackendCode.BindComplete:
      case BackendCode.CloseComplete:
        return this.pop(out, frame);
      case BackendCode.CommandComplete:
      case BackendCode.EmptyQueryResponse:
      case BackendCode.PortalSuspended:
        if (run) run.tag = frame.type === BackendCode.CommandComplete ? frame.reader().cstring() : run.tag;
        if (head?.t === 'execute') {
          if (run) this.journal(run);
          return this.pop(out, frame);
        }
        break;
      case BackendCode.ErrorResponse:
        return this.error(frame, head, run, out);
      case BackendCode.NotificationResponse: {
        // Never on the fast path (AS_THEY_COME), so `out` is here.
        const raw = Buffer.from(frame.raw);
        raw.writeInt32BE(this.hooks.clientPid(frame.body.readInt32BE(0)), 5);
        out?.push(raw);
        return;
      }
      case BackendCode.ReadyForQuery:
        this.txStatus = frame.byteAt(0);
        if (head?.t === 'query' || head?.t === 'sync' || head?.t === 'call') {
          if (run) this.journal(run);
          this.pop(out, frame);
        } else out?.push(frame.raw);
        // Nothing more in flight: the prediction is the server's word again.
        if (this.pending.length === 0) this.txPredicted = this.txStatus;
        return;
      default:
        break;
    }
    out?.push(frame.raw);
  }

  /** A message of a statement's answer that a partial-response disconnect cuts: part of it goes on, then the cut. */
  private partialAnswer(frame: Frame, t: 'query' | 'execute', run: QueryRun, partial: PartialAnswer, how: CloseHow, out: Buffer[]): void {
    const isDataRow = frame.type === BackendCode.DataRow;
    const last = t === 'query' ? frame.type === BackendCode.ReadyForQuery : ENDS_EXECUTE[frame.type] === 1;
    if (partial.take(frame.raw, isDataRow, last, out)) return this.cutOff(run, out, how);
    if (isDataRow) run.rows++;
    else if (frame.type === BackendCode.CommandComplete) run.tag = frame.reader().cstring();
    else if (frame.type === BackendCode.ErrorResponse) run.error = BackendError.parse(frame.body).code;
  }

  private cutOff(run: QueryRun, out: Buffer[], how: CloseHow): void {
    this.journal(run);
    this.writeClient(out);
    this.close({ cut: how });
  }

  private error(frame: Frame, head: Entry | undefined, run: QueryRun | undefined, out: Buffer[] | undefined): void {
    const injected = run?.effect?.type === 'error' ? run.effect.error : undefined;
    if (run) run.error = injected?.code ?? BackendError.parse(frame.body).code;
    if (injected?.fatal) {
      if (run) this.journal(run);
      if (out) this.writeClient(out);
      this.close({ fatal: injected });
      return;
    }
    out?.push(injected ? injected.toMessage() : frame.raw);
    // An error ends the statement (and the rest of a multi-statement Query): journal it now.
    if (run) this.journal(run);
    if (!head || head.t === 'query' || head.t === 'call' || head.t === 'sync') return; // ReadyForQuery ends these
    // The server now skips everything up to Sync: those messages owe no answers.
    while (this.pending.length > 0 && this.pending[0]?.t !== 'sync') {
      const skipped = this.dequeue() as Entry;
      if ('run' in skipped && skipped.run && skipped !== head) skipped.run.done = true;
    }
    if (this.pending.length === 0) this.skipUntilSync = true;
  }

  private pop(out: Buffer[] | undefined, frame: Frame): void {
    out?.push(frame.raw);
    this.dequeue();
    if (out) this.drainSynthetic(out);
  }

  private drainSynthetic(out: Buffer[]): void {
    while (!this.closed && this.pending[0]?.t === 'synthetic') {
      const entry = this.dequeue() as Extract<Entry, { t: 'synthetic' }>;
      entry.emit(out);
    }
  }

  private journal(run: QueryRun): void {
    if (run.done) return;
    run.done = true;
    const { sql } = run;
    const data: Record<string, unknown> = {
      sql: sql.length > SQL_IN_JOURNAL ? `${sql.slice(0, SQL_IN_JOURNAL)}...` : sql,
      durationMs: Math.round((performance.now() - run.started) * 1000) / 1000,
      rows: run.rows,
    };
    if (run.tag !== undefined) data.command = run.tag;
    if (run.error !== undefined) data.sqlstate = run.error;
    const summary = sql.length > 120 ? `${sql.slice(0, 117)}...` : sql;
    this.ctx.journal.record({ point: 'query', type: 'query', summary, data, fault: run.rule });
  }
}
