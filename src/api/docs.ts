// The OpenAPI document (/docs/json, /docs/yaml) and its UI (/docs), built on the first request for
// them instead of at start: @fastify/swagger, swagger-ui, @fastify/static and yaml were about 60 ms
// of every `standin serve` before /health answered (BENCHMARKS.md, startup). The control API's routes
// are recorded as they are added; the first /docs request builds a second Fastify instance that holds
// the same routes (their schemas; no handler of theirs runs there, no schema is compiled) with
// swagger and swagger-ui, and every /docs request is routed to it. The control API's own hooks (the
// host guard) have run by then.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import { answerNotFound } from './error-answer.ts';

const PREFIX = '/docs';

export interface DocsOptions {
  version: string;
}

/** Call before any route is added: routes added earlier are missing from the document. */
export function registerLazyDocs(app: FastifyInstance, options: DocsOptions): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    // Fastify adds a HEAD route beside each GET (the docs instance does the same), and /docs is ours.
    if (route.method === 'HEAD' || route.url === PREFIX || route.url.startsWith(`${PREFIX}/`)) return;
    routes.push(route);
  });
  let docs: Promise<FastifyInstance> | undefined;
  const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    docs ??= docsInstance(app, routes, options).catch((error: unknown) => {
      docs = undefined; // the next request tries again
      throw error;
    });
    const instance = await docs;
    reply.hijack();
    instance.routing(request.raw, reply.raw);
  };
  app.get(PREFIX, { schema: { hide: true } }, serve);
  app.get(`${PREFIX}/*`, { schema: { hide: true } }, serve);
}

async function docsInstance(app: FastifyInstance, routes: RouteOptions[], options: DocsOptions): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  const docs = Fastify();
  // Schemas are read here, never checked or used to serialize.
  docs.setValidatorCompiler(() => () => true);
  docs.setSerializerCompiler(() => JSON.stringify);
  for (const schema of Object.values(app.getSchemas())) docs.addSchema(schema);
  await docs.register(swagger, {
    openapi: {
      info: { title: 'Standin control API', version: options.version, description: 'Environments of twins, fault rules, journal.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await docs.register(swaggerUi, { routePrefix: PREFIX });
  const unreachable = async (): Promise<never> => {
    throw new Error('the docs instance only describes routes');
  };
  for (const route of routes) {
    docs.route({ method: route.method, url: route.url, schema: route.schema, config: route.config, constraints: route.constraints, handler: unreachable });
  }
  docs.setNotFoundHandler(answerNotFound);
  await docs.ready();
  return docs;
}
