// The Search API (`/v1/customers/search?query=email:'a@b.c' AND metadata['plan']:'pro'`) over the
// twin's objects: clauses joined by all-AND or all-OR, with `:` (exact; for strings
// case-insensitive), `~` (substring), `>` `<` `>=` `<=` (numbers), `-` to negate, `null` for unset,
// on the fields Stripe lets each resource be searched by and `metadata['key']`; any other field is
// Stripe's 400. Pages are `page` tokens (`next_page`).
// @see https://docs.stripe.com/search#search-query-language and #query-fields-for-<resource>
import type { Collection } from './collection.ts';
import { invalidRequest, missingParam } from './errors.ts';
import { int, str } from './params.ts';
import type { Route } from './router.ts';
import type { StripeState } from './state.ts';
import type { StripeObject } from './stripe-objects.ts';

interface Clause {
  negate: boolean;
  field: string;
  metadataKey: string | null;
  op: ':' | '~' | '>' | '<' | '>=' | '<=';
  value: string;
  quoted: boolean;
}

const CLAUSE = /^(-)?(metadata\[['"]([^'"]+)['"]\]|[a-z_]+)(>=|<=|:|~|>|<)(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\S+))$/;

export function parseQuery(query: string): { joiner: 'AND' | 'OR'; clauses: Clause[] } {
  const parts = query.trim().split(/\s+(AND|OR)\s+/);
  const clauses: Clause[] = [];
  const joiners = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (i % 2 === 1) {
      joiners.add(part);
      continue;
    }
    const m = CLAUSE.exec(part);
    if (!m) throw invalidRequest(`Invalid search query: could not parse \`${part}\`.`, 'query');
    const quotedValue = m[5] ?? m[6];
    clauses.push({
      negate: m[1] === '-',
      field: m[3] !== undefined ? 'metadata' : (m[2] as string),
      metadataKey: m[3] ?? null,
      op: m[4] as Clause['op'],
      value: (quotedValue ?? m[7] ?? '').replace(/\\(.)/g, '$1'),
      quoted: quotedValue !== undefined,
    });
  }
  if (joiners.size > 1) throw invalidRequest('Invalid search query: AND and OR cannot be combined.', 'query');
  return { joiner: joiners.has('OR') ? 'OR' : 'AND', clauses };
}

type FieldReader = (object: Record<string, unknown>) => unknown;

const top =
  (field: string): FieldReader =>
  (object) =>
    object[field];

/** The searchable fields of each resource (metadata aside), read off the stored object. */
const SEARCH_FIELDS: Record<string, Record<string, FieldReader>> = {
  customers: fields(['created', 'email', 'name', 'phone']),
  payment_intents: fields(['amount', 'created', 'currency', 'customer', 'status']),
  charges: fields(['amount', 'created', 'currency', 'customer', 'disputed', 'refunded', 'status']),
  products: fields(['active', 'created', 'description', 'name', 'shippable', 'url']),
  prices: fields(['active', 'currency', 'lookup_key', 'product', 'type']),
  subscriptions: fields(['created', 'status']),
  invoices: {
    ...fields(['created', 'currency', 'customer', 'number', 'receipt_number', 'status', 'total']),
    // Since 2025-03-31 the subscription is under parent; search still calls it `subscription`.
    subscription: (invoice) => (invoice.parent as { subscription_details?: { subscription?: string } | null } | null)?.subscription_details?.subscription,
  },
};

function fields(names: string[]): Record<string, FieldReader> {
  return Object.fromEntries(names.map((n) => [n, top(n)]));
}

function checkFields(resource: string, clauses: Clause[]): void {
  const known = SEARCH_FIELDS[resource] ?? {};
  for (const clause of clauses) {
    if (clause.metadataKey === null && !Object.hasOwn(known, clause.field)) {
      throw invalidRequest(
        `Field \`${clause.field}\` is an unsupported search field for resource \`${resource}\`. See https://stripe.com/docs/search#query-fields-for-${resource.replace(/_/g, '-')} for a list of supported fields.`,
        'query',
      );
    }
  }
}

function holds(clause: Clause, object: Record<string, unknown>, resource: string): boolean {
  const raw =
    clause.metadataKey !== null
      ? (object.metadata as Record<string, unknown> | undefined)?.[clause.metadataKey]
      : (SEARCH_FIELDS[resource]?.[clause.field] as FieldReader)(object);
  let result: boolean;
  if (!clause.quoted && clause.value === 'null') result = raw === null || raw === undefined;
  else if (clause.op === ':') {
    result = typeof raw === 'string' ? raw.toLowerCase() === clause.value.toLowerCase() : String(raw) === clause.value;
  } else if (clause.op === '~') {
    result = typeof raw === 'string' && raw.toLowerCase().includes(clause.value.toLowerCase());
  } else {
    const a = Number(raw);
    const b = Number(clause.value);
    result = clause.op === '>' ? a > b : clause.op === '<' ? a < b : clause.op === '>=' ? a >= b : a <= b;
  }
  return clause.negate ? !result : result;
}

function searchRoute(resource: string, pick: (state: StripeState) => Collection<StripeObject>): Route {
  return {
    method: 'GET',
    path: `/v1/${resource}/search`,
    params: { query: 'string', limit: 'integer', page: 'string' },
    handle: ({ params }, state) => {
      const query = str(params, 'query');
      if (!query) throw missingParam('query');
      const limit = int(params, 'limit') ?? 10;
      if (limit < 1 || limit > 100) throw invalidRequest('This value must be greater than or equal to 1 and less than or equal to 100.', 'limit');
      const page = str(params, 'page');
      const offset = page ? Number(Buffer.from(page, 'base64url').toString('utf8').replace(/^offset:/, '')) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalidRequest('Invalid page token.', 'page');
      const { joiner, clauses } = parseQuery(query);
      checkFields(resource, clauses);
      const matches = [...pick(state).all()]
        .reverse()
        .filter((o) => {
          const record = o as unknown as Record<string, unknown>;
          return joiner === 'AND' ? clauses.every((c) => holds(c, record, resource)) : clauses.some((c) => holds(c, record, resource));
        });
      const data = matches.slice(offset, offset + limit);
      const more = offset + limit < matches.length;
      return {
        object: 'search_result',
        data,
        has_more: more,
        next_page: more ? Buffer.from(`offset:${offset + limit}`).toString('base64url') : null,
        url: `/v1/${resource}/search`,
      };
    },
  };
}

export const searchRoutes: Route[] = [
  searchRoute('customers', (s) => s.customers as Collection<StripeObject>),
  searchRoute('payment_intents', (s) => s.paymentIntents as Collection<StripeObject>),
  searchRoute('charges', (s) => s.charges as Collection<StripeObject>),
  searchRoute('products', (s) => s.products as Collection<StripeObject>),
  searchRoute('prices', (s) => s.prices as Collection<StripeObject>),
  searchRoute('subscriptions', (s) => s.subscriptions as Collection<StripeObject>),
  searchRoute('invoices', (s) => s.invoices as Collection<StripeObject>),
];
