// fast-check arbitraries from the API's own JSON schemas (TypeBox schemas, or what GET /kinds
// answers), and mutations that make a valid value hostile: wrong types, unknown fields, huge strings
// and numbers, deep nesting, odd unicode, nulls.
import fc from 'fast-check';

export type JsonSchema = Record<string, any>;

/** Values to use for a property of this name instead of what its schema allows (e.g. no real URLs). */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

const SMALL_SPAN = 8;

/** A value valid against `schema` (as far as its keywords go), with `hints` by property name. */
export function arbitraryOf(schema: JsonSchema, hints: Hints = {}, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 8) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if (Array.isArray(schema.anyOf)) return fc.oneof(...schema.anyOf.map((s: JsonSchema) => arbitraryOf(s, hints, depth + 1)));
  switch (schema.type) {
    case 'string':
      return stringOf(schema);
    case 'integer':
    case 'number':
      return numberOf(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = schema.minItems ?? 0;
      return fc.array(schema.items ? arbitraryOf(schema.items, hints, depth + 1) : smallJson(), { minLength: min, maxLength: Math.max(min, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'object':
      return objectOf(schema, hints, depth);
    default:
      return smallJson();
  }
}

function objectOf(schema: JsonSchema, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  const properties: Record<string, JsonSchema> = schema.properties ?? {};
  if (Object.keys(properties).length === 0 && schema.patternProperties) {
    const [pattern, valueSchema] = Object.entries(schema.patternProperties as Record<string, JsonSchema>)[0]!;
    return fc.dictionary(matching(pattern), arbitraryOf(valueSchema, hints, depth + 1), { maxKeys: 3 });
  }
  const required = new Set<string>(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, propertySchema] of Object.entries(properties)) {
    record[name] = hints[name] ?? arbitraryOf(propertySchema, hints, depth + 1);
  }
  return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) }).map((value) => value as unknown);
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  if (typeof schema.pattern === 'string') return matching(schema.pattern);
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 24, 24));
  return fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.constantFrom('a', 'x-1', 'orders', '/path', 'GET').filter((s) => s.length >= minLength && s.length <= maxLength),
  );
}

function matching(pattern: string): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(new RegExp(pattern)).filter((s) => s.length <= 200);
  } catch {
    return fc.string({ maxLength: 16 });
  }
}

function numberOf(schema: JsonSchema): fc.Arbitrary<number> {
  const integer = schema.type === 'integer';
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : integer ? -(2 ** 31) : -1e9);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : integer ? 2 ** 31 - 1 : 1e9);
  const small = Math.min(max, min + SMALL_SPAN);
  const range = integer
    ? fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  // Mostly small values, as real clients send; now and then anywhere in the allowed range.
  const near = integer ? fc.integer({ min, max: small }) : fc.double({ min, max: small, noNaN: true, noDefaultInfinity: true });
  return fc.oneof({ arbitrary: near, weight: 4 }, { arbitrary: range, weight: 1 });
}

export function smallJson(): fc.Arbitrary<unknown> {
  return fc.jsonValue({ maxDepth: 2 });
}

/** Nested `depth` containers deep. */
export function nested(depth: number, leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

/** `{"a":[{"a":[…1…]}]}` nested `depth` deep, as JSON text. */
export function deepJsonText(depth: number): string {
  const open: string[] = [];
  for (let i = 0; i < depth; i++) open.push(i % 2 === 0 ? '{"a":' : '[');
  return `${open.join('')}1${open.reverse().map((o) => (o === '[' ? ']' : '}')).join('')}`;
}

/** Values no schema field expects. */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, -0.5, 2 ** 31, 2 ** 32, 2 ** 53 + 2, 1e308, -1e308, 5e-324, '', '7', 'null', '0.0.0.0', '../../../etc/passwd', '/etc/shadow', '\u0000', '\ud800', '\u202e', '💥', [], {}, [[]], JSON.parse('{"__proto__": {"polluted": 1}}')),
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.string({ unit: 'grapheme', maxLength: 32 }),
    fc.integer({ min: 0, max: 100 }).map((n) => 'x'.repeat(n * 1_000)),
    // Deeper values are sent as text (deepJsonText): JSON.stringify itself overflows at 10,000.
    fc.integer({ min: 0, max: 3 }).map((n) => nested([8, 63, 65, 2_000][n]!)),
    fc.integer({ min: 0, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
    fc.jsonValue({ maxDepth: 4 }),
  );
}

/**
 * `value` with one hostile change: a field's value replaced by a hostile one or by null, a field
 * removed, an unknown field added, or the whole value wrapped deep.
 */
export function mutate(value: unknown): fc.Arbitrary<unknown> {
  return fc.tuple(fc.nat(), fc.constantFrom('replace', 'remove', 'extra', 'null', 'wrap'), hostileValue(), fc.string({ maxLength: 12 })).map(
    ([pick, how, hostile, name]) => {
      const copy = structuredClone(value);
      if (how === 'wrap') return nested(70, copy);
      const containers = containersOf(copy);
      if (containers.length === 0) return hostile;
      const target = containers[pick % containers.length]!;
      const keys = Object.keys(target);
      const key = keys.length > 0 ? keys[pick % keys.length]! : name;
      if (how === 'extra') (target as Record<string, unknown>)[Array.isArray(target) ? String(keys.length) : `${name}_x`] = hostile;
      else if (how === 'remove' && !Array.isArray(target)) delete (target as Record<string, unknown>)[key];
      else (target as Record<string, unknown>)[key] = how === 'null' ? null : hostile;
      return copy;
    },
  );
}

function containersOf(value: unknown): object[] {
  const out: object[] = [];
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    out.push(v);
    for (const child of Object.values(v)) stack.push(child);
  }
  return out;
}

/** Mostly valid values, a third of them mutated. */
export function validOrMutated(arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary, weight: 2 }, { arbitrary: arbitrary.chain(mutate), weight: 1 });
}
