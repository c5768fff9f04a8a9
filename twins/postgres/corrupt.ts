// The `corrupt` action on a DataRow: null a column, truncate its value, garble its bytes, or swap
// in a value of the wrong type. Which column (when the rule names none) and which bytes come from
// the decision's seeded rng, so the same seed corrupts the same way.
import type { Rng } from '../../src/core/index.ts';
import { parseDataRow, type ColumnInfo } from './data-row.ts';
import type { CORRUPTIONS } from './faults.ts';
import { dataRow } from './wire-writer.ts';

export type Corruption = (typeof CORRUPTIONS)[number];

/** Resolves the rule's `column` against the result's columns; undefined = draw one. */
export function columnIndex(column: string | number | undefined, columns: readonly ColumnInfo[] | undefined, count: number, rng: Rng): number {
  if (typeof column === 'number') return Math.min(column, Math.max(0, count - 1));
  if (typeof column === 'string' && columns) {
    const at = columns.findIndex((c) => c.name === column);
    if (at >= 0) return at;
  }
  return count > 0 ? rng.int(count) : 0;
}

/** A corrupted copy of a DataRow message body, as a whole message. */
export function corruptDataRow(body: Buffer, how: Corruption, column: number, rng: Rng): Buffer {
  const values = parseDataRow(body);
  if (column >= values.length) return dataRow(values);
  const value = values[column] ?? null;
  switch (how) {
    case 'null':
      values[column] = null;
      break;
    case 'truncate':
      values[column] = value === null ? null : value.subarray(0, Math.floor(value.length / 2));
      break;
    case 'garble': {
      if (value === null || value.length === 0) {
        values[column] = rng.bytes(4);
        break;
      }
      const garbled = Buffer.from(value);
      // Flip at least one byte so the value always differs.
      const n = 1 + rng.int(garbled.length);
      for (let i = 0; i < n; i++) {
        const at = rng.int(garbled.length);
        garbled[at] = ((garbled[at] as number) ^ (1 + rng.int(255))) & 0xff;
      }
      values[column] = garbled;
      break;
    }
    case 'wrong-type':
      // Text that no numeric, boolean, date or JSON parser accepts.
      values[column] = Buffer.from('standin:wrong-type');
      break;
  }
  return dataRow(values);
}
