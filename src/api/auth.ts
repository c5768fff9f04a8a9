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

/** The environment named in the URL, if the request carries its token (or the admin token). */
export function authorizedEnvironment(
  request: FastifyRequest,
  manager: EnvironmentManager,
  id: string,
  adminToken: string | undefined,
): Environment {
  const env = manager.get(id);
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

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
