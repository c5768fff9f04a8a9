// POST/GET /environments, GET/DELETE /environments/:id, POST /environments/:id/reset.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EnvironmentSpecSchema } from '../../environments/environment-spec.ts';
import { IdempotencyStore } from '../idempotency-store.ts';
import { CreatedEnvironmentSchema, EnvParamsSchema, EnvironmentListSchema, EnvironmentViewSchema, errors } from '../schemas.ts';
import type { RouteContext } from '../server.ts';

const IdempotencyHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'a retry with the same key and body gets the same environment and token (201, with Idempotent-Replayed: true); ' +
        'the same key with another body is 422',
    }),
  ),
});

export function environmentRoutes({ manager }: RouteContext): FastifyPluginAsyncTypebox {
  const idempotency = new IdempotencyStore({
    maxKeys: manager.limits.idempotencyKeys,
    ttlMs: manager.limits.idempotencyKeyTtlMs,
    isLive: (id) => manager.find(id)?.id === id,
  });
  return async (app) => {
    app.post(
      '/environments',
      {
        // Checked before the key is looked up: a replay hands out a token, so it needs what a create needs.
        config: { access: 'admin' },
        schema: {
          tags: ['environments'],
          summary: 'Create an environment of twins',
          headers: IdempotencyHeadersSchema,
          body: EnvironmentSpecSchema,
          response: { 201: CreatedEnvironmentSchema, ...errors(400, 401, 409, 422, 429, 500) },
        },
      },
      async (request, reply) => {
        const spec = request.body;
        const key = request.headers['idempotency-key'];
        const { env, replayed } =
          typeof key === 'string' ? await idempotency.run(key, spec, () => manager.create(spec)) : { env: await manager.create(spec), replayed: false };
        if (replayed) void reply.header('idempotent-replayed', 'true');
        return reply.status(201).send({ ...env.view(), token: env.revealToken() });
      },
    );

    app.get(
      '/environments',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['environments'],
          summary: 'List live environments (no tokens)',
          response: { 200: EnvironmentListSchema, ...errors(401) },
        },
      },
      async () => {
        return {
          environments: manager.list().map((env) => {
            const view = env.view();
            return {
              id: view.id,
              name: view.name,
              createdAt: view.createdAt,
              expiresAt: view.expiresAt,
              twins: Object.fromEntries(Object.entries(view.twins).map(([name, t]) => [name, t.kind])),
            };
          }),
        };
      },
    );

    app.get(
      '/environments/:id',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['environments'],
          summary: "An environment's twins, endpoints and env",
          params: EnvParamsSchema,
          response: { 200: EnvironmentViewSchema, ...errors(401, 404) },
        },
      },
      async (request) => request.environment.view(),
    );

    app.delete(
      '/environments/:id',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['environments'],
          summary: 'Stop every twin and forget the environment',
          params: EnvParamsSchema,
          response: { 204: Type.Null(), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        // `:id` may be the environment's name: everything after this uses its id.
        const { id } = request.environment;
        idempotency.forgetEnvironment(id);
        await manager.destroy(id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/environments/:id/reset',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['environments'],
          summary: 'Twins back to their initial state, rules to the initial set, journal emptied',
          params: EnvParamsSchema,
          response: { 200: EnvironmentViewSchema, ...errors(401, 404) },
        },
      },
      async (request) => {
        const env = request.environment;
        await env.reset();
        return env.view();
      },
    );
  };
}
