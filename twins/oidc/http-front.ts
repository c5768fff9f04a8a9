// The twin's HTTP front: the node:http request listener in front of the providers. For each request
// it finds the issuer (by path prefix) and the fault point (by the path within the issuer), asks the
// fault engine, applies the action or passes the request on (to the headless interaction or the
// issuer's provider, mounted at its path, on the twin's clock), and journals the request once its
// response is over. Rules match the full request path, so `/token` is the token endpoint of the
// issuer at / and `/tenants/acme/token` that of the issuer at /tenants/acme.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { peekRequestBody, type FaultRule, type FaultTimers, type JournalEntry, type TwinContext } from '../../src/core/index.ts';
import { notedClient } from './client-notes.ts';
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
  timers: FaultTimers;
}

export function createFront(ctx: TwinContext, state: FrontState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => void new Exchange(ctx, state, req, res).run();
}

/**
 * One request through the front. Its state lives on an object rather than in closures made per
 * request: this runs for every token a client asks for, so what a request that meets no rule
 * needs is all it pays for (no URL object, no event, no Basic-auth decoding until the journal
 * entry needs a client id the provider did not name).
 */
class Exchange {
  private method = 'GET';
  private path = '/';
  /** The query with its '?', or ''. */
  private search = '';
  private issuer!: Issuer;
  private local = '/';
  private point: HttpPoint | undefined;
  private decision: OidcDecision | undefined;
  /** The client id the request names (Basic auth, query, form), once read. */
  private clientId: string | undefined;
  private clientIdRead = false;

  constructor(
    private readonly ctx: TwinContext,
    private readonly state: FrontState,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {}

  /**
   * Not async, nor are the steps a request that meets no rule takes: oidc-provider runs each request
   * in an AsyncLocalStorage, so every promise made while it serves pays async hooks, and an async
   * function's own promises and awaits were most of what the front cost per token.
   */
  run(): void {
    const { res } = this;
    try {
      this.method = this.req.method ?? 'GET';
      ({ path: this.path, search: this.search } = splitTarget(this.req.url ?? '/', this.state.issuers[0]?.issuer ?? 'http://x'));
      ({ issuer: this.issuer, local: this.local } = issuerOf(this.state.issuers, this.path));
      this.point = pointOf(this.local);
      res.on('close', () => this.record());
      this.handle().catch((error: unknown) => this.fail(error));
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    const { res } = this;
    this.ctx.log.error('oidc twin request failed', { error: String(error) });
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'server_error', error_description: 'unexpected error in the Standin oidc twin' }));
    } else res.destroy();
  }

  private handle(): Promise<void> {
    const { point } = this;
    if (point === undefined) return this.proceed();
    const rules = this.ctx.faults.rulesAt(OIDC_HTTP_POINTS[point]);
    // Without rules at the point nothing can fire: no event to build, no body to read.
    return rules.length > 0 ? this.decide(point, rules) : this.act();
  }

  /** Asks the fault engine about this request (reading the body first when a rule matches on it). */
  private async decide(point: HttpPoint, rules: readonly FaultRule[]): Promise<void> {
    const { ctx, req } = this;
    const event: OidcRequestEvent = {
      method: this.method,
      path: this.path,
      query: parseQuery(this.search.slice(1)),
      headers: req.headers,
      body: '',
      clientId: this.namedClient(),
      grantType: undefined,
    };
    if (req.method === 'POST' && needsBody(rules, event.clientId)) {
      const body = await peekRequestBody(req, ctx.limits.httpRequestBodyBytes);
      if (body !== undefined) {
        event.body = body.toString('utf8');
        if (isForm(req)) {
          const form = new URLSearchParams(event.body);
          this.clientId ??= form.get('client_id') ?? undefined;
          event.clientId = this.clientId;
          event.grantType = form.get('grant_type') ?? undefined;
        }
      }
    }
    this.decision = ctx.faults.decide(OIDC_HTTP_POINTS[point], event, `${this.method} ${this.path}`);
    return this.act();
  }

  /** The decided fault acts, or a corruption carried to this authorization resume, or the request goes on. */
  private act(): Promise<void> {
    const { point, issuer, local } = this;
    // Taken either way, so a corruption carried to this resume never lingers.
    const carried = point === 'authorize' ? issuer.redirects.take(local) : undefined;
    if (this.decision) return applyFault(this.decision, this.req, this.res, this.surroundings());
    if (carried) return corruptAuthorization(this.res, carried.how, carried.junk, this.surroundings());
    return this.proceed();
  }

  /** Passes the request on: to the headless interaction or the issuer's provider, on the twin's clock. */
  private proceed(): Promise<void> {
    const { req, res, issuer, local, state } = this;
    issuer.bridge.inject(req, local);
    const provider = issuer.provider();
    let served: Promise<void>;
    if (isInteractionPath(local)) {
      served = state.clock.run(() => serveInteraction(req, res, local, issuer.path, provider, issuer.config));
    } else {
      // Mounted as a framework mounts it: the provider finds its mount path from originalUrl.
      if (issuer.path !== '') {
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
        req.url = `${local}${this.search}`;
      }
      served = state.clock.run(() => provider.callback(req, res));
    }
    return served.then(() => {
      const location = res.getHeader('location');
      issuer.bridge.capture(local, typeof location === 'string' ? localLocation(location, issuer) : undefined, setCookies(res));
    });
  }

  /** What a fault action needs around the request; built only when one acts. */
  private surroundings(): FaultSurroundings {
    const { point, issuer } = this;
    return {
      point: point as HttpPoint,
      issuer: issuer.issuer,
      activeKid: issuer.activeKid,
      authorizeRedirect: (query) => authorizeRedirect(issuer.config, query),
      redirects: issuer.redirects,
      timers: this.state.timers,
      proceed: () => this.proceed(),
    };
  }

  private namedClient(): string | undefined {
    if (!this.clientIdRead) {
      this.clientIdRead = true;
      this.clientId = clientIdFrom(this.req, this.search);
    }
    return this.clientId;
  }

  /** The request's journal entry, once its response is over (sent, cut or abandoned). */
  private record(): void {
    const { res, point, decision } = this;
    const status = res.headersSent ? res.statusCode : null;
    // Only the endpoints with a fault point name one; other requests say their route in data.
    const data: Record<string, unknown> = { method: this.method, path: this.path };
    if (point === undefined) data.route = routeOf(this.local);
    if (this.issuer.path !== '') data.issuer = this.issuer.path;
    data.status = status;
    data.clientId = notedClient(this.req) ?? this.namedClient() ?? null;
    const entry: Omit<JournalEntry, 'twin'> = {
      type: 'request',
      summary: `${this.method} ${this.path} → ${status ?? (decision ? decision.action : 'no answer')}`,
      data,
    };
    if (point !== undefined) entry.point = point;
    if (decision) entry.fault = { rule: decision.rule.id, action: decision.action };
    this.ctx.journal.record(entry);
  }
}

/**
 * What a URL parser would change in a path: a character it escapes or reads specially (`%`, a backslash,
 * non-ASCII…), an empty segment, a `.` or `..` segment. One flat alternation: linear in the path.
 */
const NOT_PLAIN = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/]|\/\/|\/\.\.?(?:\/|$)/;

/**
 * The path and query of a request target. A plain origin-form target is split where it stands (a
 * URL parser would give the same); any other (absolute form, dot segments, escapes, a fragment) is
 * read by the URL parser, which normalizes it.
 */
function splitTarget(target: string, base: string): { path: string; search: string } {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (path.startsWith('/') && !NOT_PLAIN.test(path) && !target.includes('#')) return { path, search: q === -1 ? '' : target.slice(q) };
  const url = new URL(target, base);
  return { path: url.pathname, search: url.search };
}

/** A Location into the issuer, as a path within it (what the cookie bridge knows interactions by). */
function localLocation(location: string, issuer: Issuer): string {
  if (issuer.path === '') return location;
  const url = new URL(location, issuer.issuer);
  if (url.origin !== new URL(issuer.issuer).origin || !url.pathname.startsWith(`${issuer.path}/`)) return location;
  return `${url.pathname.slice(issuer.path.length)}${url.search}`;
}

/** Client id from HTTP Basic auth (form-encoded per RFC 6749 §2.3.1) or the query. */
function clientIdFrom(req: IncomingMessage, search: string): string | undefined {
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
  return search === '' ? undefined : (new URLSearchParams(search).get('client_id') ?? undefined);
}

/** Whether a rule at the point matches on something only the body says. */
function needsBody(rules: readonly FaultRule[], clientId: string | undefined): boolean {
  return rules.some((rule) => rule.match.body !== undefined || rule.match.grantType !== undefined || (rule.match.clientId !== undefined && clientId === undefined));
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
