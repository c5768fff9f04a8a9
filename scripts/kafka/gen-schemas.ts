// Generates twins/kafka/apis/<api>/schema.ts — the field tables and TypeScript types of each API, for
// exactly the versions Standin implements — from Kafka's JSON message definitions. Run by hand when
// an API or version range changes, then review the diff:
//   node bin/run-ts.js scripts/kafka/gen-schemas.ts [definitions dir]
// The definitions are read here only; test/kafka/codec-fixtures.test.ts checks the tables again
// against them when they are present.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMPLEMENTED } from '../../twins/kafka/apis/implemented.ts';

const here = dirname(fileURLToPath(import.meta.url));
// The definitions live in shared/ beside the repository (as on CI), or where KAFKA_MESSAGES_DIR says.
const besideRepo = resolve(here, '../../../shared/reference/kafka-messages');
export const defsDir = resolve(
  (import.meta.url === `file://${process.argv[1]}` ? process.argv[2] : undefined) ??
    process.env.KAFKA_MESSAGES_DIR ??
    (existsSync(besideRepo) ? besideRepo : '/work/shared/reference/kafka-messages'),
);
const OPEN = 32767;

interface JsonField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  tag?: number;
  taggedVersions?: string;
  default?: string | number | boolean;
  fields?: JsonField[];
}
interface JsonMessage {
  apiKey: number;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: JsonField[];
  commonStructs?: Array<{ name: string; versions: string; fields: JsonField[] }>;
}

export function loadDefinition(file: string): JsonMessage {
  const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
  return JSON.parse(text) as JsonMessage;
}

export function parseVersions(spec: string | undefined): [number, number] | undefined {
  if (spec === undefined || spec === 'none') return undefined;
  if (spec.endsWith('+')) return [Number(spec.slice(0, -1)), OPEN];
  const [a, b] = spec.split('-');
  return [Number(a), Number(b ?? a)];
}

function clip(r: [number, number] | undefined, [lo, hi]: readonly [number, number]): [number, number] | undefined {
  if (!r) return undefined;
  const a = Math.max(r[0], lo);
  const b = Math.min(r[1], hi);
  return a > b ? undefined : [a, b === hi ? OPEN : b];
}

const camel = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const PRIMS = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid']);
const TS: Record<string, string> = {
  bool: 'boolean', int8: 'number', int16: 'number', uint16: 'number', int32: 'number', uint32: 'number',
  int64: 'number', float64: 'number', string: 'string', bytes: 'Buffer', records: 'Buffer', uuid: 'Buffer',
};

function parseDefault(f: JsonField, base: string): string | undefined {
  if (f.default === undefined) return undefined;
  const d = String(f.default);
  if (d === 'null') return 'null';
  if (base === 'bool') return d === 'true' ? 'true' : 'false';
  if (base === 'string') return JSON.stringify(d);
  return String(Number(d));
}

interface Emitted {
  spec: string;
  iface: string;
}

function emitStruct(
  fields: JsonField[],
  range: readonly [number, number],
  typeName: string,
  optional: boolean,
  common: Map<string, JsonField[]>,
  out: string[],
  indent: string,
): Emitted {
  const specs: string[] = [];
  const props: string[] = [];
  for (const f of fields) {
    const versions = clip(parseVersions(f.versions), range);
    if (!versions) continue;
    const isArray = f.type.startsWith('[]');
    const base = isArray ? f.type.slice(2) : f.type;
    const nullable = clip(parseVersions(f.nullableVersions), range);
    let typeSpec: string;
    let tsType: string;
    if (PRIMS.has(base)) {
      typeSpec = JSON.stringify(base);
      tsType = TS[base] as string;
    } else {
      const inner = f.fields ?? common.get(base);
      if (!inner) throw new Error(`${typeName}: unknown type ${base}`);
      const innerName = `${typeName}${base}`;
      const emitted = emitStruct(inner, range, innerName, optional, common, out, indent + '  ');
      typeSpec = emitted.spec;
      tsType = innerName;
    }
    if (isArray) tsType = `${tsType}[]`;
    // A struct that is not an array decodes as null when absent from the version.
    else if (!PRIMS.has(base)) tsType = `${tsType} | null`;
    if (nullable || (base === 'records')) tsType = `${tsType} | null`;
    const parts = [`name: '${camel(f.name)}'`, `type: ${typeSpec}`];
    if (isArray) parts.push('array: true');
    parts.push(`versions: [${versions[0]}, ${versions[1]}]`);
    if (nullable) parts.push(`nullable: [${nullable[0]}, ${nullable[1]}]`);
    if (f.tag !== undefined) parts.push(`tag: ${f.tag}`);
    const def = parseDefault(f, base);
    if (def !== undefined) parts.push(`default: ${def}`);
    specs.push(`${indent}  { ${parts.join(', ')} },`);
    props.push(`  ${camel(f.name)}${optional ? '?' : ''}: ${tsType};`);
  }
  out.push(`export interface ${typeName} {\n${props.join('\n')}\n}`);
  return { spec: `{\n${indent}fields: [\n${specs.join('\n')}\n${indent}] }`, iface: typeName };
}

export function generate(api: (typeof IMPLEMENTED)[number]): string {
  const req = loadDefinition(join(defsDir, `${api.definition}Request.json`));
  const res = loadDefinition(join(defsDir, `${api.definition}Response.json`));
  const flexible = parseVersions(req.flexibleVersions)?.[0] ?? OPEN;
  const range = api.versions;
  const types: string[] = [];
  const common = (m: JsonMessage): Map<string, JsonField[]> => new Map((m.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const request = emitStruct(req.fields, range, `${api.name}Request`, false, common(req), types, '  ');
  const response = emitStruct(res.fields, range, `${api.name}Response`, true, common(res), types, '  ');
  return `// GENERATED by scripts/kafka/gen-schemas.ts from ${api.definition}Request.json and
// ${api.definition}Response.json (Apache Kafka message definitions), versions ${range[0]}–${range[1]}. Reviewed; do not edit by hand.
// Request types carry every field (absent ones decoded as defaults); response fields are optional
// (absent ones encoded as defaults).
import type { MessageSpec } from '../../protocol/schema.ts';

${types.join('\n\n')}

export const ${camel(api.name)}Spec: MessageSpec = {
  apiKey: ${req.apiKey},
  name: '${api.name}',
  versions: [${range[0]}, ${range[1]}],
  flexible: ${flexible},
  request: ${request.spec},
  response: ${response.spec},
};
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const api of IMPLEMENTED) {
    const file = join(here, '../../twins/kafka/apis', api.folder, 'schema.ts');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, generate(api));
    console.log(`wrote ${file}`);
  }
}
