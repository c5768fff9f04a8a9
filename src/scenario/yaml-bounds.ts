// What a YAML document may cost to read. A scenario can come from an API client (POST
// /scenarios/run), so its text is hostile until measured: nesting 100,000 deep makes the yaml
// library's parser slow and its composer overflow the stack; thousands of anchors and aliases cost
// their count squared to resolve; nine aliases of nine aliases of… (billion laughs) expand to
// millions of nodes; an alias inside its own anchor makes a cycle that every later walk follows
// forever. Each check answers with the offending field and its offset in the text.
import { CST, Lexer, Parser, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { limitFlag } from '../core/index.ts';

export interface YamlBounds {
  /** Containers nested inside each other (apiBodyDepth). */
  maxDepth: number;
  /** Anchors and aliases in the document (yamlAliases). */
  maxAliases: number;
  /** Nodes the aliases add when expanded (yamlAliasNodes). */
  maxAliasNodes: number;
}

export interface YamlProblem {
  offset: number;
  field: string;
  detail: string;
}

/** The parser's stack holds the document and the scalar being read besides the open containers. */
const STACK_OVERHEAD = 2;

/**
 * Reads the text's structure once with the yaml library's own lexer and (iterative) parser and
 * stops at the first place nested too deep, before the recursive composer ever sees it.
 */
export function nestingProblem(text: string, maxDepth: number, onNewLine?: (offset: number) => void): YamlProblem | undefined {
  const parser = new Parser(onNewLine);
  onNewLine?.(0);
  for (const lexeme of new Lexer().lex(text)) {
    for (const _token of parser.next(lexeme)) {
      // Completed documents are not needed here: only how deep the parser is.
    }
    if (parser.stack.length > maxDepth + STACK_OVERHEAD) {
      return { offset: parser.offset, field: fieldOfStack(parser.stack), detail: tooDeep(maxDepth) };
    }
  }
  return undefined;
}

/**
 * Walks the composed document in the order the yaml library resolves aliases (keys before values),
 * counting anchors and aliases, what each alias expands to, and the depth an alias reaches.
 * Recursion follows the document's own nesting, which nestingProblem has bounded.
 */
export function aliasProblem(doc: Document, bounds: YamlBounds): YamlProblem | undefined {
  interface Shape {
    nodes: number;
    depth: number;
  }
  const anchors = new Map<string, Node>();
  const shapes = new Map<Node, Shape>();
  const open = new Set<Node>();
  let marks = 0;
  let added = 0;

  class Found extends Error {
    constructor(readonly problem: YamlProblem) {
      super(problem.detail);
    }
  }
  const fail = (node: Node, path: (string | number)[], detail: string): never => {
    throw new Found({ offset: node.range?.[0] ?? 0, field: fieldOf(path), detail });
  };
  const mark = (node: Node, path: (string | number)[]): void => {
    if (++marks > bounds.maxAliases) {
      fail(node, path, `more than ${bounds.maxAliases} anchors and aliases in one document (${limitFlag('yamlAliases')})`);
    }
  };

  const visit = (node: unknown, path: (string | number)[], level: number): Shape => {
    if (isAlias(node)) {
      mark(node, path);
      const target = anchors.get(node.source);
      if (!target) return fail(node, path, `alias *${node.source} names no anchor before it`);
      if (open.has(target)) return fail(node, path, `alias *${node.source} is inside its own anchor (a cycle)`);
      const shape = shapes.get(target)!;
      added += shape.nodes;
      if (added > bounds.maxAliasNodes) {
        fail(node, path, `aliases expand to more than ${bounds.maxAliasNodes} nodes (${limitFlag('yamlAliasNodes')})`);
      }
      if (level + shape.depth > bounds.maxDepth) fail(node, path, tooDeep(bounds.maxDepth));
      return shape;
    }
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) return { nodes: 1, depth: 0 };
    if (node.anchor) {
      mark(node, path);
      anchors.set(node.anchor, node);
      open.add(node);
    }
    let shape: Shape = { nodes: 1, depth: 0 };
    if (isMap(node) || isSeq(node)) {
      if (level + 1 > bounds.maxDepth) fail(node, path, tooDeep(bounds.maxDepth));
      let nodes = 1;
      let depth = 0;
      node.items.forEach((item: unknown, i: number) => {
        const parts = isPair(item)
          ? [visit(item.key, [...path, '(key)'], level + 1), visit(item.value, [...path, keyName(item.key, i)], level + 1)]
          : [visit(item, [...path, i], level + 1)];
        for (const part of parts) {
          nodes += part.nodes;
          depth = Math.max(depth, part.depth);
        }
      });
      shape = { nodes, depth: depth + 1 };
    }
    if (node.anchor) {
      open.delete(node);
      shapes.set(node, shape);
    }
    return shape;
  };

  try {
    visit(doc.contents, [], 0);
    return undefined;
  } catch (error) {
    if (error instanceof Found) return error.problem;
    throw error;
  }
}

function tooDeep(maxDepth: number): string {
  return `nested more than ${maxDepth} levels deep (${limitFlag('apiBodyDepth')})`;
}

function keyName(key: unknown, index: number): string | number {
  return isScalar(key) ? String(key.value) : index;
}

/** `twins.db.port`, `faults[1].action`, the way every other message names a field. */
function fieldOf(path: (string | number)[]): string {
  const shown = path.slice(0, 10).map((part, i) => {
    if (typeof part === 'number') return `[${part}]`;
    const text = part.length > 40 ? `${part.slice(0, 40)}…` : part;
    return i === 0 ? text : `.${text}`;
  });
  return (shown.join('') || '(root)') + (path.length > 10 ? '…' : '');
}

/** The field being read where the parser stopped: each open container's last key or index. */
function fieldOfStack(stack: CST.Token[]): string {
  const path: (string | number)[] = [];
  for (const token of stack) {
    if (token.type === 'block-seq' || (token.type === 'flow-collection' && token.start.source === '[')) {
      path.push(Math.max(0, token.items.length - 1));
    } else if (token.type === 'block-map' || token.type === 'flow-collection') {
      const key = token.items.at(-1)?.key;
      path.push(key && 'source' in key && typeof key.source === 'string' ? key.source : '?');
    }
  }
  return fieldOf(path);
}
