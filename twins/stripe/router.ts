// The route table: `POST /v1/payment_intents/:id/confirm` → handler, with the parameters the
// endpoint accepts. Literal segments win over `:params` (so `/v1/customers/search` would beat
// `/v1/customers/:id`).
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
  private readonly byMethod = new Map<string, Compiled[]>();

  constructor(routes: readonly Route[]) {
    for (const route of routes) {
      if (route.stripeParams) registerStripeParams(route.params, route.stripeParams);
      const segments = route.path.split('/').filter(Boolean);
      const compiled = { route, segments, literalCount: segments.filter((s) => !s.startsWith(':')).length };
      const list = this.byMethod.get(route.method) ?? [];
      list.push(compiled);
      this.byMethod.set(route.method, list);
    }
    for (const list of this.byMethod.values()) list.sort((a, b) => b.literalCount - a.literalCount);
  }

  match(method: string, path: string): RouteMatch | undefined {
    const candidates = this.byMethod.get(method);
    if (!candidates) return undefined;
    const parts = path.split('/').filter(Boolean);
    outer: for (const { route, segments } of candidates) {
      if (segments.length !== parts.length) continue;
      const pathParams: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i] as string;
        const part = parts[i] as string;
        if (segment.startsWith(':')) pathParams[segment.slice(1)] = decodeURIComponent(part);
        else if (segment !== part) continue outer;
      }
      return { route, pathParams };
    }
    return undefined;
  }
}
