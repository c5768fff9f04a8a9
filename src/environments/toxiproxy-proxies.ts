// Toxiproxy's proxies and toxics, kept as Standin keeps everything else: proxies are `tcp` twins of
// one environment named `toxiproxy` (created on first use); a toxic is a fault rule at point
// `connection` with id `<proxy>:<toxic>`, match {direction: stream}, action {type: attributes} and
// trigger {probability: toxicity}. Proxies change through the tcp twin's actions (Environment.runAction),
// toxics through the environment's fault engine, so the journal and /faults see them as any other.
// A change is checked whole before anything moves (listen addresses against the server's bind
// policy, upstreams against the tcp twin's schema, toxics against the fault engine); one that still
// fails half-way (a taken port) is undone, so /populate and proxy updates are all or nothing.
import { Type } from '@sinclair/typebox';
import { StandinError, checkSchema, inspectAs, type FaultRuleView } from '../core/index.ts';
import type { Environment } from './environment.ts';
import type { EnvironmentManager } from './environment-manager.ts';

export const TOXIPROXY_ENVIRONMENT = 'toxiproxy';

export type Stream = 'upstream' | 'downstream';

export interface ProxyInput {
  name: string;
  listen?: string;
  upstream: string;
  enabled?: boolean;
}

export type ProxyUpdate = Partial<Omit<ProxyInput, 'name'>>;

export interface ToxicInput {
  name?: string;
  type: string;
  stream?: Stream;
  toxicity?: number;
  attributes?: Record<string, unknown>;
}

export interface ToxicView {
  name: string;
  type: string;
  stream: Stream;
  toxicity: number;
  attributes: Record<string, unknown>;
}

export interface ProxyView {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicView[];
}

/** What a proxy shows of its tcp twin's state (twins/tcp inspect()). */
const ProxyState = Type.Object({ listen: Type.String(), upstream: Type.String(), enabled: Type.Boolean() });

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

export class ToxiproxyProxies {
  private creating: Promise<Environment> | undefined;

  constructor(private readonly manager: EnvironmentManager) {}

  /** The proxies' environment, created on first use (once, however many requests race for it). */
  async environment(): Promise<Environment> {
    const existing = this.manager.find(TOXIPROXY_ENVIRONMENT);
    if (existing) return existing;
    this.creating ??= this.manager.create({ name: TOXIPROXY_ENVIRONMENT, twins: {} }).finally(() => (this.creating = undefined));
    return this.creating;
  }

  async list(): Promise<Record<string, ProxyView>> {
    const env = await this.environment();
    const out: Record<string, ProxyView> = {};
    for (const name of env.twinNames()) if (env.twin(name).kind.kind === 'tcp') out[name] = await this.view(env, name);
    return out;
  }

  async get(name: string): Promise<ProxyView> {
    return this.view(await this.environment(), name);
  }

  async create(input: ProxyInput): Promise<ProxyView> {
    const plan = this.check(input, 'body');
    return this.start(await this.environment(), plan);
  }

  async update(name: string, update: ProxyUpdate): Promise<ProxyView> {
    return this.change(await this.environment(), name, update);
  }

  async remove(name: string): Promise<void> {
    const env = await this.environment();
    await this.view(env, name);
    await env.removeTwin(name);
  }

  /** Creates or replaces each proxy; when one fails, what was done is undone, newest first. */
  async populate(inputs: ProxyInput[]): Promise<ProxyView[]> {
    const plans = inputs.map((input, i) => ({ input, plan: this.check(input, `body[${i}]`) }));
    plans.forEach(({ plan }, i) => {
      if (plans.findIndex((p) => p.plan.name === plan.name) !== i) {
        throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `body[${i}].name: proxy ${plan.name} is listed twice` });
      }
    });
    const env = await this.environment();
    const done: Array<() => Promise<unknown>> = [];
    const proxies: ProxyView[] = [];
    try {
      for (const { input, plan } of plans) {
        if (env.twinNames().includes(plan.name)) {
          const before = await this.snapshot(env, plan.name);
          const same = before.view.upstream === plan.config.upstream && (input.listen === undefined || sameListen(input.listen, before.view.listen));
          if (same) {
            done.push(() => env.runAction(plan.name, before.view.enabled ? 'enable' : 'disable', {}));
            proxies.push(await this.change(env, plan.name, { enabled: plan.enabled }));
            continue;
          }
          await env.removeTwin(plan.name);
          done.push(() => this.restore(env, before));
        }
        proxies.push(await this.start(env, plan));
        done.push(() => env.removeTwin(plan.name));
      }
    } catch (error) {
      for (const step of done.reverse()) await this.undo(step);
      throw error;
    }
    return proxies;
  }

  /** Every proxy enabled, every toxic removed. */
  async reset(): Promise<void> {
    const env = await this.environment();
    env.faults.clear();
    for (const name of env.twinNames()) if (env.twin(name).kind.kind === 'tcp') await env.runAction(name, 'enable', {});
  }

  async toxics(proxy: string): Promise<ToxicView[]> {
    return (await this.get(proxy)).toxics;
  }

  async toxic(proxy: string, toxic: string): Promise<ToxicView> {
    return toxicView(this.toxicRule(await this.environment(), proxy, toxic));
  }

  async addToxic(proxy: string, input: ToxicInput): Promise<ToxicView> {
    const env = await this.environment();
    await this.view(env, proxy);
    const { id, name, rule } = ruleOfToxic(proxy, input);
    if (env.faults.get(id)) throw new StandinError('STANDIN_ERR_TOXIPROXY_EXISTS', { what: `toxic ${name}` });
    env.faults.add(rule, 'body');
    return toxicView(this.toxicRule(env, proxy, name));
  }

  /** Replaces a toxic by its updated form, checked first: a bad update leaves the toxic as it was. */
  async updateToxic(proxy: string, toxic: string, update: Partial<ToxicInput>): Promise<ToxicView> {
    const env = await this.environment();
    const current = toxicView(this.toxicRule(env, proxy, toxic));
    const { id, rule } = ruleOfToxic(proxy, {
      name: toxic,
      type: current.type,
      stream: update.stream ?? current.stream,
      toxicity: update.toxicity ?? current.toxicity,
      attributes: { ...current.attributes, ...update.attributes },
    });
    env.faults.check(rule, 'body');
    env.faults.remove(id);
    env.faults.add(rule, 'body');
    return toxicView(this.toxicRule(env, proxy, toxic));
  }

  async removeToxic(proxy: string, toxic: string): Promise<void> {
    const env = await this.environment();
    env.faults.remove(this.toxicRule(env, proxy, toxic).id);
  }

  private async view(env: Environment, name: string): Promise<ProxyView> {
    const twin = env.twin(name);
    if (twin.kind.kind !== 'tcp') throw notFound(`proxy ${name}`);
    const { listen, upstream, enabled } = await inspectAs(twin.running, {}, ProxyState);
    return { name, listen, upstream, enabled, toxics: env.faults.list(name).map(toxicView) };
  }

  /** The address a proxy listens on: `host:port` checked against the server's bind policy. */
  private listenAddress(listen: string | undefined, field: string): { host: string; port: number } {
    const { bind } = this.manager;
    if (listen === undefined) return { host: bind.defaultHost, port: 0 };
    const { host, port } = splitListen(listen, field);
    const bound = bind.host(host, field);
    bind.port(port, field);
    return { host: bound, port };
  }

  /** Checks a proxy whole (its listen address, its upstream) without changing anything. */
  private check(input: ProxyInput, field: string): ProxyPlan {
    const address = this.listenAddress(input.listen, `${field}.listen`);
    const tcp = this.manager.registry.get('tcp');
    const problem = tcp && checkSchema(tcp.configSchema, { upstream: input.upstream, ...address }, field)[0];
    if (problem) throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `${problem.field}: ${problem.detail}` });
    return { name: input.name, config: { kind: 'tcp', upstream: input.upstream, ...address }, enabled: input.enabled ?? true };
  }

  private async start(env: Environment, plan: ProxyPlan): Promise<ProxyView> {
    if (env.twinNames().includes(plan.name)) throw new StandinError('STANDIN_ERR_TOXIPROXY_EXISTS', { what: `proxy ${plan.name}` });
    await env.addTwin(plan.name, plan.config);
    if (!plan.enabled) await env.runAction(plan.name, 'disable', {});
    return this.view(env, plan.name);
  }

  private async change(env: Environment, name: string, update: ProxyUpdate): Promise<ProxyView> {
    const before = await this.snapshot(env, name);
    const current = before.view;
    const next = this.check(
      { name, listen: update.listen ?? current.listen, upstream: update.upstream ?? current.upstream, enabled: update.enabled ?? current.enabled },
      'body',
    );
    if (update.listen !== undefined && !sameListen(update.listen, current.listen)) {
      // A new listen address is a new listener; Toxiproxy keeps the toxics across it.
      await env.removeTwin(name);
      try {
        await this.start(env, next);
      } catch (error) {
        await this.undo(() => this.restore(env, before));
        throw error;
      }
      for (const rule of before.rules) env.faults.add(ruleInput(rule));
      return this.view(env, name);
    }
    if (next.config.upstream !== current.upstream) await env.runAction(name, 'set-upstream', { upstream: next.config.upstream }, 'body');
    if (next.enabled !== current.enabled) await env.runAction(name, next.enabled ? 'enable' : 'disable', {});
    return this.view(env, name);
  }

  private async snapshot(env: Environment, name: string): Promise<ProxySnapshot> {
    return { view: await this.view(env, name), rules: env.faults.list(name) };
  }

  /** Starts a removed proxy again as it was: its address, upstream, state and toxics. */
  private async restore(env: Environment, { view, rules }: ProxySnapshot): Promise<void> {
    await this.start(env, this.check(view, 'listen'));
    for (const rule of rules) env.faults.add(ruleInput(rule));
  }

  /** Undoes one step of a failed change; the client hears of the change's failure, the log of this one's. */
  private async undo(step: () => Promise<unknown>): Promise<void> {
    await step().catch((error: unknown) => this.manager.log.warn('toxiproxy: could not undo a failed change', { error: String(error) }));
  }

  private toxicRule(env: Environment, proxy: string, toxic: string): FaultRuleView {
    env.twin(proxy);
    const rule = env.faults.get(`${proxy}:${toxic}`);
    if (!rule) throw notFound(`toxic ${toxic}`);
    return rule;
  }
}

/** The fault rule of a toxic on `proxy`. */
function ruleOfToxic(proxy: string, input: ToxicInput): { id: string; name: string; rule: Record<string, unknown> } {
  const stream = input.stream ?? 'downstream';
  const name = input.name ?? `${input.type}_${stream}`;
  const id = `${proxy}:${name}`;
  const toxicity = input.toxicity ?? 1;
  const rule = {
    id,
    twin: proxy,
    point: 'connection',
    match: { direction: stream },
    action: { [input.type]: input.attributes ?? {} },
    ...(toxicity < 1 ? { trigger: { probability: toxicity } } : {}),
  };
  return { id, name, rule };
}

function toxicView(rule: FaultRuleView): ToxicView {
  // A toxic's rule has one action: its type and attributes.
  const [[type, attributes] = ['', {}]] = Object.entries(rule.action);
  return {
    name: rule.id.slice(rule.id.indexOf(':') + 1),
    type,
    stream: rule.match.direction === 'upstream' ? 'upstream' : 'downstream',
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
