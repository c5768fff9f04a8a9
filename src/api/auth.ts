// Who may do what. Everything under /environments/:id needs that environment's bearer token.
// Creating and listing environments is open on a loopback server; with an admin token configured
// (required when the server listens beyond loopback) they need that token.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { StandinError } from '../core/index.ts';
import type { Environment } from '../environments/environment.ts';
import type { EnvironmentManager } from '../environments/environment-manager.ts';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** The environment named in the URL by its id or its name (as MCP's tools take it), if the request
 * carries its token (or the admin token). */
export function authorizedEnvironment(
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
