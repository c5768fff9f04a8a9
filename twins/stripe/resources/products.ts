// Products and prices.
// @see https://docs.stripe.com/api/products and https://docs.stripe.com/api/prices
import { invalidRequest, missingParam } from '../errors.ts';
import { changedFields, createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, int, mergeMetadata, metadataOf, obj, requireStr, str, strs, type ObjectSpec, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { Price, Product } from '../stripe-objects.ts';

const RECURRING: ObjectSpec = { interval: 'string', interval_count: 'integer', usage_type: 'string', trial_period_days: 'integer', meter: 'string', aggregate_usage: 'string' };
const PRICE_DATA: ObjectSpec = { currency: 'currency', unit_amount: 'integer', unit_amount_decimal: 'string', recurring: RECURRING, tax_behavior: 'string', metadata: 'metadata' };
const PRODUCT_FIELDS: ObjectSpec = {
  name: 'string',
  active: 'boolean',
  description: 'string',
  images: 'strings',
  marketing_features: 'hashes',
  metadata: 'metadata',
  package_dimensions: 'hash',
  shippable: 'boolean',
  statement_descriptor: 'string',
  tax_code: 'string',
  tax_details: { tax_code: 'string', performance_location: 'string' },
  unit_label: 'string',
  url: 'string',
};
const INTERVALS = ['day', 'week', 'month', 'year'];

export function createProduct(state: StripeState, p: Params, call: ApiCall | null): Product {
  const name = requireStr(p, 'name');
  const now = state.now();
  const product: Product = {
    id: str(p, 'id') ?? state.ids.next('prod'),
    object: 'product',
    active: bool(p, 'active') ?? true,
    created: now,
    default_price: null,
    description: str(p, 'description') ?? null,
    images: strs(p, 'images') ?? [],
    livemode: false,
    marketing_features: [],
    metadata: metadataOf(p),
    name,
    package_dimensions: obj(p, 'package_dimensions') ?? null,
    shippable: bool(p, 'shippable') ?? null,
    statement_descriptor: str(p, 'statement_descriptor') ?? null,
    tax_code: str(p, 'tax_code') ?? null,
    tax_details: null,
    type: 'service',
    unit_label: str(p, 'unit_label') ?? null,
    updated: now,
    url: str(p, 'url') ?? null,
  };
  applyTaxDetails(product, p);
  if (state.products.get(product.id)) throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
  state.products.insert(product);
  state.emit('product.created', product, call);
  const priceData = obj(p, 'default_price_data');
  if (priceData) {
    const price = createPrice(state, { ...priceData, product: product.id }, call);
    state.touch(product);
    product.default_price = price.id;
  }
  return product;
}

export function createPrice(state: StripeState, p: Params, call: ApiCall | null): Price {
  const currency = requireStr(p, 'currency').toLowerCase();
  const productData = obj(p, 'product_data');
  const productId = str(p, 'product') ?? (productData ? createProduct(state, productData, call).id : undefined);
  if (productId === undefined) throw missingParam('product');
  state.products.require(productId, 'product');
  const decimal = str(p, 'unit_amount_decimal');
  const unitAmount = int(p, 'unit_amount') ?? (decimal !== undefined ? Math.round(Number(decimal)) : undefined);
  if (unitAmount === undefined && str(p, 'billing_scheme') !== 'tiered' && !obj(p, 'custom_unit_amount')) throw missingParam('unit_amount');
  const recurring = obj(p, 'recurring');
  if (recurring) {
    const interval = str(recurring, 'interval');
    if (interval === undefined) throw missingParam('recurring[interval]');
    if (!INTERVALS.includes(interval)) throw invalidRequest(`Invalid recurring[interval]: must be one of ${INTERVALS.join(', ')}`, 'recurring[interval]');
  }
  const price: Price = {
    id: state.ids.next('price'),
    object: 'price',
    active: bool(p, 'active') ?? true,
    billing_scheme: str(p, 'billing_scheme') ?? 'per_unit',
    created: state.now(),
    currency,
    custom_unit_amount: obj(p, 'custom_unit_amount') ?? null,
    livemode: false,
    lookup_key: str(p, 'lookup_key') ?? null,
    metadata: metadataOf(p),
    nickname: str(p, 'nickname') ?? null,
    product: productId,
    recurring: recurring
      ? {
          interval: str(recurring, 'interval') as string,
          interval_count: int(recurring, 'interval_count') ?? 1,
          meter: null,
          trial_period_days: int(recurring, 'trial_period_days') ?? null,
          usage_type: str(recurring, 'usage_type') ?? 'licensed',
        }
      : null,
    tax_behavior: str(p, 'tax_behavior') ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount ?? null,
    unit_amount_decimal: unitAmount !== undefined ? (decimal ?? String(unitAmount)) : null,
  };
  if (price.lookup_key !== null) {
    const taken = state.prices.all().find((x) => x.lookup_key === price.lookup_key);
    if (taken && bool(p, 'transfer_lookup_key') === true) {
      state.touchShared();
      taken.lookup_key = null;
    }
    else if (taken) throw invalidRequest(`A price (\`${taken.id}\`) already uses that lookup key.`, 'lookup_key');
  }
  state.prices.insert(price);
  state.emit('price.created', price, call);
  return price;
}

/**
 * `tax_details` (since 2025) holds the tax code beside a performance location; the older `tax_code`
 * field stays in step with it, whichever of the two the request set.
 */
function applyTaxDetails(product: Product, p: Params): void {
  if (has(p, 'tax_details')) {
    const details = obj(p, 'tax_details');
    product.tax_details = details ? { performance_location: str(details, 'performance_location') ?? null, tax_code: str(details, 'tax_code') ?? null } : null;
    product.tax_code = product.tax_details?.tax_code ?? null;
  } else if (has(p, 'tax_code')) {
    product.tax_details = product.tax_code === null ? null : { performance_location: product.tax_details?.performance_location ?? null, tax_code: product.tax_code };
  }
}

function updateProduct(state: StripeState, product: Product, p: Params, call: ApiCall): Product {
  state.touch(product);
  const before = { ...product };
  for (const key of ['description', 'statement_descriptor', 'tax_code', 'unit_label', 'url'] as const) {
    if (has(p, key)) product[key] = str(p, key) ?? null;
  }
  applyTaxDetails(product, p);
  if (str(p, 'name')) product.name = str(p, 'name') as string;
  if (bool(p, 'active') !== undefined) product.active = bool(p, 'active') as boolean;
  if (has(p, 'shippable')) product.shippable = bool(p, 'shippable') ?? null;
  if (has(p, 'images')) product.images = strs(p, 'images') ?? [];
  if (has(p, 'default_price')) {
    const price = str(p, 'default_price');
    product.default_price = price ? state.prices.require(price, 'default_price').id : null;
  }
  product.metadata = mergeMetadata(product.metadata, p);
  product.updated = state.now();
  const previous = changedFields(before, product);
  if (previous) state.emit('product.updated', product, call, previous);
  return product;
}

export const productRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/products',
    stripeParams: 'ProductCreateParams',
    params: { ...PRODUCT_FIELDS, id: 'string', default_price_data: PRICE_DATA, type: 'string' },
    handle: (call, state) => createProduct(state, call.params, call),
  },
  { method: 'GET', path: '/v1/products/:id', params: {}, handle: ({ pathParams }, state) => state.products.require(pathParams.id) },
  {
    method: 'POST',
    path: '/v1/products/:id',
    stripeParams: 'ProductUpdateParams',
    params: { ...PRODUCT_FIELDS, default_price: 'string' },
    handle: (call, state) => updateProduct(state, state.products.require(call.pathParams.id), call.params, call),
  },
  {
    method: 'DELETE',
    path: '/v1/products/:id',
    params: {},
    handle: (call, state) => {
      const product = state.products.require(call.pathParams.id);
      if (state.prices.all().some((price) => price.product === product.id)) {
        throw invalidRequest('This product cannot be deleted because it has one or more user-created prices.', undefined, 'product_has_prices');
      }
      state.products.delete(product.id);
      state.emit('product.deleted', product, call);
      return { id: product.id, object: 'product', deleted: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/products',
    stripeParams: 'ProductListParams',
    params: { ...LIST_PARAMS, active: 'boolean', ids: 'strings', shippable: 'boolean', url: 'string' },
    handle: ({ params }, state) => {
      const active = bool(params, 'active');
      const ids = strs(params, 'ids');
      const created = createdFilter(params);
      return state.products.list('/v1/products', listOptions(params), (x) =>
        (active === undefined || x.active === active) && (ids === undefined || ids.includes(x.id)) && created(x),
      );
    },
  },
  {
    method: 'POST',
    path: '/v1/prices',
    stripeParams: 'PriceCreateParams',
    params: {
      ...PRICE_DATA,
      product: 'string',
      product_data: { name: 'string', active: 'boolean', metadata: 'metadata', statement_descriptor: 'string', unit_label: 'string', tax_code: 'string' },
      active: 'boolean',
      nickname: 'string',
      lookup_key: 'string',
      transfer_lookup_key: 'boolean',
      billing_scheme: 'string',
      custom_unit_amount: 'hash',
    },
    handle: (call, state) => createPrice(state, call.params, call),
  },
  { method: 'GET', path: '/v1/prices/:id', params: {}, handle: ({ pathParams }, state) => state.prices.require(pathParams.id) },
  {
    method: 'POST',
    path: '/v1/prices/:id',
    stripeParams: 'PriceUpdateParams',
    params: { active: 'boolean', metadata: 'metadata', nickname: 'string', lookup_key: 'string', tax_behavior: 'string', transfer_lookup_key: 'boolean' },
    handle: (call, state) => {
      const price = state.prices.require(call.pathParams.id);
      state.touchShared(); // subscription items and Checkout line items hold the price itself
      const before = { ...price };
      const p = call.params;
      if (bool(p, 'active') !== undefined) price.active = bool(p, 'active') as boolean;
      if (has(p, 'nickname')) price.nickname = str(p, 'nickname') ?? null;
      if (has(p, 'lookup_key')) price.lookup_key = str(p, 'lookup_key') ?? null;
      if (str(p, 'tax_behavior')) price.tax_behavior = str(p, 'tax_behavior') as string;
      price.metadata = mergeMetadata(price.metadata, p);
      const previous = changedFields(before, price);
      if (previous) state.emit('price.updated', price, call, previous);
      return price;
    },
  },
  {
    method: 'GET',
    path: '/v1/prices',
    stripeParams: 'PriceListParams',
    params: { ...LIST_PARAMS, active: 'boolean', currency: 'currency', product: 'string', type: 'string', lookup_keys: 'strings', recurring: 'hash' },
    handle: ({ params }, state) => {
      const active = bool(params, 'active');
      const product = str(params, 'product');
      const type = str(params, 'type');
      const currency = str(params, 'currency');
      const lookupKeys = strs(params, 'lookup_keys');
      return state.prices.list('/v1/prices', listOptions(params), (x) =>
        (active === undefined || x.active === active) &&
        (product === undefined || x.product === product) &&
        (type === undefined || x.type === type) &&
        (currency === undefined || x.currency === currency) &&
        (lookupKeys === undefined || (x.lookup_key !== null && lookupKeys.includes(x.lookup_key))),
      );
    },
  },
];
