// expand[]: replaces id fields with the objects they name, following dotted paths
// (`latest_charge.balance_transaction`, `data.customer` in lists). Works on a copy, so stored
// objects keep their ids.
// @see https://docs.stripe.com/api/expanding_objects
import { invalidRequest } from './errors.ts';
import type { StripeState } from './state.ts';

type Node = Record<string, unknown>;

export function expand(result: Node, paths: readonly string[], state: StripeState): Node {
  if (paths.length === 0) return result;
  if (paths.some((p) => p.split('.').length > 4)) {
    throw invalidRequest('You cannot expand more than 4 levels of a property.', 'expand');
  }
  const copy = JSON.parse(JSON.stringify(result)) as Node;
  for (const path of paths) expandPath(copy, path.split('.'), path, state);
  return copy;
}

function expandPath(node: Node, parts: string[], full: string, state: StripeState): void {
  const [head, ...rest] = parts as [string, ...string[]];
  let value = node[head];
  if (value === undefined && typeof node.id === 'string') {
    // An includable field, absent until asked for.
    const include = state.includable.get(`${String(node.object)}.${head}`);
    if (include) node[head] = value = include(node.id, state);
  }
  if (Array.isArray(value) && head === 'data') {
    for (const item of value) if (item && typeof item === 'object') expandPath(item as Node, rest, full, state);
    return;
  }
  if (rest.length === 0 || typeof value === 'string') {
    if (typeof value === 'string') {
      const found = state.find(value);
      if (!found) throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
      value = JSON.parse(JSON.stringify(found)) as Node;
      node[head] = value;
    } else if (value !== null && (value === undefined || typeof value !== 'object')) {
      throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
    }
  }
  if (rest.length > 0 && value && typeof value === 'object') expandPath(value as Node, rest, full, state);
}
