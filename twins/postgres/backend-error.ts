// An ErrorResponse as a value: it knows its fields and serializes itself onto the wire.
// @see https://www.postgresql.org/docs/current/protocol-error-fields.html
import { BackendCode } from './message-codes.ts';
import { resolveSqlState, type Severity } from './sqlstate.ts';

/** Field type bytes of ErrorResponse/NoticeResponse. */
export const ErrorField = {
  severity: 'S',
  severityNonLocalized: 'V',
  code: 'C',
  message: 'M',
  detail: 'D',
  hint: 'H',
  position: 'P',
  routine: 'R',
} as const;

export interface BackendErrorFields {
  severity: Severity;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: number;
}

export class BackendError extends Error {
  readonly severity: Severity;
  readonly code: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly position?: number;

  constructor(fields: BackendErrorFields) {
    super(fields.message);
    this.name = 'BackendError';
    this.severity = fields.severity;
    this.code = fields.code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
  }

  /** An error for a SQLSTATE code or condition name, with PostgreSQL's text unless given. */
  static of(codeOrName: string, overrides: Partial<Omit<BackendErrorFields, 'code'>> = {}): BackendError {
    const known = resolveSqlState(codeOrName) ?? { code: 'XX000', severity: 'ERROR' as const, message: codeOrName };
    return new BackendError({ code: known.code, severity: known.severity, message: known.message, ...overrides });
  }

  /** Reads an ErrorResponse body (the bytes after type and length). */
  static parse(body: Buffer): BackendError {
    const fields = parseFields(body);
    return new BackendError({
      severity: (fields.get(ErrorField.severityNonLocalized) ?? fields.get(ErrorField.severity) ?? 'ERROR') as Severity,
      code: fields.get(ErrorField.code) ?? 'XX000',
      message: fields.get(ErrorField.message) ?? '',
      detail: fields.get(ErrorField.detail),
      hint: fields.get(ErrorField.hint),
      position: fields.has(ErrorField.position) ? Number(fields.get(ErrorField.position)) : undefined,
    });
  }

  get fatal(): boolean {
    return this.severity !== 'ERROR';
  }

  /** The whole ErrorResponse message, type byte and length included. */
  toMessage(): Buffer {
    const parts: Array<[string, string]> = [
      [ErrorField.severity, this.severity],
      [ErrorField.severityNonLocalized, this.severity],
      [ErrorField.code, this.code],
      [ErrorField.message, this.message],
    ];
    if (this.detail !== undefined) parts.push([ErrorField.detail, this.detail]);
    if (this.hint !== undefined) parts.push([ErrorField.hint, this.hint]);
    if (this.position !== undefined) parts.push([ErrorField.position, String(this.position)]);
    parts.push([ErrorField.routine, 'standin']);
    const payload = Buffer.concat([...parts.map(([k, v]) => Buffer.from(`${k}${v}\0`)), Buffer.from([0])]);
    const out = Buffer.allocUnsafe(5 + payload.length);
    out[0] = BackendCode.ErrorResponse;
    out.writeInt32BE(4 + payload.length, 1);
    payload.copy(out, 5);
    return out;
  }
}

export function parseFields(body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const type = String.fromCharCode(body[i] as number);
    const end = body.indexOf(0, i + 1);
    if (end < 0) break;
    fields.set(type, body.toString('utf8', i + 1, end));
    i = end + 1;
  }
  return fields;
}
