// What a fired `query` rule does to a statement, apart from the relay's books (session.ts): the
// effect decided when the statement arrives, the answer a `rows` rule gives instead of the real
// one, a `corrupt`ed DataRow, and where a partial-response `disconnect` cuts the answer.
//
// A statement's answer is every backend message that answers it: for a simple Query, from its
// first message (RowDescription, DataRow…, CommandComplete, notices, an ErrorResponse) up to and
// including ReadyForQuery; for an Execute, its DataRows up to CommandComplete (or EmptyQueryResponse,
// PortalSuspended, ErrorResponse). `bytes` counts those bytes as they go on the wire.
import { delayMs, type CloseHow, type PointDecision, type Rng } from '../../src/core/index.ts';
import type { BackendError } from './backend-error.ts';
import { columnIndex, corruptDataRow, type Corruption } from './corrupt.ts';
import { columnsFor, dataRowsFor, type ColumnInfo } from './data-row.ts';
import { errorOf, type queryPoint } from './faults.ts';
import { commandComplete, readyForQuery, rowDescription } from './wire-writer.ts';

export type QueryDecision = PointDecision<typeof queryPoint>;

/** What a session does with one statement, decided once when the statement arrives. */
export type Effect =
  | { type: 'error'; error: BackendError }
  | { type: 'delay'; ms: number }
  | { type: 'hang' }
  | { type: 'disconnect'; partial?: PartialAnswer; how: CloseHow }
  | { type: 'corrupt'; how: Corruption; column?: string | number; draw: Rng }
  | { type: 'rows'; rows: Array<Record<string, unknown>>; columns?: string[]; command?: string };

export function effectOf(decision: QueryDecision): Effect {
  switch (decision.action) {
    case 'error':
      return { type: 'error', error: errorOf(decision.params) };
    case 'delay':
      return { type: 'delay', ms: delayMs(decision.params, decision.rng.next) };
    case 'hang':
      return { type: 'hang' };
    case 'disconnect': {
      const p = decision.params;
      const how = p.reset === true ? 'reset' : 'close';
      return { type: 'disconnect', how, ...(p.after === 'partial-response' ? { partial: new PartialAnswer(p.bytes, p.rows) } : {}) };
    }
    case 'corrupt':
      return { type: 'corrupt', how: decision.params.how, column: decision.params.column, draw: decision.rng };
    case 'rows':
      return { type: 'rows', ...decision.params };
  }
}

/** The answer a `rows` rule gives: a Query's whole answer, or an Execute's rows in its described columns. */
export function rowsAnswer(
  t: 'query' | 'execute',
  effect: Extract<Effect, { type: 'rows' }>,
  described: readonly ColumnInfo[] | undefined,
  txStatus: number,
): { messages: Buffer[]; tag: string } {
  const columns = t === 'execute' && described ? described : columnsFor(effect.rows, effect.columns);
  const messages: Buffer[] = [];
  if (t === 'query') messages.push(rowDescription(columns));
  messages.push(...dataRowsFor(effect.rows, columns));
  const tag = effect.command ?? `SELECT ${effect.rows.length}`;
  messages.push(commandComplete(tag));
  if (t === 'query') messages.push(readyForQuery(txStatus));
  return { messages, tag };
}

/** A DataRow with one column corrupted; the column is chosen on the statement's first row and kept. */
export function corruptRow(
  body: Buffer,
  effect: Extract<Effect, { type: 'corrupt' }>,
  columns: readonly ColumnInfo[] | undefined,
  chosen: number | undefined,
): { message: Buffer; column: number } {
  const column = chosen ?? columnIndex(effect.column, columns, body.readInt16BE(0), effect.draw);
  return { message: corruptDataRow(body, effect.how, column, effect.draw), column };
}

/**
 * Where a `disconnect {after: partial-response}` cuts one statement's answer. With `bytes`, the
 * answer streams on until that many of its bytes are out; with `rows` (postgres only) until that
 * many DataRows are; with neither, the answer is held until it is complete and half of it is sent.
 * The cut always falls before the answer's last byte, so a client never gets all of it.
 */
export class PartialAnswer {
  private sent = 0;
  private rows = 0;
  private readonly held: Buffer[] | undefined;
  private heldBytes = 0;

  constructor(
    private readonly bytes: number | undefined,
    private readonly maxRows: number | undefined,
  ) {
    if (bytes === undefined && maxRows === undefined) this.held = [];
  }

  /**
   * Takes the answer's next message (`last`: it ends the answer) into `out`, whole or in part;
   * returns true when the connection is to be cut after `out` is written.
   */
  take(message: Buffer, isDataRow: boolean, last: boolean, out: Buffer[]): boolean {
    if (this.held) {
      this.held.push(message);
      this.heldBytes += message.length;
      if (!last) return false;
      out.push(Buffer.concat(this.held, this.heldBytes).subarray(0, Math.floor(this.heldBytes / 2)));
      return true;
    }
    if (this.bytes === undefined) {
      if (last || (isDataRow && ++this.rows > (this.maxRows ?? 0))) return true;
      out.push(message);
      return false;
    }
    const room = this.bytes - this.sent;
    if (last || message.length >= room) {
      const n = Math.max(0, Math.min(room, message.length - (last ? 1 : 0)));
      if (n > 0) out.push(message.subarray(0, n));
      return true;
    }
    out.push(message);
    this.sent += message.length;
    return false;
  }
}
