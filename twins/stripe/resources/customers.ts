// Customers: create, retrieve, update, delete, list, and the payment methods attached to one.
// @see https://docs.stripe.com/api/customers
import { invalidRequest, noSuchObject } from '../errors.ts';
import { changedFields, createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { has, mergeMetadata, metadataOf, obj, str, strs, int, type ObjectSpec, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { Customer } from '../stripe-objects.ts';
import { attachPaymentMethod, resolvePaymentMethod } from './payment-methods.ts';
import { clockTime, requireClock } from './test-clocks.ts';

const FIELDS: ObjectSpec = {
  address: 'hash',
  balance: 'integer',
  description: 'string',
  email: 'email',
  invoice_prefix: 'string',
  invoice_settings: { custom_fields: 'hashes', default_payment_method: 'string', footer: 'string', rendering_options: 'hash' },
  metadata: 'metadata',
  name: 'string',
  phone: 'string',
  preferred_locales: 'strings',
  shipping: 'hash',
  tax_exempt: 'string',
};

const EMPTY_ADDRESS = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };

export function createCustomer(state: StripeState, p: Params, call: ApiCall | null): Customer {
  // Checked before the customer exists, so a refused request leaves nothing behind. A test id
  // (pm_card_visa) as payment_method creates a new payment method; naming the same test id as the
  // default in this request means that one (Stripe's subscription guide creates customers this way).
  const paymentMethod = str(p, 'payment_method');
  const source = paymentMethod === undefined ? undefined : resolvePaymentMethod(state, paymentMethod, 'payment_method');
  if (source?.customer) throw alreadyAttached();
  const settings = obj(p, 'invoice_settings');
  const wantedDefault = settings && str(settings, 'default_payment_method');
  if (wantedDefault !== undefined && wantedDefault !== paymentMethod && wantedDefault !== source?.id) {
    throw notTheCustomers(state.paymentMethods.require(wantedDefault, DEFAULT_PM_PARAM).id);
  }
  const clock = str(p, 'test_clock') === undefined ? undefined : requireClock(state, str(p, 'test_clock') as string);
  const id = state.ids.next('cus');
  const customer: Customer = {
    id,
    object: 'customer',
    address: obj(p, 'address') ? { ...EMPTY_ADDRESS, ...obj(p, 'address') } : null,
    balance: int(p, 'balance') ?? 0,
    created: state.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: str(p, 'description') ?? null,
    discount: null,
    email: str(p, 'email') ?? null,
    invoice_prefix: str(p, 'invoice_prefix') ?? state.ids.random(8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: metadataOf(p),
    name: str(p, 'name') ?? null,
    next_invoice_sequence: 1,
    phone: str(p, 'phone') ?? null,
    preferred_locales: strs(p, 'preferred_locales') ?? [],
    shipping: obj(p, 'shipping') ?? null,
    tax_exempt: str(p, 'tax_exempt') ?? 'none',
    test_clock: clock?.id ?? null,
  };
  state.customers.insert(customer);
  state.emit('customer.created', customer, call);
  const aliases = new Map<string, string>();
  if (paymentMethod !== undefined && source) {
    // Attached; the default only when invoice_settings names it.
    aliases.set(paymentMethod, attachPaymentMethod(state, source, customer.id, call).id);
  }
  if (settings) applyInvoiceSettings(state, customer, settings, aliases);
  return customer;
}

const DEFAULT_PM_PARAM = 'invoice_settings[default_payment_method]';

function notTheCustomers(pmId: string) {
  return invalidRequest(
    `The customer does not have a payment method with the ID ${pmId}. The payment method must be attached to the customer.`,
    DEFAULT_PM_PARAM,
    'resource_missing',
  );
}

function alreadyAttached() {
  return invalidRequest('The payment method you provided has already been attached to a customer.', 'payment_method', 'payment_method_already_attached');
}

function applyInvoiceSettings(state: StripeState, customer: Customer, settings: Params, aliases: ReadonlyMap<string, string> = new Map()): void {
  state.touch(customer);
  const pm = settings.default_payment_method;
  if (typeof pm === 'string') {
    const found = state.paymentMethods.require(aliases.get(pm) ?? pm, DEFAULT_PM_PARAM);
    if (found.customer !== customer.id) throw notTheCustomers(found.id);
    customer.invoice_settings.default_payment_method = found.id;
  } else if (pm === null) customer.invoice_settings.default_payment_method = null;
  if (typeof settings.footer === 'string' || settings.footer === null) customer.invoice_settings.footer = settings.footer;
}

function updateCustomer(state: StripeState, customer: Customer, p: Params, call: ApiCall): Customer {
  state.touch(customer);
  const before = { ...customer, invoice_settings: { ...customer.invoice_settings } };
  for (const key of ['description', 'email', 'name', 'phone'] as const) {
    if (has(p, key)) customer[key] = str(p, key) ?? null;
  }
  if (has(p, 'tax_exempt')) customer.tax_exempt = str(p, 'tax_exempt') ?? 'none';
  if (has(p, 'address')) customer.address = obj(p, 'address') ? { ...EMPTY_ADDRESS, ...obj(p, 'address') } : null;
  if (has(p, 'shipping')) customer.shipping = obj(p, 'shipping') ?? null;
  if (has(p, 'balance')) customer.balance = int(p, 'balance') ?? 0;
  if (has(p, 'preferred_locales')) customer.preferred_locales = strs(p, 'preferred_locales') ?? [];
  customer.metadata = mergeMetadata(customer.metadata, p);
  const settings = obj(p, 'invoice_settings');
  if (settings) applyInvoiceSettings(state, customer, settings);
  const previous = changedFields(before, customer);
  if (previous) state.emit('customer.updated', customer, call, previous);
  return customer;
}

function retrieve(state: StripeState, id: string): object {
  const deleted = state.deleted.get(id);
  if (deleted === 'customer') return { id, object: 'customer', deleted: true };
  return state.customers.require(id);
}

export const customerRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/customers',
    stripeParams: 'CustomerCreateParams',
    params: { ...FIELDS, payment_method: 'string', test_clock: 'string' },
    // A customer of a test clock lives at the clock's time (billing-clock.ts).
    handle: (call, state) => state.atTime(clockTime(state, call.params), () => createCustomer(state, call.params, call)),
  },
  { method: 'GET', path: '/v1/customers/:id', params: {}, handle: (call, state) => retrieve(state, call.pathParams.id) },
  {
    method: 'POST',
    path: '/v1/customers/:id',
    stripeParams: 'CustomerUpdateParams',
    params: { ...FIELDS, default_source: 'string' },
    handle: (call, state) => updateCustomer(state, state.customers.require(call.pathParams.id), call.params, call),
  },
  {
    method: 'DELETE',
    path: '/v1/customers/:id',
    params: {},
    handle: (call, state) => {
      const customer = state.customers.require(call.pathParams.id);
      state.customers.delete(customer.id);
      state.deleted.set(customer.id, 'customer');
      for (const pm of state.paymentMethods.all()) if (pm.customer === customer.id) pm.customer = null;
      state.emit('customer.deleted', customer, call);
      return { id: customer.id, object: 'customer', deleted: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers',
    stripeParams: 'CustomerListParams',
    params: { ...LIST_PARAMS, email: 'string', test_clock: 'string' },
    handle: ({ params }, state) => {
      const email = str(params, 'email');
      const clock = str(params, 'test_clock');
      const created = createdFilter(params);
      // Without test_clock, Stripe leaves out the customers of test clocks.
      return state.customers.list('/v1/customers', listOptions(params), (c) => (email === undefined || c.email === email) && c.test_clock === (clock ?? null) && created(c));
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id/payment_methods',
    stripeParams: 'CustomerListPaymentMethodsParams',
    params: { ...LIST_PARAMS, type: 'string', allow_redisplay: 'string' },
    handle: ({ params, pathParams }, state) => {
      const customer = state.customers.require(pathParams.id, 'customer');
      const type = str(params, 'type');
      return state.paymentMethods.list(`/v1/customers/${customer.id}/payment_methods`, listOptions(params), (pm) =>
        pm.customer === customer.id && (type === undefined || pm.type === type),
      );
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id/payment_methods/:pm',
    params: {},
    handle: ({ pathParams }, state) => {
      const pm = state.paymentMethods.require(pathParams.pm);
      if (pm.customer !== pathParams.id) throw noSuchObject('PaymentMethod', pm.id);
      return pm;
    },
  },
];
