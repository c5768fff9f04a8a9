// inspect({resource?, id?}): the twin's objects, events and webhook deliveries for expectations.
// With `id`, the object, the events about it and their deliveries; with `resource` (e.g.
// `payment_intents`), that collection only.
import type { StripeState } from './state.ts';
import type { WebhookDispatcher } from './webhooks/delivery.ts';

export function inspectState(state: StripeState, webhooks: WebhookDispatcher, query: Record<string, unknown>): unknown {
  const id = typeof query.id === 'string' ? query.id : undefined;
  const resource = typeof query.resource === 'string' ? query.resource : undefined;
  if (id !== undefined) {
    const object = state.find(id) ?? null;
    const events = state.events.all().filter((e) => e.id === id || (e.data.object as { id?: unknown }).id === id);
    const eventIds = new Set(events.map((e) => e.id));
    return { object, events, deliveries: webhooks.deliveries.filter((d) => eventIds.has(d.event)) };
  }
  const collections = state.collections();
  const objects: Record<string, unknown[]> = {};
  for (const [name, collection] of Object.entries(collections)) {
    if (name === 'events') continue;
    if (resource === undefined || resource === name) objects[name] = [...collection.all()];
  }
  return {
    objects,
    events: resource === undefined || resource === 'events' ? [...state.events.all()] : [],
    deliveries: resource === undefined || resource === 'deliveries' ? [...webhooks.deliveries] : [],
  };
}
