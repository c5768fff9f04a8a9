// The route table: `POST /v1/payment_intents/:id/confirm` → handler, with the parameters the
// endpoint accepts. Literal segments win over `:params` (so `/v1/customers/search` would beat
// `/v1/customers/:id`).
import { decodeSegment } from '../../src/core/index.ts';
import type { ParamInterface } from './param-enums.ts';
import { registerStripeParams, type ObjectSpec } from './params.ts';
import type { ApiCall, StripeState } from './state.ts';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface Route {
  method: HttpMethod;
  /** e.g. `/v1/customers/:id`. */
  path: string;
  params: ObjectSpec;
  /** The stripe package's interface for these parameters, whose closed enums readParams enforces. */
  stripeParams?: ParamInterface;
  handle(call: ApiCall, state: StripeState): object;
}

export interface RouteMatch {
  route: Route;
  pathParams: Record<string, string>;
}

interface Compiled {
  route: Route;
  segments: string[];
  literalCount: number;
}

export class Router {
  /** By method, then by segment count: a request is compared only with routes of its shape. */
  private readonly byShape = new Map<string, Map<number, Compiled[]>>();

  constructor(routes: readonly Route[]) {
    for (const route of routes) {
      if (route.stripeParams) registerStripeParams(route.params, route.stripeParams);
      const segments = route.path.split('/').filter(Boolean);
      const compiled = { route, segments, literalCount: segments.filter((s) => !s.startsWith(':')).length };
      let shapes = this.byShape.get(route.method);
      if (!shapes) this.byShape.set(route.method, (shapes = new Map()));
      let list = shapes.get(segments.length);
      if (!list) shapes.set(segments.length, (list = []));
      list.push(compiled);
    }
    for (const shapes of this.byShape.values()) for (const list of shapes.values()) list.sort((a, b) => b.literalCount - a.literalCount);
  }

  match(method: string, path: string): RouteMatch | undefined {
    const parts = path.split('/').filter(Boolean);
    const candidates = this.byShape.get(method)?.get(parts.length);
    if (!candidates) return undefined;
    for (const compiled of candidates) if (literalsMatch(compiled.segments, parts)) return { route: compiled.route, pathParams: paramsOf(compiled.segments, parts) };
    return undefined;
  }
}

function literalsMatch(segments: readonly string[], parts: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (segment.charCodeAt(0) !== 58 /* : */ && segment !== parts[i]) return false;
  }
  return true;
}

function paramsOf(segments: readonly string[], parts: readonly string[]): Record<string, string> {
  const pathParams: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const part = parts[i] as string;
    // A malformed escape stays as sent: the id names nothing, and the answer is the usual 404.
    if (segment.charCodeAt(0) === 58 /* : */) pathParams[segment.slice(1)] = decodeSegment(part);
  }
  return pathParams;
}
