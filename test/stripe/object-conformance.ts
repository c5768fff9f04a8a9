// Checks an object the twin answered against the field list generated from the official client's
// types (fixtures/object-shapes.json, written by scripts/write-stripe-tables.ts): every required
// field present, no field the types do not know, each value of the declared type, each enum value
// one the types list. Nested structures are checked the same way; an expanded object is checked
// when its type is one of the generated roots.
import { readFileSync } from 'node:fs';
import type { Desc } from '../../scripts/write-stripe-tables.ts';

interface Field {
  optional: boolean;
  type: Desc;
}

export const OBJECT_SHAPES = JSON.parse(readFileSync(new URL('./fixtures/object-shapes.json', import.meta.url), 'utf8')) as {
  stripe: string;
  apiVersion: string;
  shapes: Record<string, Record<string, Field>>;
};

export interface Finding {
  kind: 'missing' | 'unknown' | 'type' | 'enum';
  /** e.g. `payment_intent.next_action.redirect_to_url.url`. */
  path: string;
  detail: string;
}

/** Findings for `value` read as the type `shape` (a generated structure name such as `PaymentIntent`). */
export function conformance(value: unknown, shape: string, path = shape): Finding[] {
  const findings: Finding[] = [];
  check(value, { ref: shape }, path, findings);
  return findings;
}

function check(value: unknown, desc: Desc, path: string, out: Finding[]): void {
  if (desc === 'unknown') return;
  if (desc === 'null') {
    if (value !== null) out.push({ kind: 'type', path, detail: `expected null, got ${kind(value)}` });
    return;
  }
  if (desc === 'string' || desc === 'number' || desc === 'boolean') {
    if (typeof value !== desc) out.push({ kind: 'type', path, detail: `expected ${desc}, got ${kind(value)}` });
    return;
  }
  if ('enum' in desc) {
    if (typeof value !== 'string') out.push({ kind: 'type', path, detail: `expected one of ${desc.enum.join('|')}, got ${kind(value)}` });
    else if (!desc.enum.includes(value)) out.push({ kind: 'enum', path, detail: `${value} is not one of ${desc.enum.join('|')}` });
    return;
  }
  if ('array' in desc) {
    if (!Array.isArray(value)) out.push({ kind: 'type', path, detail: `expected a list, got ${kind(value)}` });
    else value.forEach((v, i) => check(v, desc.array, `${path}[${i}]`, out));
    return;
  }
  if ('record' in desc) {
    if (!isObject(value)) out.push({ kind: 'type', path, detail: `expected a hash, got ${kind(value)}` });
    else for (const [k, v] of Object.entries(value)) check(v, desc.record, `${path}.${k}`, out);
    return;
  }
  if ('list' in desc) {
    // A list object: {object: 'list', data, has_more, url}, each item of the declared type.
    if (!isObject(value) || value.object !== 'list' || !Array.isArray(value.data)) {
      out.push({ kind: 'type', path, detail: `expected a list object, got ${kind(value)}` });
      return;
    }
    for (const key of Object.keys(value)) if (!['object', 'data', 'has_more', 'url', 'total_count'].includes(key)) out.push({ kind: 'unknown', path: `${path}.${key}`, detail: 'not a field of a list' });
    if (typeof value.has_more !== 'boolean' || typeof value.url !== 'string') out.push({ kind: 'type', path, detail: 'a list needs has_more and url' });
    value.data.forEach((v, i) => check(v, desc.list, `${path}.data[${i}]`, out));
    return;
  }
  if ('union' in desc) {
    // The member that fits best: no findings, else the object member (its findings say most).
    let best: Finding[] | undefined;
    for (const member of desc.union) {
      const tried: Finding[] = [];
      check(value, member, path, tried);
      if (tried.length === 0) return;
      if (typeof member === 'object' && 'ref' in member && isObject(value) && (best === undefined || tried.length < best.length)) best = tried;
    }
    out.push(...(best ?? [{ kind: 'type', path, detail: `${kind(value)} fits none of ${describe(desc)}` }]));
    return;
  }
  const shape = OBJECT_SHAPES.shapes[desc.ref];
  if (!isObject(value)) {
    out.push({ kind: 'type', path, detail: `expected ${desc.ref}, got ${kind(value)}` });
    return;
  }
  if (!shape) return; // an expanded object of a type outside the generated roots
  for (const [name, field] of Object.entries(shape)) {
    if (!(name in value)) {
      if (!field.optional) out.push({ kind: 'missing', path: `${path}.${name}`, detail: `required by ${desc.ref}` });
      continue;
    }
    check(value[name], field.type, `${path}.${name}`, out);
  }
  for (const name of Object.keys(value)) {
    // stripe-node adds lastResponse to what it returns.
    if (!(name in shape) && name !== 'lastResponse') out.push({ kind: 'unknown', path: `${path}.${name}`, detail: `not a field of ${desc.ref}` });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);
const describe = (d: Desc): string =>
  typeof d === 'string' ? d : 'ref' in d ? d.ref : 'enum' in d ? 'enum' : 'array' in d || 'list' in d ? 'list' : 'record' in d ? 'hash' : 'union';

/**
 * The keys an object has at the client's API version, from Stripe's sample object (whose fixtures
 * may predate it): the sample's keys the types still declare, plus every field the types require.
 */
export function keysAtClientVersion(sampleKeys: readonly string[], shape: string): string[] {
  const fields = OBJECT_SHAPES.shapes[shape];
  if (!fields) throw new Error(`no generated shape ${shape}`);
  const required = Object.entries(fields).filter(([, f]) => !f.optional).map(([k]) => k);
  return [...new Set([...sampleKeys.filter((k) => k in fields), ...required])].sort();
}
