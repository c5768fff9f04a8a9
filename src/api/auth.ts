// Who may do what. Everything under /environments/:id needs that environment's bearer token.
// Creating and listing environments is open on a loopback server; with an admin token configured
// (required when the server listens beyond loopback) they need that token. Each route says which in
// its `config.access`; one hook checks it for every route, and a route under /environments/:id that
// does not say `environment` is refused when it is added.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { StandinError } from '../core/index.ts';
import type { Environment } from '../environments/environment.ts';
import type { EnvironmentManager } from '../environments/environment-manager.ts';

/**
 * `public`: anyone (who passed the host guard). `admin`: the admin token when the server has one,
 * anyone otherwise. `environment`: the token of the environment named by the `:id` parameter (its id
 * or name), or the admin token; the handler finds it in `request.environment`.
 */
export type Access = 'public' | 'admin' | 'environment';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The environment of an `access: 'environment'` route, authorized (reading it elsewhere throws). */
    readonly environment: Environment;
  }
}

const ENVIRONMENT_ROUTE = /^\/environments\/:id(\/|$)/;

/**
 * Adds the access check to every route of `app` added after it. It runs after the request was
 * validated, as the handlers' own calls did before: a malformed request is a 400 whoever sends it.
 * Routes without `config.access` are public (the Toxiproxy API has its own admin hook).
 */
export function addAccessCheck(app: FastifyInstance, manager: EnvironmentManager, adminToken: string | undefined): void {
  const authorized = new WeakMap<FastifyRequest, Environment>();
  app.decorateRequest('environment', {
    getter(this: FastifyRequest): Environment {
      const env = authorized.get(this);
      if (env === undefined) throw new Error(`${this.routeOptions.url ?? this.url}: request.environment read on a route without config.access 'environment'`);
      return env;
    },
  });
  app.addHook('onRoute', (route) => {
    if (ENVIRONMENT_ROUTE.test(route.url) && route.config?.access !== 'environment') {
      throw new Error(`${String(route.method)} ${route.url} must declare config.access 'environment'`);
    }
  });
  app.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config.access ?? 'public';
    if (access === 'admin') requireAdmin(request, adminToken);
    else if (access === 'environment') authorized.set(request, authorizedEnvironment(request, manager, environmentParam(request.params), adminToken));
  });
}

/** The `:id` of an environment route (its params schema makes it a string). */
function environmentParam(params: unknown): string {
  const id = typeof params === 'object' && params !== null && 'id' in params ? params.id : undefined;
  if (typeof id !== 'string') throw new Error('an environment route without an :id parameter');
  return id;
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** The environment named in the URL by its id or its name (as MCP's tools take it), if the request
 * carries its token (or the admin token). */
function authorizedEnvironment(
  request: FastifyRequest,
  manager: EnvironmentManager,
  id: string,
  adminToken: string | undefined,
): Environment {
  const env = manager.find(id);
  if (!env) throw new StandinError('STANDIN_ERR_ENV_NOT_FOUND', { id });
  const token = bearerToken(request);
  if (token === undefined || !(env.authorize(token) || (adminToken !== undefined && sameSecret(token, adminToken)))) {
    throw new StandinError('STANDIN_ERR_API_UNAUTHORIZED', { resource: `environment ${id}` });
  }
  return env;
}

export function requireAdmin(request: FastifyRequest, adminToken: string | undefined): void {
  if (adminToken === undefined) return;
  const token = bearerToken(request);
  if (token === undefined || !sameSecret(token, adminToken)) {
    throw new StandinError('STANDIN_ERR_API_UNAUTHORIZED', { resource: 'this server (admin token)' });
  }
}

/** An address to listen on that only this machine can reach: `localhost`, `::1` or a dotted quad in 127.0.0.0/8. */
export function isLoopback(host: string): boolean {
  return host.toLowerCase() === 'localhost' || host === '::1' || isLoopbackIPv4(host);
}

/**
 * A Host header that names this machine's loopback: `localhost`, a dotted quad in 127.0.0.0/8 or
 * `[::1]`, each with an optional port. Anything else (`127.0.0.1.attacker.example` included) is a
 * name a web page could have re-bound to 127.0.0.1.
 */
export function isLoopbackHostHeader(header: string | undefined): boolean {
  if (header === undefined) return false;
  const match = /^(\[::1\]|[^:[\]]+)(?::\d{1,5})?$/.exec(header);
  if (!match) return false;
  const name = match[1]!;
  return name === '[::1]' || name.toLowerCase() === 'localhost' || isLoopbackIPv4(name);
}

function isLoopbackIPv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
