// GET /health, GET /version, GET / (to the docs), and GET /kinds: what twin kinds, fault points and
// actions this server knows.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HealthSchema, KindListSchema, VersionSchema } from '../schemas.ts';
import type { RouteContext } from '../server.ts';
import { TOXIPROXY_VERSION } from './toxiproxy.ts';

/**
 * The User-Agents of Toxiproxy's clients, which read GET /version as Toxiproxy's own: the Go client
 * and toxiproxy-cli (Go's net/http), toxiproxy-node-client (Node's fetch sends `node`), toxiproxy-python
 * (requests), toxiproxy-java (HttpURLConnection), toxiproxy-ruby (Net::HTTP), and any agent naming
 * toxiproxy. Anyone else (curl, a browser, the SDK) gets Standin's version.
 */
const TOXIPROXY_CLIENT = /^(?:node$|Go-http-client\/|python-requests\/|Java\/|Ruby$)|toxiproxy/i;

function isToxiproxyClient(userAgent: string | undefined): boolean {
  return userAgent !== undefined && TOXIPROXY_CLIENT.test(userAgent);
}

export function healthRoutes({ manager }: RouteContext, version: string): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/health',
      {
        schema: {
          tags: ['server'],
          summary: 'Liveness, version and counts',
          security: [],
          response: { 200: HealthSchema },
        },
        // The answer is built here field by field, so there is nothing for a schema to strip: the
        // probe every orchestrator polls, first of all at start, loads no serializer compiler.
        serializerCompiler: () => JSON.stringify,
      },
      async () => ({ status: 'ok' as const, version, environments: manager.list().length }),
    );

    app.get(
      '/version',
      {
        schema: {
          tags: ['server'],
          summary: "Standin's version; Toxiproxy's clients (by User-Agent) get the Toxiproxy API version followed",
          description: 'Toxiproxy clients are recognised by User-Agent: node (toxiproxy-node-client), Go-http-client, python-requests, Java, Ruby, or any containing "toxiproxy".',
          security: [],
          response: { 200: VersionSchema },
        },
      },
      async (request) =>
        isToxiproxyClient(request.headers['user-agent']) ? { version: TOXIPROXY_VERSION } : { name: 'standin' as const, version, toxiproxy: TOXIPROXY_VERSION },
    );

    // A browser (it asks for HTML) gets the dashboard; any other client the API docs, as before.
    app.get('/', { schema: { hide: true } }, async (request, reply) => reply.redirect(request.headers.accept?.includes('text/html') ? '/ui' : '/docs', 302));

    app.get(
      '/kinds',
      {
        schema: {
          tags: ['server'],
          summary: 'Twin kinds with their config schema, fault points (match schema, actions) and actions',
          security: [],
          response: { 200: KindListSchema },
        },
      },
      async () => ({ kinds: await manager.registry.describe() }),
    );
  };
}
