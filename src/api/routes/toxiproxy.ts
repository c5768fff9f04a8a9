// A Toxiproxy-compatible API, so existing Toxiproxy clients drive Standin unchanged. Proxies are
// `tcp` twins of one environment named `toxiproxy` (created on first use); a toxic is a fault rule
// at point `connection` with id `<proxy>:<toxic>`, match {direction: stream}, action {type:
// attributes} and trigger {probability: toxicity}. Errors keep Toxiproxy's `{error, status}` shape.
// GET /proxies answers with the environment's id and token in headers, so its journal can be read.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { StandinError, isStandinError, type FaultRuleView } from '../../core/index.ts';
import type { Environment } from '../../environments/environment.ts';
import { requireAdmin } from '../auth.ts';
import type { RouteContext } from '../server.ts';

export const TOXIPROXY_ENVIRONMENT = 'toxiproxy';
/** The Toxiproxy API version these routes follow. */
const TOXIPROXY_VERSION = '2.12.0';

const ProxyBody = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]{0,62}$' }),
    listen: Type.Optional(Type.String({ description: 'host:port; port 0 picks a free one' })),
    upstream: Type.String({ description: 'host:port' }),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);
type ProxyBody = Static<typeof ProxyBody>;

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
type ToxicBody = Static<typeof ToxicBody>;

interface ToxicView {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, unknown>;
}

interface ProxyView {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicView[];
}

const NameParams = Type.Object({ name: Type.String() });
const ToxicParams = Type.Object({ name: Type.String(), toxic: Type.String() });

export function toxiproxyRoutes({ manager, adminToken }: RouteContext): FastifyPluginAsync {
  let creating: Promise<Environment> | undefined;
  /** The proxies' environment, created on first use (once, however many requests race for it). */
  const proxiesEnv = async (): Promise<Environment> => {
    const existing = manager.find(TOXIPROXY_ENVIRONMENT);
    if (existing) return existing;
    creating ??= manager.create({ name: TOXIPROXY_ENVIRONMENT, twins: {} }).finally(() => (creating = undefined));
    return creating;
  };

  const proxyView = async (env: Environment, name: string): Promise<ProxyView> => {
    const twin = env.twin(name);
    if (twin.kind.kind !== 'tcp') throw notFound(`proxy ${name}`);
    const state = (await twin.running.inspect()) as { listen: string; upstream: string; enabled: boolean };
    return {
      name,
      listen: state.listen,
      upstream: state.upstream,
      enabled: state.enabled,
      toxics: env.faults.list(name).map(toxicView),
    };
  };

  const allProxies = async (env: Environment): Promise<Record<string, ProxyView>> => {
    const out: Record<string, ProxyView> = {};
    for (const name of env.twinNames()) if (env.twin(name).kind.kind === 'tcp') out[name] = await proxyView(env, name);
    return out;
  };

  const createProxy = async (env: Environment, body: ProxyBody): Promise<ProxyView> => {
    if (env.twinNames().includes(body.name)) throw new StandinError('STANDIN_ERR_TOXIPROXY_EXISTS', { what: `proxy ${body.name}` });
    const { host, port } = splitListen(body.listen ?? '127.0.0.1:0');
    await env.addTwin(body.name, { kind: 'tcp', upstream: body.upstream, host, port });
    if (body.enabled === false) await env.twin(body.name).running.actions?.disable?.({});
    return proxyView(env, body.name);
  };

  const updateProxy = async (env: Environment, name: string, update: Static<typeof ProxyUpdate>): Promise<ProxyView> => {
    const current = await proxyView(env, name);
    if (update.listen !== undefined && sameListen(update.listen, current.listen) === false) {
      // A new listen address is a new listener; Toxiproxy keeps the toxics across it.
      const toxics = env.faults.list(name);
      await env.removeTwin(name);
      await createProxy(env, { name, listen: update.listen, upstream: update.upstream ?? current.upstream, enabled: update.enabled ?? current.enabled });
      for (const rule of toxics) env.faults.add(ruleInput(rule));
      return proxyView(env, name);
    }
    const actions = env.twin(name).running.actions ?? {};
    if (update.upstream !== undefined && update.upstream !== current.upstream) await actions['set-upstream']?.({ upstream: update.upstream });
    if (update.enabled !== undefined && update.enabled !== current.enabled) await actions[update.enabled ? 'enable' : 'disable']?.({});
    return proxyView(env, name);
  };

  const addToxic = (env: Environment, proxy: string, body: ToxicBody): ToxicView => {
    const stream = body.stream ?? 'downstream';
    const name = body.name ?? `${body.type}_${stream}`;
    const id = `${proxy}:${name}`;
    if (env.faults.get(id)) throw new StandinError('STANDIN_ERR_TOXIPROXY_EXISTS', { what: `toxic ${name}` });
    const toxicity = body.toxicity ?? 1;
    env.faults.add(
      {
        id,
        twin: proxy,
        point: 'connection',
        match: { direction: stream },
        action: { [body.type]: body.attributes ?? {} },
        ...(toxicity < 1 ? { trigger: { probability: toxicity } } : {}),
      },
      'body',
    );
    return toxicView(env.faults.get(id) as FaultRuleView);
  };

  const toxicOf = (env: Environment, proxy: string, toxic: string): FaultRuleView => {
    env.twin(proxy);
    const rule = env.faults.get(`${proxy}:${toxic}`);
    if (!rule) throw notFound(`toxic ${toxic}`);
    return rule;
  };

  return async (app: FastifyInstance) => {
    // Toxiproxy's error shape, with Standin's code beside it.
    app.setErrorHandler((error, _request, reply) => {
      const standin = isStandinError(error)
        ? error
        : (error as { validation?: unknown }).validation
          ? new StandinError('STANDIN_ERR_API_VALIDATION', { detail: (error as Error).message })
          : new StandinError('STANDIN_ERR_API_INTERNAL', { detail: (error as Error).message });
      return reply.status(standin.statusCode).send({ error: standin.message, status: standin.statusCode, code: standin.code });
    });
    app.addHook('onRequest', async (request) => requireAdmin(request, adminToken));
    const tags = ['toxiproxy'];

    app.get('/version', { schema: { tags, summary: 'Toxiproxy API version followed' } }, async () => ({ version: TOXIPROXY_VERSION }));

    app.get('/proxies', { schema: { tags, summary: 'Every proxy with its toxics' } }, async (_request, reply) => {
      const env = await proxiesEnv();
      reply.header('standin-environment', env.id).header('standin-token', env.revealToken());
      return allProxies(env);
    });

    app.post('/proxies', { schema: { tags, summary: 'Create a proxy (a tcp twin)', body: ProxyBody } }, async (request, reply) => {
      const view = await createProxy(await proxiesEnv(), request.body as ProxyBody);
      return reply.status(201).send(view);
    });

    app.post(
      '/populate',
      { schema: { tags, summary: 'Create or replace a list of proxies', body: Type.Array(ProxyBody) } },
      async (request, reply) => {
        const env = await proxiesEnv();
        const proxies: ProxyView[] = [];
        for (const body of request.body as ProxyBody[]) {
          if (env.twinNames().includes(body.name)) {
            const current = await proxyView(env, body.name);
            const same = current.upstream === body.upstream && (body.listen === undefined || sameListen(body.listen, current.listen));
            if (same) {
              proxies.push(await updateProxy(env, body.name, { enabled: body.enabled ?? true }));
              continue;
            }
            await env.removeTwin(body.name);
          }
          proxies.push(await createProxy(env, body));
        }
        return reply.status(201).send({ proxies });
      },
    );

    app.post('/reset', { schema: { tags, summary: 'Enable every proxy and remove every toxic' } }, async (_request, reply) => {
      const env = await proxiesEnv();
      env.faults.clear();
      for (const name of env.twinNames()) await env.twin(name).running.actions?.enable?.({});
      return reply.status(204).send();
    });

    app.get('/proxies/:name', { schema: { tags, params: NameParams } }, async (request) => {
      return proxyView(await proxiesEnv(), (request.params as { name: string }).name);
    });

    for (const method of ['POST', 'PATCH'] as const) {
      app.route({
        method,
        url: '/proxies/:name',
        schema: { tags, summary: 'Update a proxy: listen, upstream, enabled', params: NameParams, body: ProxyUpdate },
        handler: async (request) =>
          updateProxy(await proxiesEnv(), (request.params as { name: string }).name, request.body as Static<typeof ProxyUpdate>),
      });
    }

    app.delete('/proxies/:name', { schema: { tags, params: NameParams } }, async (request, reply) => {
      const env = await proxiesEnv();
      const { name } = request.params as { name: string };
      await proxyView(env, name);
      await env.removeTwin(name);
      return noContent(reply);
    });

    app.get('/proxies/:name/toxics', { schema: { tags, params: NameParams } }, async (request) => {
      const env = await proxiesEnv();
      return (await proxyView(env, (request.params as { name: string }).name)).toxics;
    });

    app.post('/proxies/:name/toxics', { schema: { tags, summary: 'Add a toxic', params: NameParams, body: ToxicBody } }, async (request) => {
      const env = await proxiesEnv();
      const { name } = request.params as { name: string };
      await proxyView(env, name);
      return addToxic(env, name, request.body as ToxicBody);
    });

    app.get('/proxies/:name/toxics/:toxic', { schema: { tags, params: ToxicParams } }, async (request) => {
      const { name, toxic } = request.params as { name: string; toxic: string };
      return toxicView(toxicOf(await proxiesEnv(), name, toxic));
    });

    for (const method of ['POST', 'PATCH'] as const) {
      app.route({
        method,
        url: '/proxies/:name/toxics/:toxic',
        schema: { tags, summary: 'Update a toxic: attributes, toxicity, stream', params: ToxicParams, body: Type.Partial(ToxicBody) },
        handler: async (request) => {
          const env = await proxiesEnv();
          const { name, toxic } = request.params as { name: string; toxic: string };
          const current = toxicView(toxicOf(env, name, toxic));
          const update = request.body as Partial<ToxicBody>;
          env.faults.remove(`${name}:${toxic}`);
          return addToxic(env, name, {
            name: toxic,
            type: current.type,
            stream: update.stream ?? current.stream,
            toxicity: update.toxicity ?? current.toxicity,
            attributes: { ...current.attributes, ...update.attributes },
          });
        },
      });
    }

    app.delete('/proxies/:name/toxics/:toxic', { schema: { tags, params: ToxicParams } }, async (request, reply) => {
      const env = await proxiesEnv();
      const { name, toxic } = request.params as { name: string; toxic: string };
      env.faults.remove(toxicOf(env, name, toxic).id);
      return noContent(reply);
    });
  };
}

function toxicView(rule: FaultRuleView): ToxicView {
  const [type, attributes] = Object.entries(rule.action)[0] as [string, Record<string, unknown>];
  return {
    name: rule.id.slice(rule.id.indexOf(':') + 1),
    type,
    stream: (rule.match.direction as 'upstream' | 'downstream' | undefined) ?? 'downstream',
    toxicity: rule.trigger.probability ?? 1,
    attributes,
  };
}

function ruleInput(rule: FaultRuleView): Record<string, unknown> {
  return { id: rule.id, twin: rule.twin, point: rule.point, match: rule.match, action: rule.action, trigger: rule.trigger };
}

function splitListen(listen: string): { host: string; port: number } {
  const index = listen.lastIndexOf(':');
  const host = index > 0 ? listen.slice(0, index).replace(/^\[|\]$/g, '') : '127.0.0.1';
  const port = Number(listen.slice(index + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `body.listen: ${listen} is not host:port` });
  }
  return { host: host === 'localhost' ? '127.0.0.1' : host, port };
}

function sameListen(requested: string, actual: string): boolean {
  const a = splitListen(requested);
  const b = splitListen(actual);
  return a.host === b.host && (a.port === 0 || a.port === b.port);
}

function notFound(what: string): StandinError {
  return new StandinError('STANDIN_ERR_TOXIPROXY_NOT_FOUND', { what });
}

function noContent(reply: FastifyReply): FastifyReply {
  return reply.status(204).send();
}
