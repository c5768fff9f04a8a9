// Decodes Stripe's form encoding, the bracket notation stripe-node (and curl users) send:
//   amount=2000&metadata[order]=42&expand[0]=customer&payment_method_data[card][number]=4242…
// into nested objects. Indexed keys (`expand[0]`, `items[1][price]`) and empty brackets
// (`expand[]`) become arrays; every leaf stays a string, as on the wire: the endpoint's parameter
// spec (params.ts) coerces types and names the parameter when one is wrong.
// @see https://docs.stripe.com/api/expanding_objects and stripe-node src/utils.ts stringifyRequestData

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Keys that would reach Object.prototype if used as plain property names. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export class FormDecodingError extends Error {
  constructor(readonly key: string, detail: string) {
    super(`Invalid parameter ${key}: ${detail}`);
  }
}

/** `a[b][0]` → ['a', 'b', '0']; `a[]` → ['a', '']. */
export function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.length > 0) {
    const close = rest.indexOf(']');
    if (rest[0] !== '[' || close < 0) throw new FormDecodingError(key, 'unbalanced brackets');
    parts.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  return parts;
}

export function decodeForm(body: string): FormObject {
  const root: FormObject = {};
  if (body.length === 0) return root;
  for (const [key, value] of new URLSearchParams(body)) {
    if (key.length === 0) continue;
    const parts = splitKey(key);
    if (parts.some((p) => FORBIDDEN.has(p))) throw new FormDecodingError(key, 'reserved name');
    assign(root, parts, value, key);
  }
  return arrayify(root) as FormObject;
}

/** Sets `value` at `parts` below `target`, building objects on the way; `[]` appends. */
function assign(target: FormObject, parts: string[], value: string, key: string): void {
  let node: FormObject = target;
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i] as string;
    const last = i === parts.length - 1;
    if (part === '') part = String(Object.keys(node).length); // `[]`: the next index
    if (last) {
      node[part] = value;
      return;
    }
    const existing = node[part];
    if (existing === undefined) {
      const child: FormObject = {};
      node[part] = child;
      node = child;
    } else if (typeof existing === 'object' && !Array.isArray(existing)) {
      node = existing;
    } else {
      throw new FormDecodingError(key, 'is given both as a value and as a hash');
    }
  }
}

/** Objects whose keys are exactly 0..n-1 become arrays, recursively. */
function arrayify(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  for (const k of keys) value[k] = arrayify(value[k] as FormValue);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => value[k] as FormValue);
  return value;
}

/** The inverse, for tests and internal callers: nested values → `a[b][0]=…` pairs. */
export function encodeForm(data: Record<string, unknown>): string {
  const pairs: string[] = [];
  const walk = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (value === null || typeof value !== 'object') {
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(value === null ? '' : String(value))}`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(`${key}[${i}]`, v));
    } else {
      for (const [k, v] of Object.entries(value)) walk(`${key}[${k}]`, v);
    }
  };
  for (const [k, v] of Object.entries(data)) walk(k, v);
  return pairs.join('&');
}
