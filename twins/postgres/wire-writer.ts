// Builds protocol messages: the backend ones the front answers with, and the frontend ones it sends
// upstream. @see https://www.postgresql.org/docs/current/protocol-message-formats.html
import { AuthCode, BackendCode, FrontendCode, StartupCode } from './message-codes.ts';

/** A typed message: type byte, int32 length (counting itself), body. */
export function message(type: number, ...parts: Buffer[]): Buffer {
  const bodyLength = parts.reduce((n, p) => n + p.length, 0);
  const out = Buffer.allocUnsafe(5 + bodyLength);
  out[0] = type;
  out.writeInt32BE(4 + bodyLength, 1);
  let at = 5;
  for (const p of parts) at += p.copy(out, at);
  return out;
}

/**
 * One buffer for one write. Messages relayed untouched are adjacent slices of the chunk they came
 * in: then a view over them is enough, no copy (the common case, every message passed through).
 */
export function oneBuffer(out: Buffer[]): Buffer {
  const first = out[0] as Buffer;
  if (out.length === 1) return first;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < out.length; i++) {
    const b = out[i] as Buffer;
    if (b.buffer !== first.buffer || b.byteOffset !== end) return Buffer.concat(out);
    end += b.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}

export function cstr(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

export function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n);
  return b;
}

export function int16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(n);
  return b;
}

// ---- backend → client

export function authentication(code: number, data: Buffer = Buffer.alloc(0)): Buffer {
  return message(BackendCode.Authentication, int32(code), data);
}

export function authSasl(mechanisms: string[]): Buffer {
  return authentication(AuthCode.SASL, Buffer.concat([...mechanisms.map(cstr), Buffer.from([0])]));
}

export function parameterStatus(name: string, value: string): Buffer {
  return message(BackendCode.ParameterStatus, cstr(name), cstr(value));
}

export function readyForQuery(status: number): Buffer {
  return message(BackendCode.ReadyForQuery, Buffer.from([status]));
}

export function negotiateProtocolVersion(minor: number, unrecognized: string[]): Buffer {
  // The newest version the server supports, in full (major 3 in the high 16 bits).
  return message(BackendCode.NegotiateProtocolVersion, int32((3 << 16) | minor), int32(unrecognized.length), ...unrecognized.map(cstr));
}

export interface ColumnSpec {
  name: string;
  typeOid: number;
}

export function rowDescription(columns: readonly ColumnSpec[]): Buffer {
  const parts: Buffer[] = [int16(columns.length)];
  for (const c of columns) {
    // table oid, column attnum, type oid, type size, type modifier, format (text)
    const meta = Buffer.alloc(18);
    meta.writeInt32BE(c.typeOid, 6);
    meta.writeInt16BE(-1, 10);
    meta.writeInt32BE(-1, 12);
    parts.push(cstr(c.name), meta);
  }
  return message(BackendCode.RowDescription, ...parts);
}

/** A DataRow; null values are SQL NULL. */
export function dataRow(values: ReadonlyArray<Buffer | null>): Buffer {
  const parts: Buffer[] = [int16(values.length)];
  for (const v of values) {
    if (v === null) parts.push(int32(-1));
    else parts.push(int32(v.length), v);
  }
  return message(BackendCode.DataRow, ...parts);
}

export function commandComplete(tag: string): Buffer {
  return message(BackendCode.CommandComplete, cstr(tag));
}

// ---- frontend → upstream

export function startupMessage(params: Record<string, string>): Buffer {
  const body = Buffer.concat([int32(StartupCode.Protocol30), ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])]);
  return Buffer.concat([int32(body.length + 4), body]);
}

export function cancelRequest(key: Buffer): Buffer {
  return Buffer.concat([int32(8 + key.length), int32(StartupCode.CancelRequest), key]);
}

export function query(sql: string): Buffer {
  return message(FrontendCode.Query, cstr(sql));
}

/** Parse of the unnamed statement with no parameter types. */
export function parse(sql: string): Buffer {
  return message(FrontendCode.Parse, cstr(''), cstr(sql), int16(0));
}

export function passwordMessage(data: Buffer): Buffer {
  return message(FrontendCode.Password, data);
}

export function saslInitialResponse(mechanism: string, data: Buffer): Buffer {
  return message(FrontendCode.Password, cstr(mechanism), int32(data.length), data);
}

export const terminate: Buffer = message(FrontendCode.Terminate);
export const sync: Buffer = message(FrontendCode.Sync);
export const flush: Buffer = message(FrontendCode.Flush);
