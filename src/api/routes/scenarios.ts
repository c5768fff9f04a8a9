// POST /scenarios/run: runs a scenario given inline (YAML or JSON text, or an object) in this
// server's environment manager and answers with its report.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkJournalCapacity } from '../../environments/environment-spec.ts';
import { ScenarioReportSchema, ScenarioRunRequestSchema, errors } from '../schemas.ts';
import type { RouteContext } from '../server.ts';

export function scenarioRoutes({ manager }: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/scenarios/run',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['scenarios'],
          summary: "Run a scenario (the file's text, or its content as JSON) and answer with its report",
          body: ScenarioRunRequestSchema,
          response: { 200: ScenarioReportSchema, ...errors(400, 401) },
        },
      },
      async (request) => {
        const { scenario, file, seed } = request.body;
        // The scenario code (YAML, runner, expectations) is loaded by the first run, not at start.
        const [{ stringify }, { parseScenario }, { runScenario }] = await Promise.all([
          import('yaml'),
          import('../../scenario/scenario-file.ts'),
          import('../../scenario/scenario-runner.ts'),
        ]);
        const text = typeof scenario === 'string' ? scenario : stringify(scenario);
        const parsed = await parseScenario(file ?? 'scenario.yaml', text, manager.registry, manager.limits);
        checkJournalCapacity(parsed.scenario, manager.limits);
        return runScenario(parsed, manager, { seed });
      },
    );
  };
}
