// Each endpoint declares the parameters it accepts as a small spec; readParams checks decoded form
// values against it, coerces them (integers, booleans, `''` = unset) and answers what Stripe does:
// `Received unknown parameter: card[foo]`, `Invalid integer: abc`. The bracket path of the
// parameter is named the way Stripe names it, so `err.param` points at what the caller sent.
import type { FormValue } from './form-decoding.ts';
import { invalidRequest, missingParam, unknownParam } from './errors.ts';

export type ParamSpec =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'metadata'
  /** Any nested hash, taken as sent. */
  | 'hash'
  /** A list of strings, e.g. `expand`, `payment_method_types`. */
  | 'strings'
  /** A list of hashes, taken as sent. */
  | 'hashes'
  /** A string or a hash (e.g. `payment_method_data[billing_details][address]`). */
  | 'any'
  /** A list of hashes, each checked against the spec, e.g. subscription `items`. */
  | readonly [ObjectSpec]
  | ObjectSpec;
export interface ObjectSpec {
  readonly [key: string]: ParamSpec;
}

/** Coerced parameters: strings, numbers, booleans, null (sent as ''), nested Params and lists. */
export type ParamValue = string | number | boolean | null | Params | ParamValue[];
export interface Params {
  [key: string]: ParamValue;
}

/** Accepted by every endpoint. */
const COMMON: ObjectSpec = { expand: 'strings' };

/** Each endpoint's spec with COMMON merged in, built once: spreading 40 keys per request shows in profiles. */
const withCommon = new WeakMap<ObjectSpec, ObjectSpec>();

export function readParams(spec: ObjectSpec, raw: Record<string, FormValue>): Params {
  let full = withCommon.get(spec);
  if (!full) withCommon.set(spec, (full = { ...COMMON, ...spec }));
  return readObject(full, raw, '');
}

function readObject(spec: ObjectSpec, raw: Record<string, FormValue>, prefix: string): Params {
  const out: Params = {};
  for (const key of Object.keys(raw)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    const fieldSpec = spec[key];
    if (fieldSpec === undefined) throw unknownParam(name);
    out[key] = readValue(fieldSpec, raw[key] as FormValue, name);
  }
  return out;
}

function readValue(spec: ParamSpec, value: FormValue, name: string): ParamValue {
  // stripe-node sends null as '': Stripe reads an empty value as "unset".
  if (value === '') return null;
  if (Array.isArray(spec)) {
    const [itemSpec] = spec as readonly [ObjectSpec];
    if (!Array.isArray(value)) throw invalidRequest('Invalid array', name);
    return value.map((v, i) => {
      if (typeof v !== 'object' || Array.isArray(v)) throw invalidRequest('Invalid object', `${name}[${i}]`);
      return readObject(itemSpec, v, `${name}[${i}]`);
    });
  }
  if (typeof spec === 'object') {
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`Invalid object`, name);
    return readObject(spec as ObjectSpec, value, name);
  }
  switch (spec) {
    case 'string':
      if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${describe(value)}`, name);
      return value;
    case 'integer': {
      if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw invalidRequest(`Invalid integer: ${describe(value)}`, name);
      return Number(value);
    }
    case 'boolean':
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw invalidRequest(`Invalid boolean: ${describe(value)}`, name);
    case 'metadata':
      return readMetadata(value, name);
    case 'strings': {
      const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : null;
      if (list === null || list.some((v) => typeof v !== 'string')) throw invalidRequest('Invalid array', name);
      return list as string[];
    }
    case 'hashes': {
      if (!Array.isArray(value)) throw invalidRequest('Invalid array', name);
      return value.map((v, i) => readValue('hash', v, `${name}[${i}]`));
    }
    case 'hash':
      if (typeof value !== 'object') throw invalidRequest('Invalid object', name);
      return toParams(value);
    case 'any':
      return typeof value === 'string' ? value : toParams(value);
  }
}

/** Metadata is a flat string map; keys that look like indexes were turned into a list by the decoder. */
function readMetadata(value: FormValue, name: string): Params {
  if (typeof value !== 'object') throw invalidRequest('Invalid object', name);
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const out: Params = {};
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw invalidRequest('Invalid metadata value: must be a string', `${name}[${k}]`);
    out[k] = v === '' ? null : v;
  }
  return out;
}

function toParams(value: FormValue): Params | ParamValue[] {
  if (typeof value === 'string') return { value };
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : toParams(v)));
  const out: Params = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? (v === '' ? null : v) : toParams(v);
  return out;
}

function describe(value: FormValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// Typed accessors for handlers. A wrong type cannot reach them (readParams checked the spec), so
// they only narrow.

export function str(p: Params, key: string): string | undefined {
  const v = p[key];
  return typeof v === 'string' ? v : undefined;
}

export function int(p: Params, key: string): number | undefined {
  const v = p[key];
  return typeof v === 'number' ? v : undefined;
}

export function bool(p: Params, key: string): boolean | undefined {
  const v = p[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function obj(p: Params, key: string): Params | undefined {
  const v = p[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

export function strs(p: Params, key: string): string[] | undefined {
  const v = p[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** Whether the caller sent the key at all (even as '' to unset it). */
export function has(p: Params, key: string): boolean {
  return Object.hasOwn(p, key);
}

export function requireStr(p: Params, key: string): string {
  const v = str(p, key);
  if (v === undefined || v === '') throw missingParam(key);
  return v;
}

export function requireInt(p: Params, key: string): number {
  const v = int(p, key);
  if (v === undefined) throw missingParam(key);
  return v;
}

/** Applies a metadata update as Stripe does: keys merge, '' unsets a key, `metadata=''` clears all. */
export function mergeMetadata(current: Record<string, string>, p: Params): Record<string, string> {
  if (!has(p, 'metadata')) return current;
  const update = p.metadata;
  if (update === null) return {};
  const next = { ...current };
  for (const [k, v] of Object.entries(obj(p, 'metadata') ?? {})) {
    if (v === null) delete next[k];
    else next[k] = String(v);
  }
  return next;
}

/** Metadata for a new object. */
export function metadataOf(p: Params): Record<string, string> {
  return mergeMetadata({}, p);
}
