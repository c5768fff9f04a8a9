// POST /scenarios/run: runs a scenario given inline (YAML or JSON text, or an object) in this
// server's environment manager and answers with its report. POST /scenarios/explore: explores it
// (src/explore/explorer.ts) within a budget this server bounds, and answers the exploration's report
// with each finding's scenario file as text (nothing is written on the server).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkJournalCapacity } from '../../environments/environment-spec.ts';
import type { EnvironmentManager } from '../../environments/environment-manager.ts';
import { ExploreReportSchema } from '../../explore/explore-report.ts';
import { ScenarioExploreRequestSchema, ScenarioReportSchema, ScenarioRunRequestSchema, errors, type ScenarioRunRequest } from '../schemas.ts';
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
        const { runScenario } = await import('../../scenario/scenario-runner.ts');
        return runScenario(await parsedScenario(request.body, manager), manager, { seed: request.body.seed });
      },
    );

    app.post(
      '/scenarios/explore',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['scenarios'],
          summary:
            'Explore a passing scenario: inject the faults each twin kind declares at each interaction it had, singly then in pairs, and answer which broke an invariant (with a scenario file replaying each)',
          body: ScenarioExploreRequestSchema,
          response: { 200: ExploreReportSchema, ...errors(400, 401) },
        },
      },
      async (request) => {
        const { budget, concurrency, maxFailures, seed } = request.body;
        const [{ explore, serverBudget }, parsed] = await Promise.all([import('../../explore/explorer.ts'), parsedScenario(request.body, manager)]);
        return explore(parsed, manager, {
          budget: serverBudget(budget, parsed, manager.limits.exploreRuns),
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(maxFailures === undefined ? {} : { maxFailures }),
          ...(seed === undefined ? {} : { seed }),
        });
      },
    );
  };
}

/** The scenario of a request, checked; its code (YAML, runner, expectations) loaded by the first request, not at start. */
async function parsedScenario({ scenario, file }: Pick<ScenarioRunRequest, 'scenario' | 'file'>, manager: EnvironmentManager) {
  const [{ stringify }, { parseScenario }] = await Promise.all([import('yaml'), import('../../scenario/scenario-file.ts')]);
  const text = typeof scenario === 'string' ? scenario : stringify(scenario);
  const parsed = await parseScenario(file ?? 'scenario.yaml', text, manager.registry, manager.limits);
  checkJournalCapacity(parsed.scenario, manager.limits);
  return parsed;
}
