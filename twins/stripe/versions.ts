// Answers shaped as an older API version shaped them. Objects are stored in the shape of today's
// version; a request pinned to an older Stripe-Version (its header, else the account's
// `apiVersion`) gets every object in the answer through the breaking changes made since, as
// Stripe's own version layer does. Modelled: the changes a service written against an old version
// leans on; every other field answers in today's shape.
import type { StripeState } from './state.ts';

type Node = Record<string, unknown>;

interface Change {
  /** The version that made the change: requests pinned to an earlier one get `downgrade`. */
  version: string;
  object: string;
  /** Puts back what the change took away, on a copy. */
  downgrade(node: Node, state: StripeState): void;
}

/** A stored list as the answer's own copy (its objects are downgraded in turn). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

const CHANGES: readonly Change[] = [
  {
    // @see https://docs.stripe.com/changelog/2022-11-15/removes-charges-attribute-paymentintent
    version: '2022-11-15',
    object: 'payment_intent',
    downgrade: (pi, state) => {
      pi.charges = copy(state.charges.list(`/v1/charges?payment_intent=${String(pi.id)}`, {}, (c) => c.payment_intent === pi.id));
    },
  },
  {
    // @see https://docs.stripe.com/changelog/2022-11-15/deprecates-charges-auto-expand
    version: '2022-11-15',
    object: 'charge',
    downgrade: (charge, state) => {
      if (typeof charge.refunds === 'object' && charge.refunds !== null) return; // expanded already
      charge.refunds = copy(state.includable.get('charge.refunds')?.(String(charge.id), state));
    },
  },
  {
    // Basil (2025-03-31) moved invoice.subscription to parent.subscription_details. @see https://docs.stripe.com/changelog/basil
    version: '2025-03-31',
    object: 'invoice',
    downgrade: (invoice) => {
      const parent = invoice.parent as { subscription_details?: { subscription?: string } | null } | null;
      invoice.subscription = parent?.subscription_details?.subscription ?? null;
    },
  },
];

const NEWEST_CHANGE = CHANGES.reduce((newest, c) => (c.version > newest ? c.version : newest), '');

/** `body` as `version` shapes it: itself when no change since applies, else a reshaped copy. */
export function atVersion(body: Node, version: string, state: StripeState): Node {
  const date = version.slice(0, 10);
  if (date >= NEWEST_CHANGE) return body;
  const applying = CHANGES.filter((c) => date < c.version);
  const shaped = copy(body);
  visit(shaped, applying, state);
  return shaped;
}

function visit(value: unknown, changes: readonly Change[], state: StripeState): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, changes, state);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const node = value as Node;
  for (const change of changes) if (node.object === change.object) change.downgrade(node, state);
  for (const child of Object.values(node)) visit(child, changes, state);
}
