// The `http` twin: a stand-in for a third-party HTTP API. Declarative WireMock-like stubs (from
// config, or added at runtime through the `add-stub` action) and the user's own msw handlers, served
// over a real port through the link layer, with faults at point `request` and TCP toxics at
// `connection`. See twins/http/README.md.
import { createServer } from 'node:http';
import { Type, type Static } from '@sinclair/typebox';
import {
  BaseTwinConfigFields,
  FaultTimers,
  connectionPoint,
  defineTwinKind,
  hostPort,
  listenHttpLinked,
  methodsOf,
  type LinkServer,
  type RunningTwin,
  type TwinContext,
} from '../../src/core/index.ts';
import { actionError, configError } from './field-error.ts';
import { requestPoint } from './faults/request-point.ts';
import { createMswResponder, loadHandlers, type MswResponder } from './msw-handlers.ts';
import { createRequestHandler } from './request-handler.ts';
import { RequestLog, type RequestFilter } from './request-log.ts';
import { StubRegistry } from './stub-registry.ts';
import { StubSchema } from './stub-schema.ts';
import { httpExpectation } from './expectations.ts';
import { httpExplore } from './explore.ts';

export const HttpConfigSchema = Type.Object(
  {
    ...BaseTwinConfigFields,
    stubs: Type.Optional(Type.Array(StubSchema, { description: 'tried in order; runtime stubs go in front' })),
    handlers: Type.Optional(
      Type.String({
        description: 'module exporting msw handlers (`handlers` or default); relative to the scenario file, or the working directory',
      }),
    ),
    handlersOrigin: Type.Optional(
      Type.String({ description: 'origin the msw handlers were written for (default: the twin url), e.g. https://api.example.com' }),
    ),
    urlEnv: Type.Optional(
      Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'also export the url under this env var name' }),
    ),
    requestLogSize: Type.Optional(Type.Integer({ minimum: 0, description: 'requests kept for inspect (default 1000)' })),
  },
  { additionalProperties: false },
);
export type HttpConfig = Static<typeof HttpConfigSchema>;

const ScenarioStateSchema = Type.Object(
  { scenario: Type.String({ minLength: 1 }), state: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);

/** `HTTP_<NAME>_URL`, the name upper-cased with every other character as `_`. */
export function urlEnvName(twin: string): string {
  return `HTTP_${twin.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

const httpActions = {
  'add-stub': { description: 'add a stub in front of the others; answers it with its id', params: StubSchema },
  'remove-stub': {
    description: 'remove a stub by id',
    params: Type.Object({ id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  },
  'reset-stubs': {
    description: 'stubs back to the config, sequences and scenarios from the start',
    params: Type.Object({}, { additionalProperties: false }),
  },
  'set-scenario-state': { description: 'move a scenario to a state', params: ScenarioStateSchema },
};

export const httpTwin = defineTwinKind({
  kind: 'http',
  description: 'a third-party HTTP API: WireMock-like stubs and your own msw handlers on a real port',
  configSchema: HttpConfigSchema,
  points: [requestPoint, connectionPoint],
  expectations: [httpExpectation],
  explore: httpExplore,
  actions: httpActions,
  start: startHttpTwin,
});

/** In a rule-method set: a rule that takes any method. Not a method a request line can carry. */
const ANY = '*';

function requestRuleMethods(ctx: TwinContext): ReadonlySet<string> {
  const methods = new Set<string>();
  for (const rule of ctx.faults.rulesAt(requestPoint)) {
    const of = methodsOf(rule.match as Parameters<typeof methodsOf>[0]);
    if (of === undefined) methods.add(ANY);
    else for (const method of of) methods.add(method);
  }
  return methods;
}

async function startHttpTwin(config: HttpConfig, ctx: TwinContext): Promise<RunningTwin<typeof httpActions>> {
  let stubs: StubRegistry;
  let handlers: Awaited<ReturnType<typeof loadHandlers>> | undefined;
  try {
    stubs = new StubRegistry(config.stubs ?? [], ctx.limits);
    // Loaded before listening, so a bad module fails the start without holding a port.
    handlers = config.handlers === undefined ? undefined : await loadHandlers(config.handlers, ctx.files);
  } catch (error) {
    throw configError(ctx.name, error);
  }
  const log = new RequestLog(config.requestLogSize ?? 1000);
  const timers = new FaultTimers();
  // Which methods the rules at `request` can match, kept from the engine's change events: a request
  // no rule could match (a GET while the only rule wants POST) is not turned into an event at all.
  let ruleMethods = requestRuleMethods(ctx);
  const unsubscribe = ctx.faults.onChange((change) => {
    if (change.rule.point === requestPoint.name) ruleMethods = requestRuleMethods(ctx);
  });

  let url = '';
  // Built before listening, so no request can arrive before there is something to answer it.
  const msw: MswResponder | undefined =
    handlers === undefined ? undefined : await createMswResponder(handlers, () => config.handlersOrigin ?? url);
  const handleRequest = createRequestHandler({ ctx, stubs, msw, log, timers, mayMatch: (method) => ruleMethods.size > 0 && (ruleMethods.has(method) || ruleMethods.has(ANY)) });
  const server = createServer({ keepAliveTimeout: 65_000 }, handleRequest);
  let link: LinkServer;
  try {
    link = await listenHttpLinked(ctx, server, { port: config.port });
  } catch (error) {
    unsubscribe();
    throw error;
  }
  url = `http://${hostPort(ctx.advertisedHost, link.port)}`;

  const env: Record<string, string> = { [urlEnvName(ctx.name)]: url };
  if (config.urlEnv !== undefined) env[config.urlEnv] = url;

  const withActionErrors =
    <P>(verb: string, run: (params: P) => unknown) =>
    async (params: P): Promise<unknown> => {
      try {
        return run(params);
      } catch (error) {
        throw actionError(ctx.name, verb, error);
      }
    };

  return {
    endpoints: { url },
    env,
    async inspect(query = {}) {
      return {
        url,
        stubs: stubs.views(),
        scenarios: stubs.scenarios(),
        handlers: msw?.describe() ?? [],
        requests: log.list(query as RequestFilter),
      };
    },
    actions: {
      'add-stub': withActionErrors('add-stub', (params) => {
        const stub = stubs.add(params, 'params');
        ctx.journal.record({ type: 'state', summary: `stub ${stub.id} added`, data: { stub: stub.input } });
        return { id: stub.id };
      }),
      'remove-stub': withActionErrors('remove-stub', ({ id }) => {
        const removed = stubs.remove(id);
        if (removed) ctx.journal.record({ type: 'state', summary: `stub ${id} removed`, data: { id } });
        return { removed };
      }),
      'reset-stubs': withActionErrors('reset-stubs', () => {
        stubs.reset();
        msw?.restore();
        return { stubs: stubs.views().length };
      }),
      'set-scenario-state': withActionErrors('set-scenario-state', ({ scenario, state }) => {
        stubs.setState(scenario, state);
        return { scenarios: stubs.scenarios() };
      }),
    },
    async reset() {
      stubs.reset();
      msw?.restore();
      log.clear();
    },
    async stop() {
      unsubscribe();
      timers.stop();
      await link.close();
    },
  };
}
