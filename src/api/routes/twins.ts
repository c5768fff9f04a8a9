// A twin of an environment: inspect its state, run one of its kind's actions.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { authorizedEnvironment } from '../auth.ts';
import { TwinParamsSchema, errors } from '../schemas.ts';
import type { RouteContext } from '../server.ts';

export function twinRoutes({ manager, adminToken }: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/environments/:id/twins/:name',
      {
        schema: {
          tags: ['twins'],
          summary: "Inspect a twin's state; query parameters are passed to the twin (e.g. ?table=orders)",
          params: TwinParamsSchema,
          querystring: Type.Record(Type.String(), Type.String()),
          response: {
            200: Type.Object({ kind: Type.String(), state: Type.Unknown() }),
            ...errors(400, 401, 404),
          },
        },
      },
      async (request) => {
        const { id, name } = request.params as { id: string; name: string };
        const twin = authorizedEnvironment(request, manager, id, adminToken).twin(name);
        const state = await twin.running.inspect(request.query as Record<string, string>);
        return { kind: twin.kind.kind, state };
      },
    );

    app.post(
      '/environments/:id/twins/:name/actions/:verb',
      {
        schema: {
          tags: ['twins'],
          summary: "Run a twin kind's action (kafka produce, oidc mint-token, stripe trigger…); body = its parameters",
          params: Type.Object({ id: Type.String(), name: Type.String(), verb: Type.String() }),
          response: { 200: Type.Object({ result: Type.Unknown() }), ...errors(400, 401, 404) },
        },
      },
      async (request) => {
        const { id, name, verb } = request.params as { id: string; name: string; verb: string };
        const env = authorizedEnvironment(request, manager, id, adminToken);
        return { result: await env.runAction(name, verb, (request.body ?? {}) as Record<string, unknown>, 'body') };
      },
    );
  };
}
