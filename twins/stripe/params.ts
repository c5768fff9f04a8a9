// Each endpoint declares the parameters it accepts as a small spec; readParams checks decoded form
// values against it, coerces them (integers, booleans, `''` = unset) and answers what Stripe does:
// `Received unknown parameter: card[foo]`, `Invalid integer: abc`, metadata limits, currencies,
// email addresses, and — for a route that names its `stripeParams` — the closed enums the stripe package
// publishes for the endpoint (param-enums.ts, generated). The bracket path of the parameter is
// named the way Stripe names it, so `err.param` points at what the caller sent.
import { checkCurrency } from './currencies.ts';
import type { FormValue } from './form-decoding.ts';
import { emptyParam, invalidRequest, missingParam, unknownParam } from './errors.ts';
import { PARAM_ENUMS, type EnumTree, type ParamInterface } from './param-enums.ts';

export type ParamSpec =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'metadata'
  /** A three-letter ISO currency code, answered in lower case. */
  | 'currency'
  | 'email'
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

/** The closed enums of the stripe package's parameter interface behind each spec made with stripeParams. */
const enumsOf = new WeakMap<ObjectSpec, EnumTree>();

/** Holds `spec`'s values also to the enums Stripe publishes for `name` (e.g. PaymentIntentCreateParams). */
export function registerStripeParams(spec: ObjectSpec, name: ParamInterface): void {
  const tree = PARAM_ENUMS[name];
  const known = enumsOf.get(spec);
  // One spec object serves one parameter interface; two routes sharing it must name the same one.
  if (known !== undefined && known !== tree) throw new Error(`stripe twin: a parameter spec is registered for two interfaces (${name})`);
  enumsOf.set(spec, tree);
}

export function readParams(spec: ObjectSpec, raw: Record<string, FormValue>): Params {
  let full = withCommon.get(spec);
  if (!full) withCommon.set(spec, (full = { ...COMMON, ...spec }));
  const params = readObject(full, raw, '');
  const enums = enumsOf.get(spec);
  if (enums) checkEnums(enums, params, '');
  return params;
}

/** Walks the sent parameters along the enum tree: only what the caller sent is visited. */
function checkEnums(tree: EnumTree, value: ParamValue, name: string): void {
  if (value === null) return;
  if (isEnum(tree)) {
    if (typeof value === 'string' && !tree.includes(value)) throw invalidRequest(`Invalid ${name}: must be one of ${oneOf(tree)}`, name);
    return;
  }
  if (Array.isArray(value)) {
    const items = tree['[]'];
    if (items) value.forEach((item, i) => checkEnums(items, item, `${name}[${i}]`));
    return;
  }
  if (typeof value === 'string') {
    const values = tree[''];
    if (values) checkEnums(values, value, name);
    return;
  }
  if (typeof value !== 'object') return;
  // Keys, not entries: an array per parameter on every request showed in allocation profiles.
  for (const key of Object.keys(value)) {
    const sub = tree[key];
    if (sub) checkEnums(sub, value[key] as ParamValue, name ? `${name}[${key}]` : key);
  }
}

const isEnum = (tree: EnumTree): tree is readonly string[] => Array.isArray(tree);

/** `a, b, or c` as Stripe lists the allowed values (`a or b` for two). */
function oneOf(values: readonly string[]): string {
  if (values.length <= 2) return values.join(' or ');
  return `${values.slice(0, -1).join(', ')}, or ${values[values.length - 1]}`;
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
      if (typeof value !== 'string' || !/^-?\d+$/.test(value)) {
        throw invalidRequest(`Invalid integer: ${describe(value)}`, name, 'parameter_invalid_integer');
      }
      return Number(value);
    }
    case 'currency':
      if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${describe(value)}`, name);
      return checkCurrency(value, name);
    case 'email':
      if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${describe(value)}`, name);
      if (!isEmail(value)) throw invalidRequest(`Invalid email address: ${value}`, name, 'email_invalid');
      return value;
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

/**
 * One local part, one `@`, a domain with an inner dot, no spaces, at most 512 characters (Stripe's
 * limit on email fields). Checked by hand: a regular expression for it backtracks quadratically
 * on a hostile megabyte of dots.
 */
function isEmail(value: string): boolean {
  if (value.length > 512 || /\s/.test(value)) return false;
  const at = value.indexOf('@');
  if (at < 1 || at !== value.lastIndexOf('@')) return false;
  const domain = value.slice(at + 1);
  const dot = domain.indexOf('.');
  return dot > 0 && domain.lastIndexOf('.') < domain.length - 1;
}

/** Stripe's metadata limits. @see https://docs.stripe.com/metadata#data */
const METADATA_KEYS = 50;
const METADATA_KEY_LENGTH = 40;
const METADATA_VALUE_LENGTH = 500;

/** Metadata is a flat string map; keys that look like indexes were turned into a list by the decoder. */
function readMetadata(value: FormValue, name: string): Params {
  if (typeof value !== 'object') throw invalidRequest('Invalid object', name);
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length > METADATA_KEYS) {
    throw invalidRequest(
      `Metadata can have up to ${METADATA_KEYS} keys, but you've set ${entries.length}. Email us at support+metadata@stripe.com for more information.`,
      name,
    );
  }
  const out: Params = {};
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw invalidRequest(`Invalid val: ${describe(v)} must be a string under ${METADATA_VALUE_LENGTH} characters`, name);
    if (k.length > METADATA_KEY_LENGTH) throw invalidRequest(`Invalid key: ${k} must be a string under ${METADATA_KEY_LENGTH} characters`, name);
    if (v.length > METADATA_VALUE_LENGTH) throw invalidRequest(`Invalid val: ${v} must be a string under ${METADATA_VALUE_LENGTH} characters`, name);
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

/** Sent as '' (unset) where a value is required: Stripe's parameter_invalid_empty, not a missing param. */
export function requireStr(p: Params, key: string): string {
  if (p[key] === null) throw emptyParam(key);
  const v = str(p, key);
  if (v === undefined || v === '') throw missingParam(key);
  return v;
}

export function requireInt(p: Params, key: string): number {
  if (p[key] === null) throw emptyParam(key);
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
