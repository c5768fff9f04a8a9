// What every list endpoint shares: limit / starting_after / ending_before and `created` ranges.
// @see https://docs.stripe.com/api/pagination
import type { ListOptions } from './collection.ts';
import { int, obj, str, type ObjectSpec, type Params } from './params.ts';

export const LIST_PARAMS = {
  limit: 'integer',
  starting_after: 'string',
  ending_before: 'string',
  created: 'any',
} as const satisfies ObjectSpec;

export function listOptions(p: Params): ListOptions {
  return { limit: int(p, 'limit'), starting_after: str(p, 'starting_after'), ending_before: str(p, 'ending_before') };
}

/** A predicate for `created` as an exact second or a `{gt, gte, lt, lte}` range. */
export function createdFilter(p: Params): (item: { created?: number }) => boolean {
  const exact = str(p, 'created');
  if (exact !== undefined) return (item) => item.created === Number(exact);
  const range = obj(p, 'created');
  if (!range) return () => true;
  const bound = (key: string): number | undefined => {
    const v = range[key];
    return typeof v === 'string' && v !== '' ? Number(v) : undefined;
  };
  const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
  return ({ created = 0 }) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}

/** The top-level fields whose values changed, with their old values: `previous_attributes`. */
export function changedFields(before: Record<string, unknown>, after: object): Record<string, unknown> | undefined {
  const previous: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(value)) previous[key] = before[key] ?? null;
  }
  return Object.keys(previous).length > 0 ? previous : undefined;
}
