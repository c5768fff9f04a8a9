// A YAML (or JSON) document that remembers where each value came from, so a problem found in a
// field can be reported as file:line:column.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isNode, isSeq, isScalar, type Node, type Pair } from 'yaml';
import { DEFAULT_LIMITS, StandinError, limitFlag, type Limits } from '../core/index.ts';
import { aliasProblem, nestingProblem, type YamlProblem } from './yaml-bounds.ts';

/** The limits that bound reading a document (an API server's own; the defaults for local files). */
export type YamlLimits = Pick<Limits, 'apiBodyDepth' | 'yamlBytes' | 'yamlAliases' | 'yamlAliasNodes'>;

export interface YamlSource {
  file: string;
  value: unknown;
  /**
   * 1-based line and column of a dotted field path (`twins.db.port`, `faults[1].action`): of its
   * value, or of its key with `at: 'key'` (for unknown fields).
   */
  position(field: string, at?: 'key' | 'value'): { line: number; column: number };
}

export async function readYamlSource(file: string, limits: YamlLimits = DEFAULT_LIMITS): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new StandinError('STANDIN_ERR_SCENARIO_NOT_FOUND', { file });
  }
  return parseYamlSource(file, text, limits);
}

export function parseYamlSource(file: string, text: string, limits: YamlLimits = DEFAULT_LIMITS): YamlSource {
  const invalid = (problem: YamlProblem, lines: LineCounter): StandinError => {
    const { line, col } = lines.linePos(problem.offset);
    return new StandinError('STANDIN_ERR_SCENARIO_INVALID', { file, line, column: col, field: problem.field, detail: problem.detail });
  };
  const bounds = { maxDepth: limits.apiBodyDepth, maxAliases: limits.yamlAliases, maxAliasNodes: limits.yamlAliasNodes };
  if (Buffer.byteLength(text) > limits.yamlBytes) {
    const detail = `longer than ${limits.yamlBytes} bytes (${limitFlag('yamlBytes')})`;
    throw new StandinError('STANDIN_ERR_SCENARIO_INVALID', { file, line: 1, column: 1, field: '(document)', detail });
  }
  const prepassLines = new LineCounter();
  const tooDeep = nestingProblem(text, bounds.maxDepth, prepassLines.addNewLine);
  if (tooDeep) throw invalid(tooDeep, prepassLines);

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError) throw invalid({ offset: firstError.pos[0], field: '(syntax)', detail: firstError.message.split('\n')[0]! }, lineCounter);
  const aliases = aliasProblem(doc, bounds);
  if (aliases) throw invalid(aliases, lineCounter);
  const position = (field: string, at: 'key' | 'value' = 'value'): { line: number; column: number } => {
    let node: Node | null | undefined = doc.contents;
    let offset = node?.range?.[0] ?? 0;
    const parts = splitField(field);
    for (const [i, part] of parts.entries()) {
      if (isMap(node)) {
        const pair: Pair<unknown, unknown> | undefined = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part);
        if (!pair) break;
        if (isNode(pair.key)) offset = pair.key.range?.[0] ?? offset;
        node = isNode(pair.value) ? pair.value : null;
        const last = i === parts.length - 1;
        if (node?.range && !(last && at === 'key')) offset = isMap(node) || isSeq(node) ? offset : node.range[0];
      } else if (isSeq(node)) {
        const item: unknown = node.items[Number(part)];
        if (!isNode(item)) break;
        node = item;
        offset = item.range?.[0] ?? offset;
      } else break;
    }
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // aliasProblem has bounded what aliases expand to, more finely than the library's maxAliasCount.
  return { file, value: doc.toJS({ maxAliasCount: -1 }), position };
}

function splitField(field: string): string[] {
  return field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p.length > 0 && p !== '(root)');
}
