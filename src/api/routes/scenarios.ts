// POST /scenarios/run: runs a scenario given inline (YAML or JSON text, or an object) in this
// server's environment manager and answers with its report.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { requireAdmin } from '../auth.ts';
import { checkJournalCapacity } from '../../environments/environment-spec.ts';
import { errors } from '../schemas.ts';
import type { RouteContext } from '../server.ts';

export function scenarioRoutes({ manager, adminToken }: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.post(
      '/scenarios/run',
      {
        schema: {
          tags: ['scenarios'],
          summary: "Run a scenario (the file's text, or its content as JSON) and answer with its report",
          body: Type.Object(
            {
              scenario: Type.Union([Type.String({ description: 'YAML or JSON text' }), Type.Record(Type.String(), Type.Unknown())]),
              file: Type.Optional(Type.String({ description: 'name used in positions and reports; relative commands run from its folder' })),
              seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
            },
            { additionalProperties: false },
          ),
          response: { ...errors(400, 401) },
        },
      },
      async (request) => {
        requireAdmin(request, adminToken);
        const body = request.body as { scenario: string | Record<string, unknown>; file?: string; seed?: number };
        // The scenario code (YAML, runner, expectations) is loaded by the first run, not at start.
        const [{ stringify }, { parseScenario }, { runScenario }] = await Promise.all([
          import('yaml'),
          import('../../scenario/scenario-file.ts'),
          import('../../scenario/scenario-runner.ts'),
        ]);
        const text = typeof body.scenario === 'string' ? body.scenario : stringify(body.scenario);
        const parsed = await parseScenario(body.file ?? 'scenario.yaml', text, manager.registry, manager.limits);
        checkJournalCapacity(parsed.scenario, manager.limits);
        return runScenario(parsed, manager, { seed: body.seed });
      },
    );
  };
}
