// Webhook endpoints, registered by API (or from the twin config at start), and the events API.
// Every endpoint signs with the twin's webhook secret (STRIPE_WEBHOOK_SECRET), returned as
// `secret` on create as Stripe does, so a SUT configured from env verifies every endpoint.
// @see https://docs.stripe.com/api/webhook_endpoints and https://docs.stripe.com/api/events
import { invalidRequest, missingParam } from '../errors.ts';
import { createdFilter, LIST_PARAMS, listOptions } from '../lists.ts';
import { bool, has, mergeMetadata, metadataOf, requireStr, str, strs, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import type { StripeState } from '../state.ts';
import type { WebhookEndpoint } from '../stripe-objects.ts';

function checkUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
    return url;
  } catch {
    throw invalidRequest('Invalid URL: URL must be publicly accessible. Consider using a tool like the Stripe CLI to test webhooks locally.', 'url', 'url_invalid');
  }
}

export function createWebhookEndpoint(state: StripeState, p: Params, secret: string): WebhookEndpoint {
  const url = checkUrl(requireStr(p, 'url'));
  const events = strs(p, 'enabled_events');
  if (!events || events.length === 0) throw missingParam('enabled_events');
  const endpoint: WebhookEndpoint = {
    id: state.ids.next('we'),
    object: 'webhook_endpoint',
    api_version: str(p, 'api_version') ?? null,
    application: null,
    created: state.now(),
    description: str(p, 'description') ?? null,
    enabled_events: events,
    livemode: false,
    metadata: metadataOf(p),
    status: 'enabled',
    url,
  };
  state.webhookEndpoints.insert(endpoint);
  return { ...endpoint, secret };
}

/** Whether an endpoint wants an event type: exact names, `*`, or `payment_intent.*` wildcards. */
export function endpointWants(endpoint: WebhookEndpoint, type: string): boolean {
  if (endpoint.status !== 'enabled') return false;
  return endpoint.enabled_events.some((e) => e === '*' || e === type || (e.endsWith('.*') && type.startsWith(e.slice(0, -1))));
}

export function webhookEndpointRoutes(secret: string): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/webhook_endpoints',
      stripeParams: 'WebhookEndpointCreateParams',
      params: { url: 'string', enabled_events: 'strings', description: 'string', metadata: 'metadata', api_version: 'string', connect: 'boolean' },
      handle: (call, state) => createWebhookEndpoint(state, call.params, secret),
    },
    { method: 'GET', path: '/v1/webhook_endpoints/:id', params: {}, handle: ({ pathParams }, state) => state.webhookEndpoints.require(pathParams.id) },
    {
      method: 'POST',
      path: '/v1/webhook_endpoints/:id',
      stripeParams: 'WebhookEndpointUpdateParams',
      params: { url: 'string', enabled_events: 'strings', description: 'string', metadata: 'metadata', disabled: 'boolean' },
      handle: ({ pathParams, params }, state) => {
        const endpoint = state.webhookEndpoints.require(pathParams.id);
        if (str(params, 'url')) endpoint.url = checkUrl(str(params, 'url') as string);
        if (strs(params, 'enabled_events')) endpoint.enabled_events = strs(params, 'enabled_events') as string[];
        if (has(params, 'description')) endpoint.description = str(params, 'description') ?? null;
        const disabled = bool(params, 'disabled');
        if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
        endpoint.metadata = mergeMetadata(endpoint.metadata, params);
        return endpoint;
      },
    },
    {
      method: 'DELETE',
      path: '/v1/webhook_endpoints/:id',
      params: {},
      handle: ({ pathParams }, state) => {
        const endpoint = state.webhookEndpoints.require(pathParams.id);
        state.webhookEndpoints.delete(endpoint.id);
        return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
      },
    },
    {
      method: 'GET',
      path: '/v1/webhook_endpoints',
      params: { ...LIST_PARAMS },
      handle: ({ params }, state) => state.webhookEndpoints.list('/v1/webhook_endpoints', listOptions(params)),
    },
    { method: 'GET', path: '/v1/events/:id', params: {}, handle: ({ pathParams }, state) => state.events.require(pathParams.id) },
    {
      method: 'GET',
      path: '/v1/events',
      stripeParams: 'EventListParams',
      params: { ...LIST_PARAMS, type: 'string', types: 'strings', delivery_success: 'boolean' },
      handle: ({ params }, state) => {
        const type = str(params, 'type');
        const types = strs(params, 'types');
        const created = createdFilter(params);
        const typeMatches = (t: string): boolean =>
          (type === undefined || t === type || (type.endsWith('*') && t.startsWith(type.slice(0, -1)))) && (types === undefined || types.includes(t));
        return state.events.list('/v1/events', listOptions(params), (e) => typeMatches(e.type) && created(e));
      },
    },
  ];
}
