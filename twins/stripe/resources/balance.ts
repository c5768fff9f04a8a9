// The balance, computed from balance transactions (captured charges less fees, refunds), and the
// transactions themselves. New funds stay `pending` as in test mode until their available_on.
// @see https://docs.stripe.com/api/balance
import { LIST_PARAMS, listOptions } from '../lists.ts';
import { str } from '../params.ts';
import type { Route } from '../router.ts';
import type { StripeState } from '../state.ts';

function balance(state: StripeState): object {
  const now = state.now();
  const available = new Map<string, number>();
  const pending = new Map<string, number>();
  for (const txn of state.balanceTransactions.all()) {
    const bucket = txn.available_on <= now ? available : pending;
    bucket.set(txn.currency, (bucket.get(txn.currency) ?? 0) + txn.net);
  }
  const currencies = new Set([...available.keys(), ...pending.keys(), 'usd']);
  const row = (map: Map<string, number>, currency: string) => ({ amount: map.get(currency) ?? 0, currency, source_types: { card: map.get(currency) ?? 0 } });
  return {
    object: 'balance',
    available: [...currencies].map((c) => row(available, c)),
    connect_reserved: [...currencies].map((c) => ({ amount: 0, currency: c })),
    livemode: false,
    pending: [...currencies].map((c) => row(pending, c)),
  };
}

export const balanceRoutes: Route[] = [
  { method: 'GET', path: '/v1/balance', params: {}, handle: (_call, state) => balance(state) },
  {
    method: 'GET',
    path: '/v1/balance_transactions/:id',
    params: {},
    handle: ({ pathParams }, state) => state.balanceTransactions.require(pathParams.id),
  },
  {
    method: 'GET',
    path: '/v1/balance_transactions',
    stripeParams: 'BalanceTransactionListParams',
    params: { ...LIST_PARAMS, type: 'string', source: 'string', currency: 'currency', payout: 'string' },
    handle: ({ params }, state) => {
      const type = str(params, 'type');
      const source = str(params, 'source');
      return state.balanceTransactions.list('/v1/balance_transactions', listOptions(params), (t) =>
        (type === undefined || t.type === type) && (source === undefined || t.source === source),
      );
    },
  },
];
