// GET /health, and GET /kinds: what twin kinds, fault points and actions this server knows.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../server.ts';

export function healthRoutes({ manager }: RouteContext, version: string): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/health',
      {
        schema: {
          tags: ['server'],
          summary: 'Liveness, version and counts',
          security: [],
          response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String(), environments: Type.Integer() }) },
        },
      },
      async () => ({ status: 'ok' as const, version, environments: manager.list().length }),
    );

    app.get(
      '/kinds',
      {
        schema: {
          tags: ['server'],
          summary: 'Twin kinds with their config schema, fault points (match schema, actions) and actions',
          security: [],
        },
      },
      async () => ({ kinds: await manager.registry.describe() }),
    );
  };
}
