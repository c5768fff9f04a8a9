// What a rule at the `query` point matches on: the statement's kind and the tables it names. A
// light lexical look, not a parser: comments and string literals are skipped, the first keyword
// decides the kind, and table names are the identifiers after FROM/JOIN/INTO/UPDATE/TABLE/COPY.

export const QUERY_KINDS = ['select', 'insert', 'update', 'delete', 'ddl', 'begin', 'commit', 'rollback', 'copy', 'other'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

export interface QueryShape {
  kind: QueryKind;
  tables: string[];
}

const KIND_OF_KEYWORD: Record<string, QueryKind> = {
  select: 'select',
  values: 'select',
  table: 'select',
  show: 'select',
  explain: 'select',
  insert: 'insert',
  update: 'update',
  delete: 'delete',
  merge: 'update',
  create: 'ddl',
  alter: 'ddl',
  drop: 'ddl',
  truncate: 'ddl',
  comment: 'ddl',
  grant: 'ddl',
  revoke: 'ddl',
  begin: 'begin',
  start: 'begin',
  commit: 'commit',
  end: 'commit',
  rollback: 'rollback',
  abort: 'rollback',
  copy: 'copy',
};

/** Words: identifiers and keywords, lower-cased unless double-quoted; literals and comments dropped. */
function words(sql: string, limit = 400): string[] {
  const out: string[] = [];
  const re = /--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|\$([A-Za-z_]*)\$[\s\S]*?\$\1\$|"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_$]*(?:\.(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*))*)|([(),;])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sql)) !== null && out.length < limit) {
    if (m[2] !== undefined) out.push(m[2].replace(/""/g, '"'));
    else if (m[3] !== undefined) out.push(m[3].toLowerCase());
    else if (m[4] !== undefined) out.push(m[4]);
  }
  return out;
}

const TABLE_AFTER = new Set(['from', 'join', 'into', 'update', 'table', 'copy']);
const SKIP_AFTER_TABLE = new Set(['if', 'not', 'exists', 'only', 'lateral']);
/** Words that can follow FROM/INTO/… without being a table: punctuation, COPY's endpoints. */
const NOT_A_TABLE = new Set(['(', ',', ';', 'stdin', 'stdout', 'program']);

export function classifyQuery(sql: string): QueryShape {
  const w = words(sql);
  let first = w.find((x) => x !== '(' && x !== ';') ?? '';
  let kind: QueryKind = KIND_OF_KEYWORD[first] ?? 'other';
  if (first === 'with') {
    // A CTE: the data-modifying verb at depth 0 after the CTE list decides.
    first = w.find((x) => x === 'insert' || x === 'update' || x === 'delete') ?? 'select';
    kind = KIND_OF_KEYWORD[first] ?? 'select';
  }
  const tables = new Set<string>();
  for (let i = 0; i < w.length - 1; i++) {
    if (!TABLE_AFTER.has(w[i] as string)) continue;
    let j = i + 1;
    while (j < w.length && SKIP_AFTER_TABLE.has(w[j] as string)) j++;
    const name = w[j];
    if (name === undefined || NOT_A_TABLE.has(name) || KIND_OF_KEYWORD[name] === 'select') continue;
    tables.add(name.includes('.') ? (name.split('.').at(-1) as string).replace(/"/g, '') : name);
  }
  return { kind, tables: [...tables] };
}

/** Clients repeat their statements: each text is classified once (bounded, cleared when full). */
const shapes = new Map<string, QueryShape>();
export function classifyQueryCached(sql: string): QueryShape {
  let shape = shapes.get(sql);
  if (!shape) {
    if (shapes.size >= 2_000) shapes.clear();
    shape = classifyQuery(sql);
    shapes.set(sql, shape);
  }
  return shape;
}
