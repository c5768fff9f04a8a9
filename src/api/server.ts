// The control plane: a Fastify server over one EnvironmentManager. OpenAPI at /docs.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { StandinError } from '../core/index.ts';
import type { EnvironmentManager } from '../environments/environment-manager.ts';
import { environmentRoutes } from './routes/environments.ts';
import { faultRoutes } from './routes/faults.ts';
import { healthRoutes } from './routes/health.ts';
import { journalRoutes } from './routes/journal.ts';
import { scenarioRoutes } from './routes/scenarios.ts';
import { toxiproxyRoutes } from './routes/toxiproxy.ts';
import { twinRoutes } from './routes/twins.ts';
import { uiRoutes } from './routes/ui.ts';
import { addAccessCheck, isLoopbackHostHeader } from './auth.ts';
import { fieldTooDeep } from './body-depth.ts';
import { registerLazyDocs } from './docs.ts';
import { answerNotFound, errorAnswer } from './error-answer.ts';
import { httpLoggerOptions } from './http-log.ts';
import { ErrorSchema } from './schemas.ts';
import { buildSerializer } from './serializer-compiler.ts';
import { buildValidator } from './validator-compiler.ts';

export interface ServerOptions {
  manager: EnvironmentManager;
  /** Required for creating and listing environments when set. */
  adminToken?: string;
  /** Fastify's logger: false (default) or true. Tokens are never logged, in headers or query strings. */
  logger?: boolean;
  version?: string;
  /**
   * Answer only requests whose Host names a loopback address (the default for a loopback server
   * without an admin token): a web page on another origin that re-binds its DNS name to 127.0.0.1
   * must not reach an API that can run commands (POST /scenarios/run).
   */
  loopbackHostsOnly?: boolean;
}

export interface RouteContext {
  manager: EnvironmentManager;
  adminToken?: string;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { limits } = options.manager;
  const app = Fastify({
    logger: options.logger ? httpLoggerOptions() : false,
    // Bodies are checked as typed, query strings and params coerced from text: see validator-compiler.ts.
    // Both compilers work on a route's first request, not at start.
    schemaController: { compilersFactory: { buildValidator: buildValidator(), buildSerializer: buildSerializer() } },
    bodyLimit: limits.apiBodyBytes,
  });
  app.addSchema(ErrorSchema);

  registerLazyDocs(app, { version: options.version ?? '0.0.0' });

  app.setErrorHandler((error: FastifyError | StandinError, request, reply) => {
    const answer = errorAnswer(error, request.headers['content-type'], limits);
    if (answer.statusCode >= 500) request.log.error(error);
    return reply.status(answer.statusCode).send(answer.toJSON());
  });
  app.setNotFoundHandler(answerNotFound);

  if (options.loopbackHostsOnly) {
    app.addHook('onRequest', async (request) => {
      if (!isLoopbackHostHeader(request.host)) {
        throw new StandinError('STANDIN_ERR_API_FORBIDDEN_HOST', { host: request.host ?? '(none)' });
      }
    });
  }
  // Before any schema check, template or stringify walks the body (they recurse): see body-depth.ts.
  app.addHook('preValidation', async (request) => {
    const field = fieldTooDeep(request.body, limits.apiBodyDepth);
    if (field !== undefined) {
      throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `${field}: nested more than ${limits.apiBodyDepth} levels deep (--limit-api-body-depth)` });
    }
  });

  // Each route's config.access (public, admin, environment), checked in one place: see auth.ts.
  addAccessCheck(app, options.manager, options.adminToken);

  const ctx: RouteContext = { manager: options.manager, adminToken: options.adminToken };
  await app.register(healthRoutes(ctx, options.version ?? '0.0.0'));
  await app.register(environmentRoutes(ctx));
  await app.register(faultRoutes());
  await app.register(journalRoutes(ctx));
  await app.register(twinRoutes());
  await app.register(scenarioRoutes(ctx));
  await app.register(toxiproxyRoutes(ctx));
  await app.register(uiRoutes());
  return app;
}
