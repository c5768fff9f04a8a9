// A Toxiproxy-compatible API, so existing Toxiproxy clients drive Standin unchanged. Proxies are
// `tcp` twins of one environment named `toxiproxy` (created on first use); a toxic is a fault rule
// at point `connection` with id `<proxy>:<toxic>`, match {direction: stream}, action {type:
// attributes} and trigger {probability: toxicity}. Errors keep Toxiproxy's `{error, status}` shape.
// GET /proxies answers with the environment's id and token in headers, so its journal can be read.
// A request is checked whole before anything changes (listen addresses against the server's bind
// policy, upstreams against the tcp twin's schema, toxics against the fault engine); a change that
// still fails half-way (a taken port) is undone, so /populate and proxy updates are all or nothing.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { StandinError, checkSchema, isStandinError, type FaultRuleView } from '../../core/index.ts';
import type { Environment } from '../../environments/environment.ts';
import { requireAdmin } from '../auth.ts';
import { errorAnswer } from '../error-answer.ts';
import type { RouteContext } from '../server.ts';

export const TOXIPROXY_ENVIRONMENT = 'toxiproxy';
/** The Toxiproxy API version these routes follow (GET /version answers it to Toxiproxy's clients: health.ts). */
export const TOXIPROXY_VERSION = '2.12.0';

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

/** A proxy to create, checked: the tcp twin's config and whether it starts enabled. */
interface ProxyPlan {
  name: string;
  config: { kind: 'tcp'; upstream: string; host: string; port: number };
  enabled: boolean;
}

/** A proxy as it was, to put back when a change fails half-way. */
interface ProxySnapshot {
  view: ProxyView;
  rules: FaultRuleView[];
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

  /** The address a proxy listens on: `host:port` checked against the server's bind policy. */
  const listenAddress = (listen: string | undefined, field: string): { host: string; port: number } => {
    if (listen === undefined) return { host: manager.bind.defaultHost, port: 0 };
    const { host, port } = splitListen(listen, field);
    const bound = manager.bind.host(host, field);
    manager.bind.port(port, field);
    return { host: bound, port };
  };

  /** Checks a proxy body whole (its listen address, its upstream) without changing anything. */
  const checkProxy = (body: { name: string; listen?: string; upstream: string; enabled?: boolean }, field: string): ProxyPlan => {
    const config = { kind: 'tcp' as const, upstream: body.upstream, ...listenAddress(body.listen, `${field}.listen`) };
    const tcp = manager.registry.get('tcp');
    const { kind: _kind, ...tcpConfig } = config;
    const problem = tcp && checkSchema(tcp.configSchema, tcpConfig, field)[0];
    if (problem) throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `${problem.field}: ${problem.detail}` });
    return { name: body.name, config, enabled: body.enabled ?? true };
  };

  const createProxy = async (env: Environment, plan: ProxyPlan): Promise<ProxyView> => {
    if (env.twinNames().includes(plan.name)) throw new StandinError('STANDIN_ERR_TOXIPROXY_EXISTS', { what: `proxy ${plan.name}` });
    await env.addTwin(plan.name, plan.config);
    if (!plan.enabled) await env.runAction(plan.name, 'disable', {});
    return proxyView(env, plan.name);
  };

  const snapshot = async (env: Environment, name: string): Promise<ProxySnapshot> => ({ view: await proxyView(env, name), rules: env.faults.list(name) });

  /** Starts a removed proxy again as it was: its address, upstream, state and toxics. */
  const restore = async (env: Environment, { view, rules }: ProxySnapshot): Promise<void> => {
    await createProxy(env, checkProxy(view, 'listen'));
    for (const rule of rules) env.faults.add(ruleInput(rule));
  };

  /** Undoes one step of a failed change; the client hears of the change's failure, the log of this one's. */
  const undo = async (step: () => Promise<unknown>): Promise<void> => {
    await step().catch((error: unknown) => manager.log.warn('toxiproxy: could not undo a failed change', { error: String(error) }));
  };

  const updateProxy = async (env: Environment, name: string, update: Static<typeof ProxyUpdate>): Promise<ProxyView> => {
    const before = await snapshot(env, name);
    const current = before.view;
    const next = checkProxy({ name, listen: update.listen ?? current.listen, upstream: update.upstream ?? current.upstream, enabled: update.enabled ?? current.enabled }, 'body');
    if (update.listen !== undefined && !sameListen(update.listen, current.listen)) {
      // A new listen address is a new listener; Toxiproxy keeps the toxics across it.
      await env.removeTwin(name);
      try {
        await createProxy(env, next);
      } catch (error) {
        await undo(() => restore(env, before));
        throw error;
      }
      for (const rule of before.rules) env.faults.add(ruleInput(rule));
      return proxyView(env, name);
    }
    if (next.config.upstream !== current.upstream) await env.runAction(name, 'set-upstream', { upstream: next.config.upstream }, 'body');
    if (next.enabled !== current.enabled) await env.runAction(name, next.enabled ? 'enable' : 'disable', {});
    return proxyView(env, name);
  };

  /** Creates or replaces each proxy; when one fails, what was done is undone, newest first. */
  const populate = async (env: Environment, bodies: ProxyBody[]): Promise<ProxyView[]> => {
    const plans = bodies.map((body, i) => checkProxy(body, `body[${i}]`));
    plans.forEach((plan, i) => {
      if (plans.findIndex((p) => p.name === plan.name) !== i) {
        throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `body[${i}].name: proxy ${plan.name} is listed twice` });
      }
    });
    const done: Array<() => Promise<unknown>> = [];
    const proxies: ProxyView[] = [];
    try {
      for (const [i, plan] of plans.entries()) {
        if (env.twinNames().includes(plan.name)) {
          const before = await snapshot(env, plan.name);
          const body = bodies[i] as ProxyBody;
          const same = before.view.upstream === plan.config.upstream && (body.listen === undefined || sameListen(body.listen, before.view.listen));
          if (same) {
            done.push(() => env.runAction(plan.name, before.view.enabled ? 'enable' : 'disable', {}));
            proxies.push(await updateProxy(env, plan.name, { enabled: plan.enabled }));
            continue;
          }
          await env.removeTwin(plan.name);
          done.push(() => restore(env, before));
        }
        proxies.push(await createProxy(env, plan));
        done.push(() => env.removeTwin(plan.name));
      }
    } catch (error) {
      for (const step of done.reverse()) await undo(step);
      throw error;
    }
    return proxies;
  };

  /** The fault rule of a toxic on `proxy`. */
  const toxicRule = (proxy: string, body: ToxicBody): { id: string; name: string; rule: Record<string, unknown> } => {
    const stream = body.stream ?? 'downstream';
    const name = body.name ?? `${body.type}_${stream}`;
    const id = `${proxy}:${name}`;
    const toxicity = body.toxicity ?? 1;
    const rule = {
      id,
      twin: proxy,
      point: 'connection',
      match: { direction: stream },
      action: { [body.type]: body.attributes ?? {} },
      ...(toxicity < 1 ? { trigger: { probability: toxicity } } : {}),
    };
    return { id, name, rule };
  };

  const addToxic = (env: Environment, proxy: string, body: ToxicBody): ToxicView => {
    const { id, name, rule } = toxicRule(proxy, body);
    if (env.faults.get(id)) throw new StandinError('STANDIN_ERR_TOXIPROXY_EXISTS', { what: `toxic ${name}` });
    env.faults.add(rule, 'body');
    return toxicView(env.faults.get(id) as FaultRuleView);
  };

  /** Replaces a toxic by its updated form, checked first: a bad update leaves the toxic as it was. */
  const updateToxic = (env: Environment, proxy: string, toxic: string, update: Partial<ToxicBody>): ToxicView => {
    const current = toxicView(toxicOf(env, proxy, toxic));
    const { id, rule } = toxicRule(proxy, {
      name: toxic,
      type: current.type,
      stream: update.stream ?? current.stream,
      toxicity: update.toxicity ?? current.toxicity,
      attributes: { ...current.attributes, ...update.attributes },
    });
    env.faults.check(rule, 'body');
    env.faults.remove(id);
    env.faults.add(rule, 'body');
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
    app.setErrorHandler((error, request, reply) => {
      const standin = errorAnswer(error, request.headers['content-type'], manager.limits);
      if (standin.statusCode >= 500) request.log.error(error);
      return reply.status(standin.statusCode).send({ error: standin.message, status: standin.statusCode, code: standin.code });
    });
    app.addHook('onRequest', async (request) => requireAdmin(request, adminToken));
    const tags = ['toxiproxy'];

    app.get('/proxies', { schema: { tags, summary: 'Every proxy with its toxics' } }, async (_request, reply) => {
      const env = await proxiesEnv();
      reply.header('standin-environment', env.id).header('standin-token', env.revealToken());
      return allProxies(env);
    });

    app.post('/proxies', { schema: { tags, summary: 'Create a proxy (a tcp twin)', body: ProxyBody } }, async (request, reply) => {
      const plan = checkProxy(request.body as ProxyBody, 'body');
      return reply.status(201).send(await createProxy(await proxiesEnv(), plan));
    });

    app.post(
      '/populate',
      { schema: { tags, summary: 'Create or replace a list of proxies', body: Type.Array(ProxyBody) } },
      async (request, reply) => {
        const proxies = await populate(await proxiesEnv(), request.body as ProxyBody[]);
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
          const { name, toxic } = request.params as { name: string; toxic: string };
          return updateToxic(await proxiesEnv(), name, toxic, request.body as Partial<ToxicBody>);
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

/** `host:port` (`[v6]:port`; a bare port means the default host) split, not yet checked by the bind policy. */
function splitListen(listen: string, field: string): { host?: string; port: number } {
  const index = listen.lastIndexOf(':');
  const portText = listen.slice(index + 1);
  const port = Number(portText);
  if (portText === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `${field}: ${listen} is not host:port` });
  }
  return { ...(index < 0 ? {} : { host: listen.slice(0, index).replace(/^\[(.*)\]$/, '$1') }), port };
}

function sameListen(requested: string, actual: string): boolean {
  const a = splitListen(requested, 'body.listen');
  const b = splitListen(actual, 'listen');
  const host = (h?: string) => (h === 'localhost' ? '127.0.0.1' : h);
  return host(a.host) === host(b.host) && (a.port === 0 || a.port === b.port);
}

function notFound(what: string): StandinError {
  return new StandinError('STANDIN_ERR_TOXIPROXY_NOT_FOUND', { what });
}

function noContent(reply: FastifyReply): FastifyReply {
  return reply.status(204).send();
}
