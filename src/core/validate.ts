// Schema checks shared by the API edge, scenario files and twin configs: TypeBox schemas, errors
// reported as `field: problem` with the field spelled as a dotted path from the document root.
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/** Compiled checkers, one per schema object: the fast path for the (usual) valid value. */
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

export type FieldProblem = {
  /** Dotted path, e.g. `twins.db.port` or `faults[2].action.error.status`. */
  field: string;
  detail: string;
};

export function checkSchema(schema: TSchema, value: unknown, prefix = ''): FieldProblem[] {
  if (checker(schema).Check(value)) return [];
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const field = joinField(prefix, pointerToField(error.path));
    // Unions report once per branch; the first problem of each field is the useful one.
    if (seen.has(field)) continue;
    seen.add(field);
    const detail =
      error.message === 'Unexpected property'
        ? 'unknown field'
        : error.message === 'Expected required property'
          ? 'is required'
          : describe(error.message, error.schema);
    problems.push({ field: field || '(root)', detail });
  }
  return problems;
}

export function joinField(prefix: string, field: string): string {
  if (!prefix) return field;
  if (!field) return prefix;
  return field.startsWith('[') ? `${prefix}${field}` : `${prefix}.${field}`;
}

function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

function describe(message: string, schema: TSchema): string {
  const lower = message.charAt(0).toLowerCase() + message.slice(1);
  if (Array.isArray(schema.anyOf)) {
    if (schema.anyOf.every((s: TSchema) => 'const' in s)) {
      return `expected one of ${schema.anyOf.map((s: TSchema) => JSON.stringify(s.const)).join(', ')}`;
    }
    if (typeof schema.description === 'string') return `expected ${schema.description}`;
    return `expected ${schema.anyOf.map(typeName).join(' or ')}`;
  }
  return lower;
}

function typeName(schema: TSchema): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.type === 'object' && schema.properties) return `an object {${Object.keys(schema.properties).join(', ')}}`;
  return String(schema.type ?? 'a value');
}
