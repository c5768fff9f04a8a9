// Response templating from the request: `{{request.params.id}}`, `{{request.query.page}}`,
// `{{request.headers.x-trace}}`, `{{request.body.customer.name}}` (a path into a JSON body; array
// items by index), `{{request.body}}`, `{{request.method}}`, `{{request.path}}`, `{{request.url}}`.
// Only `{{request…}}` is a template; any other `{{…}}` is left as written. A JSON string that is one
// whole expression keeps the value's type (a number stays a number). A missing value renders empty.
// Templates compile once per stub; a response without any renders from precomputed bytes.
import { FieldError } from './field-error.ts';
import type { Params } from './path-matcher.ts';
import type { RecordedRequest } from './recorded-request.ts';

export interface TemplateInput {
  request: RecordedRequest;
  params: Params;
}

type Getter = (input: TemplateInput) => unknown;

const EXPRESSION = /\{\{\s*(request(?:\.[^\s{}]*)?)\s*\}\}/g;
const WHOLE = /^\{\{\s*(request(?:\.[^\s{}]*)?)\s*\}\}$/;
const ROOTS = ['method', 'path', 'url', 'params', 'query', 'headers', 'body'] as const;

/** A renderer for a string with templates, or undefined when it has none. */
export function compileText(text: string, field: string): ((input: TemplateInput) => string) | undefined {
  const parts: Array<string | Getter> = [];
  let last = 0;
  for (const m of text.matchAll(EXPRESSION)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(compileExpression(m[1] as string, field));
    last = m.index + m[0].length;
  }
  if (parts.length === 0) return undefined;
  if (last < text.length) parts.push(text.slice(last));
  return (input) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : toText(part(input));
    return out;
  };
}

/** A renderer for a JSON value with templates in its strings, or undefined when it has none. */
export function compileJson(value: unknown, field: string): ((input: TemplateInput) => unknown) | undefined {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return compileExpression(whole[1] as string, field);
    return compileText(value, field);
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileJson(item, `${field}[${i}]`));
    if (items.every((item) => item === undefined)) return undefined;
    return (input) => value.map((item, i) => (items[i] ? (items[i] as Getter)(input) : item));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, v]) => [key, v, compileJson(v, `${field}.${key}`)] as const);
    if (entries.every(([, , render]) => render === undefined)) return undefined;
    return (input) => {
      const out: Record<string, unknown> = {};
      for (const [key, v, render] of entries) out[key] = render ? render(input) : v;
      return out;
    };
  }
  return undefined;
}

function compileExpression(expression: string, field: string): Getter {
  const [, root, ...rest] = expression.split('.');
  if (!ROOTS.includes(root as (typeof ROOTS)[number])) {
    throw new FieldError(field, `unknown template {{${expression}}}; use request.${ROOTS.join(', request.')}`);
  }
  const name = rest.join('.');
  switch (root as (typeof ROOTS)[number]) {
    case 'method':
      return ({ request }) => request.method;
    case 'path':
      return ({ request }) => request.path;
    case 'url':
      return ({ request }) => request.url;
    case 'params':
      return needName(name, expression, field, (n) => ({ params }) => params[n]);
    case 'query':
      return needName(name, expression, field, (n) => ({ request }) => request.query[n]);
    case 'headers':
      return needName(name, expression, field, (n) => ({ request }) => request.headers[n.toLowerCase()]);
    case 'body': {
      if (rest.length === 0) return ({ request }) => request.text;
      return ({ request }) => rest.reduce<unknown>((value, key) => (isRecord(value) ? value[key] : undefined), request.json);
    }
  }
}

function needName(name: string, expression: string, field: string, make: (name: string) => Getter): Getter {
  if (name === '') throw new FieldError(field, `template {{${expression}}} needs a name, e.g. {{${expression}.id}}`);
  return make(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
