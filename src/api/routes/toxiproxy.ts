// A Toxiproxy-compatible API, so existing Toxiproxy clients drive Standin unchanged. The proxies
// and toxics themselves live in src/environments/toxiproxy-proxies.ts; these routes declare
// Toxiproxy's bodies and answer in its `{error, status}` error shape (Standin's code beside it).
// GET /proxies answers with the environment's id and token in headers, so its journal can be read.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ToxiproxyProxies } from '../../environments/toxiproxy-proxies.ts';
import { requireAdmin } from '../auth.ts';
import { errorAnswer } from '../error-answer.ts';
import type { RouteContext } from '../server.ts';

/** The Toxiproxy API version these routes follow (GET /version answers it to Toxiproxy's clients: health.ts). */
export const TOXIPROXY_VERSION = '2.12.0';

// Toxiproxy's clients send fields of their own beyond these: they are let through.
const ProxyBody = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]{0,62}$' }),
    listen: Type.Optional(Type.String({ description: 'host:port; port 0 picks a free one' })),
    upstream: Type.String({ description: 'host:port' }),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);

const ProxyUpdate = Type.Partial(Type.Object({ listen: Type.String(), upstream: Type.String(), enabled: Type.Boolean() }), {
  additionalProperties: true,
});

const ToxicBody = Type.Object(
  {
    name: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,80}$' })),
    type: Type.String(),
    stream: Type.Optional(Type.Union([Type.Literal('upstream'), Type.Literal('downstream')])),
    toxicity: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: true },
);

const NameParams = Type.Object({ name: Type.String() });
const ToxicParams = Type.Object({ name: Type.String(), toxic: Type.String() });

export function toxiproxyRoutes({ manager, adminToken }: RouteContext): FastifyPluginAsync {
  const proxies = new ToxiproxyProxies(manager);

  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.setErrorHandler((error, request, reply) => {
      const standin = errorAnswer(error, request.headers['content-type'], manager.limits);
      if (standin.statusCode >= 500) request.log.error(error);
      return reply.status(standin.statusCode).send({ error: standin.message, status: standin.statusCode, code: standin.code });
    });
    app.addHook('onRequest', async (request) => requireAdmin(request, adminToken));
    const tags = ['toxiproxy'];

    app.get('/proxies', { schema: { tags, summary: 'Every proxy with its toxics' } }, async (_request, reply) => {
      const env = await proxies.environment();
      reply.header('standin-environment', env.id).header('standin-token', env.revealToken());
      return proxies.list();
    });

    app.post('/proxies', { schema: { tags, summary: 'Create a proxy (a tcp twin)', body: ProxyBody } }, async (request, reply) =>
      reply.status(201).send(await proxies.create(request.body)),
    );

    app.post('/populate', { schema: { tags, summary: 'Create or replace a list of proxies', body: Type.Array(ProxyBody) } }, async (request, reply) =>
      reply.status(201).send({ proxies: await proxies.populate(request.body) }),
    );

    app.post('/reset', { schema: { tags, summary: 'Enable every proxy and remove every toxic' } }, async (_request, reply) => {
      await proxies.reset();
      return reply.status(204).send();
    });

    app.get('/proxies/:name', { schema: { tags, params: NameParams } }, async (request) => proxies.get(request.params.name));

    for (const method of ['POST', 'PATCH'] as const) {
      app.route({
        method,
        url: '/proxies/:name',
        schema: { tags, summary: 'Update a proxy: listen, upstream, enabled', params: NameParams, body: ProxyUpdate },
        handler: async (request) => proxies.update(request.params.name, request.body),
      });
    }

    app.delete('/proxies/:name', { schema: { tags, params: NameParams } }, async (request, reply) => {
      await proxies.remove(request.params.name);
      return reply.status(204).send();
    });

    app.get('/proxies/:name/toxics', { schema: { tags, params: NameParams } }, async (request) => proxies.toxics(request.params.name));

    app.post('/proxies/:name/toxics', { schema: { tags, summary: 'Add a toxic', params: NameParams, body: ToxicBody } }, async (request) =>
      proxies.addToxic(request.params.name, request.body),
    );

    app.get('/proxies/:name/toxics/:toxic', { schema: { tags, params: ToxicParams } }, async (request) =>
      proxies.toxic(request.params.name, request.params.toxic),
    );

    for (const method of ['POST', 'PATCH'] as const) {
      app.route({
        method,
        url: '/proxies/:name/toxics/:toxic',
        schema: { tags, summary: 'Update a toxic: attributes, toxicity, stream', params: ToxicParams, body: Type.Partial(ToxicBody) },
        handler: async (request) => proxies.updateToxic(request.params.name, request.params.toxic, request.body),
      });
    }

    app.delete('/proxies/:name/toxics/:toxic', { schema: { tags, params: ToxicParams } }, async (request, reply) => {
      await proxies.removeToxic(request.params.name, request.params.toxic);
      return reply.status(204).send();
    });
  };
}
