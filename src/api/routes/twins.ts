// A twin of an environment: inspect its state, run one of its kind's actions.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { StandinError } from '../../core/index.ts';
import { ActionParamsSchema, ActionResultSchema, TwinParamsSchema, TwinStateSchema, errors } from '../schemas.ts';

export function twinRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/environments/:id/twins/:name',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['twins'],
          summary: "Inspect a twin's state; query parameters are passed to the twin (e.g. ?table=orders)",
          params: TwinParamsSchema,
          querystring: Type.Record(Type.String(), Type.String()),
          response: { 200: TwinStateSchema, ...errors(400, 401, 404) },
        },
      },
      async (request) => {
        const twin = request.environment.twin(request.params.name);
        const state = await twin.running.inspect(request.query);
        return { kind: twin.kind.kind, state };
      },
    );

    app.post(
      '/environments/:id/twins/:name/actions/:verb',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['twins'],
          summary: "Run a twin kind's action (kafka produce, oidc mint-token, stripe trigger…); body = its parameters",
          params: ActionParamsSchema,
          response: { 200: ActionResultSchema, ...errors(400, 401, 404) },
        },
      },
      async (request) => {
        const { name, verb } = request.params;
        return { result: await request.environment.runAction(name, verb, actionParams(request.body), 'body') };
      },
    );
  };
}

/**
 * The body as an action's parameters: none when absent. The route has no body schema (each verb's
 * parameters are its kind's, checked by runAction, naming the field); only the object itself is checked here.
 */
function actionParams(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isRecord(body)) throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: 'body: must be an object' });
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
