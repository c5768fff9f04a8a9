// The twin's HTTP front: the node:http request listener in front of the providers. For each request
// it finds the issuer (by path prefix) and the fault point (by the path within the issuer), asks the
// fault engine, applies the action or passes the request on (to the headless interaction or the
// issuer's provider, mounted at its path, on the twin's clock), and journals the request once its
// response is over. Rules match the full request path, so `/token` is the token endpoint of the
// issuer at / and `/tenants/acme/token` that of the issuer at /tenants/acme.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { peekRequestBody, type FaultTimers, type TwinContext } from '../../src/core/index.ts';
import { DEFAULT_REDIRECT_URIS, type ResolvedConfig } from './config.ts';
import { OIDC_HTTP_POINTS, pointOf, routeOf, type HttpPoint, type OidcRequestEvent } from './fault-points.ts';
import { isInteractionPath, serveInteraction } from './headless-interaction.ts';
import { applyFault, corruptAuthorization, type FaultSurroundings, type OidcDecision } from './http-faults.ts';
import type { IssuerClock } from './issuer-clock.ts';
import { issuerOf, type Issuer } from './issuer.ts';

export interface FrontState {
  /** The issuer at / first. */
  issuers: readonly Issuer[];
  clock: IssuerClock;
  /** Client ids the provider identified, per request (set from inside the provider). */
  clientOf: WeakMap<IncomingMessage, string>;
  timers: FaultTimers;
}

export function createFront(ctx: TwinContext, state: FrontState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, state, req, res).catch((error: unknown) => {
      ctx.log.error('oidc twin request failed', { error: String(error) });
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'server_error', error_description: 'unexpected error in the Standin oidc twin' }));
      } else res.destroy();
    });
  };
}

async function handle(ctx: TwinContext, state: FrontState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const root = state.issuers[0]?.issuer ?? 'http://x';
  const url = new URL(req.url ?? '/', root);
  const path = url.pathname;
  const { issuer, local } = issuerOf(state.issuers, path);
  const point = pointOf(local);
  let clientId = clientIdFrom(req, url);
  let decision: OidcDecision | undefined;

  res.once('close', () => {
    const status = res.headersSent ? res.statusCode : null;
    const client = state.clientOf.get(req) ?? clientId;
    ctx.journal.record({
      // Only the endpoints with a fault point name one; other requests say their route in data.
      ...(point === undefined ? {} : { point }),
      type: 'request',
      summary: `${method} ${path} → ${status ?? (decision ? decision.action : 'no answer')}`,
      data: {
        method,
        path,
        ...(point === undefined ? { route: routeOf(local) } : {}),
        ...(issuer.path === '' ? {} : { issuer: issuer.path }),
        status,
        clientId: client ?? null,
      },
      ...(decision ? { fault: { rule: decision.rule.id, action: decision.action } } : {}),
    });
  });

  const proceed = async (): Promise<void> => {
    issuer.bridge.inject(req, local);
    const provider = issuer.provider();
    if (isInteractionPath(local)) {
      await state.clock.run(() => serveInteraction(req, res, local, issuer.path, provider, issuer.config));
    } else {
      // Mounted as a framework mounts it: the provider finds its mount path from originalUrl.
      if (issuer.path !== '') {
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
        req.url = `${local}${url.search}`;
      }
      await state.clock.run(() => provider.callback(req, res));
    }
    const location = res.getHeader('location');
    issuer.bridge.capture(local, typeof location === 'string' ? localLocation(location, issuer) : undefined, setCookies(res));
  };

  if (point === undefined) return proceed();
  const event: OidcRequestEvent = {
    method,
    path,
    query: parseQuery(url.search.slice(1)),
    headers: req.headers,
    body: '',
    clientId,
    grantType: undefined,
  };
  if (needsBody(ctx, point, clientId) && req.method === 'POST') {
    const body = await peekRequestBody(req, ctx.limits.httpRequestBodyBytes);
    if (body !== undefined) {
      event.body = body.toString('utf8');
      if (isForm(req)) {
        const form = new URLSearchParams(event.body);
        clientId ??= form.get('client_id') ?? undefined;
        event.clientId = clientId;
        event.grantType = form.get('grant_type') ?? undefined;
      }
    }
  }
  decision = ctx.faults.decide(OIDC_HTTP_POINTS[point], event, `${method} ${path}`);
  const around: FaultSurroundings = {
    point,
    issuer: issuer.issuer,
    activeKid: issuer.activeKid,
    authorizeRedirect: (query) => authorizeRedirect(issuer.config, query),
    redirects: issuer.redirects,
    timers: state.timers,
    proceed,
  };
  // Taken either way, so a corruption carried to this resume never lingers.
  const carried = point === 'authorize' ? issuer.redirects.take(local) : undefined;
  if (decision) return applyFault(decision, req, res, around);
  if (carried) return corruptAuthorization(res, carried.how, carried.junk, around);
  return proceed();
}

/** A Location into the issuer, as a path within it (what the cookie bridge knows interactions by). */
function localLocation(location: string, issuer: Issuer): string {
  if (issuer.path === '') return location;
  const url = new URL(location, issuer.issuer);
  if (url.origin !== new URL(issuer.issuer).origin || !url.pathname.startsWith(`${issuer.path}/`)) return location;
  return `${url.pathname.slice(issuer.path.length)}${url.search}`;
}

/** Client id from HTTP Basic auth (form-encoded per RFC 6749 §2.3.1) or the query. */
function clientIdFrom(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      } catch {
        return decoded.slice(0, colon);
      }
    }
  }
  return url.searchParams.get('client_id') ?? undefined;
}

/** Whether a rule at the point matches on something only the body says. */
function needsBody(ctx: TwinContext, point: HttpPoint, clientId: string | undefined): boolean {
  return ctx.faults
    .rulesAt(OIDC_HTTP_POINTS[point])
    .some((rule) => rule.match.body !== undefined || rule.match.grantType !== undefined || (rule.match.clientId !== undefined && clientId === undefined));
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

function setCookies(res: ServerResponse): string[] {
  const value = res.getHeader('set-cookie');
  return value === undefined ? [] : Array.isArray(value) ? value : [String(value)];
}

/** The redirect_uri of an authorization request when it belongs to the named client. */
function authorizeRedirect(config: ResolvedConfig, query: URLSearchParams): string | undefined {
  const client = config.clients.find((c) => c.client_id === query.get('client_id'));
  const uri = query.get('redirect_uri');
  if (!client || uri === null) return undefined;
  const registered = client.redirect_uris ?? DEFAULT_REDIRECT_URIS;
  const loopbackAnyPort = (client.application_type ?? (client.redirect_uris ? 'web' : 'native')) === 'native';
  const withoutPort = (u: string): string => {
    try {
      const parsed = new URL(u);
      parsed.port = '';
      return parsed.href;
    } catch {
      return u;
    }
  };
  const ok = registered.includes(uri) || (loopbackAnyPort && registered.some((r) => withoutPort(r) === withoutPort(uri)));
  return ok ? uri : undefined;
}
