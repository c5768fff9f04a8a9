// A twin's inspect() answer made readable without knowing each kind: an array of objects becomes a
// table (one column per key), an object a list of its keys with their values, and so on down. This
// gives pg rows per table, Kafka topics/partitions/groups, Stripe objects and OIDC clients/keys as
// tables; values too deep or too long fold into <details> rather than flood the page.

import { h } from './dom.js';

const MAX_ROWS = 200;
const MAX_DEPTH = 4;

export function stateView(value, depth = 0) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, String(value));
  if (typeof value !== 'object') return scalar(value);
  if (depth >= MAX_DEPTH) return folded(value);
  if (Array.isArray(value)) return arrayView(value, depth);
  const entries = Object.entries(value);
  if (!entries.length) return h('span', { class: 'muted' }, '{}');
  return h('dl', { class: 'kv' }, entries.flatMap(([key, v]) => [h('dt', {}, key), h('dd', {}, stateView(v, depth + 1))]));
}

function arrayView(items, depth) {
  if (!items.length) return h('span', { class: 'muted' }, 'none');
  const objects = items.every((item) => item && typeof item === 'object' && !Array.isArray(item));
  if (!objects) return h('ol', { class: 'plain' }, items.slice(0, MAX_ROWS).map((item) => h('li', {}, stateView(item, depth + 1))));
  const columns = [...new Set(items.slice(0, MAX_ROWS).flatMap((item) => Object.keys(item)))];
  const rows = items.slice(0, MAX_ROWS).map((item) => h('tr', {}, columns.map((c) => h('td', {}, item[c] === undefined ? '' : cell(item[c], depth + 1)))));
  const table = h('table', { class: 'grid state' }, [h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)]);
  const more = items.length > MAX_ROWS ? h('p', { class: 'muted small' }, `first ${MAX_ROWS} of ${items.length}`) : '';
  return h('div', { class: 'scroll' }, [table, more]);
}

/** Inside a table cell, nested structures fold so that rows stay one line high. */
function cell(value, depth) {
  return value && typeof value === 'object' ? folded(value, depth) : scalar(value);
}

function folded(value, depth = MAX_DEPTH) {
  const count = Array.isArray(value) ? `${value.length} items` : `${Object.keys(value).length} fields`;
  const details = h('details', {}, [h('summary', {}, count)]);
  details.addEventListener('toggle', () => {
    if (details.open && details.childElementCount === 1) {
      details.append(depth < MAX_DEPTH ? stateView(value, depth) : h('pre', {}, JSON.stringify(value, null, 2)));
    }
  }, { once: false });
  return details;
}

function scalar(value) {
  const text = String(value);
  if (text.length <= 160) return h('span', { class: typeof value === 'string' ? 'str' : 'num' }, text);
  return h('details', {}, [h('summary', {}, `${text.slice(0, 80)}… (${text.length} chars)`), h('pre', {}, text)]);
}
