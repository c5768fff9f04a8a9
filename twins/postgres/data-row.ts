// Reading and writing result rows: RowDescription fields, DataRow values, and the rows a `rows`
// rule answers with. @see https://www.postgresql.org/docs/current/protocol-message-formats.html
import { BodyReader } from './wire-reader.ts';
import { dataRow, type ColumnSpec } from './wire-writer.ts';

export interface ColumnInfo extends ColumnSpec {
  /** 0 text, 1 binary. */
  format: number;
}

export function parseRowDescription(body: Buffer): ColumnInfo[] {
  const r = new BodyReader(body);
  const n = r.int16();
  const out: ColumnInfo[] = [];
  for (let i = 0; i < n; i++) {
    const name = r.cstring();
    r.int32(); // table oid
    r.int16(); // attnum
    const typeOid = r.int32();
    r.int16(); // size
    r.int32(); // modifier
    out.push({ name, typeOid, format: r.int16() });
  }
  return out;
}

export function parseDataRow(body: Buffer): Array<Buffer | null> {
  const r = new BodyReader(body);
  const n = r.int16();
  const values: Array<Buffer | null> = [];
  for (let i = 0; i < n; i++) {
    const len = r.int32();
    values.push(len < 0 ? null : r.bytes(len));
  }
  return values;
}

/** Type OIDs from pg_type, for the values a `rows` rule gives. */
export const TypeOid = { bool: 16, int8: 20, int4: 23, text: 25, json: 114, float8: 701 } as const;

function oidOf(value: unknown): number {
  if (typeof value === 'boolean') return TypeOid.bool;
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? TypeOid.int4 : TypeOid.float8;
  if (typeof value === 'bigint') return TypeOid.int8;
  if (value !== null && typeof value === 'object') return TypeOid.json;
  return TypeOid.text;
}

export function textValue(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return Buffer.from(value ? 't' : 'f');
  if (typeof value === 'object') return Buffer.from(JSON.stringify(value));
  return Buffer.from(String(value));
}

/** Columns for synthetic rows: the given names, else the first row's keys, typed by the first non-null value. */
export function columnsFor(rows: ReadonlyArray<Record<string, unknown>>, names?: readonly string[]): ColumnSpec[] {
  const keys = names ?? Object.keys(rows[0] ?? {});
  return keys.map((name) => ({ name, typeOid: oidOf(rows.find((r) => r[name] !== null && r[name] !== undefined)?.[name] ?? '') }));
}

/** DataRows for `rows` laid out as `columns` (by name), values in text format. */
export function dataRowsFor(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly { name: string }[]): Buffer[] {
  return rows.map((row) => dataRow(columns.map((c) => textValue(row[c.name]))));
}
