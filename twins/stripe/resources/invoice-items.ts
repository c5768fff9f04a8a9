// Invoice items as subscriptions make them: prorations when an item's price or quantity changes
// mid-period, pending until the subscription's next invoice takes them (invoices.ts). Retrieve and
// list; creating one-off items through the API is not implemented.
// @see https://docs.stripe.com/api/invoiceitems and https://docs.stripe.com/billing/subscriptions/prorations
import { LIST_PARAMS, createdFilter, listOptions } from '../lists.ts';
import { bool, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { InvoiceItem, Price, Subscription, SubscriptionItem } from '../stripe-objects.ts';

export interface Proration {
  item: SubscriptionItem;
  price: Price;
  quantity: number;
  /** Negative for the credit of unused time. */
  amount: number;
  description: string;
  period: { start: number; end: number };
}

/** A pending proration for `sub`'s next invoice. */
export function createProration(state: StripeState, sub: Subscription, proration: Proration, call: ApiCall | null): InvoiceItem {
  state.touch(sub);
  const { item, price, quantity, amount, description, period } = proration;
  const invoiceItem: InvoiceItem = {
    id: state.ids.next('ii'),
    object: 'invoiceitem',
    amount,
    currency: sub.currency,
    customer: sub.customer,
    customer_account: null,
    date: state.now(),
    description,
    discountable: false,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: {},
    net_amount: amount,
    parent: { subscription_details: { subscription: sub.id, subscription_item: item.id }, type: 'subscription_details' },
    period,
    pricing: { price_details: { price: price.id, product: price.product }, type: 'price_details', unit_amount_decimal: price.unit_amount_decimal },
    proration: true,
    proration_details: { credited_items: null, discount_amounts: [] },
    quantity,
    quantity_decimal: String(quantity),
    tax_rates: [],
    test_clock: sub.test_clock,
  };
  state.invoiceItems.insert(invoiceItem);
  state.emit('invoiceitem.created', invoiceItem, call);
  return invoiceItem;
}

export const invoiceItemRoutes: Route[] = [
  { method: 'GET', path: '/v1/invoiceitems/:id', params: {}, handle: ({ pathParams }, state) => state.invoiceItems.require(pathParams.id, 'id') },
  {
    method: 'GET',
    path: '/v1/invoiceitems',
    params: { ...LIST_PARAMS, customer: 'string', invoice: 'string', pending: 'boolean' },
    handle: ({ params }, state) => {
      const customer = str(params, 'customer');
      const invoice = str(params, 'invoice');
      const pending = bool(params, 'pending');
      const created = createdFilter(params);
      return state.invoiceItems.list('/v1/invoiceitems', listOptions(params), (ii) =>
        (customer === undefined || ii.customer === customer) &&
        (invoice === undefined || ii.invoice === invoice) &&
        (pending === undefined || (ii.invoice === null) === pending) &&
        created({ created: ii.date }),
      );
    },
  },
];
