// The control API fuzz, shared by test/hostile/api-fuzz.test.ts (a modest count, in CI) and
// `npm run bench -- hostile` (20,000+ requests against a `standin serve` process). Requests are
// generated from the routes' own schemas — EnvironmentSpecSchema with each kind's config schema as
// GET /kinds gives it, FaultRuleInputSchema with the points' match and action schemas, the journal
// query schema, the kinds' action parameter schemas, the scenario schema as YAML — a third of them
// mutated (schema-arbitrary.ts), plus raw garbage: bad JSON, wrong content types, unknown routes.
// Whatever a client sends, the answer must be below 500 and the server must stay up; every
// environment the fuzz created is destroyed at the end.
import http from 'node:http';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { FaultRuleInputSchema } from '../../src/core/index.ts';
import { EnvironmentSpecSchema } from '../../src/environments/environment-spec.ts';
import { JournalQuerySchema } from '../../src/api/schemas.ts';
import { ScenarioOuterSchema } from '../../src/scenario/scenario-schema.ts';
import { arbitraryOf, deepJsonText, hostileValue, nested, validOrMutated, type Hints, type JsonSchema } from './schema-arbitrary.ts';

export interface FuzzOptions {
  url: string;
  adminToken?: string;
  /** Relative weight of each twin kind in created environments; kinds not named are not created. */
  kindWeights: Record<string, number>;
  /** Environments kept alive at once; a create past it destroys the oldest first. */
  maxLive?: number;
  /** A request not answered within this is a hang. */
  timeoutMs?: number;
}

export interface Failure {
  request: string;
  answer: string;
}

export interface FuzzTally {
  requests: number;
  /** Answers by status class, e.g. {'2xx': 10, '4xx': 90}. */
  byClass: Record<string, number>;
  /** Answers ≥ 500, hangs and broken connections, each with a reproducer (the first 100). */
  failures: Failure[];
  created: number;
}

interface LiveEnv {
  id: string;
  token: string;
  twins: { name: string; kind: string }[];
}

interface KindInfo {
  kind: string;
  config: JsonSchema;
  points: { name: string; match: JsonSchema; actions: Record<string, JsonSchema> }[];
  actions: Record<string, { params: JsonSchema }>;
}

/** One request, with references to live environments resolved when it is sent. */
type Plan =
  | { op: 'create'; body: unknown; key?: string }
  | { op: 'env'; env: number; method: 'GET' | 'DELETE' | 'POST'; sub: string; body?: unknown; token: 'own' | 'other' | 'none' | 'junk' }
  | { op: 'fault'; env: number; body: unknown }
  | { op: 'journal'; env: number; query: string; stream: boolean }
  | { op: 'inspect'; env: number; twin: number; query: string }
  | { op: 'action'; env: number; twin: number; verb: string | undefined; body: unknown }
  | { op: 'scenario'; body: unknown }
  | { op: 'raw'; method: string; path: string; contentType: string | undefined; body: string | undefined };

const TWIN_NAME = '^[A-Za-z][A-Za-z0-9_-]{0,62}$';

export class ApiFuzz {
  readonly tally: FuzzTally = { requests: 0, byClass: {}, failures: [], created: 0 };
  private readonly live: LiveEnv[] = [];
  private readonly maxLive: number;
  private readonly timeoutMs: number;

  private constructor(
    private readonly options: FuzzOptions,
    private readonly kinds: KindInfo[],
    readonly plans: fc.Arbitrary<Plan>,
  ) {
    this.maxLive = options.maxLive ?? 6;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  static async start(options: FuzzOptions): Promise<ApiFuzz> {
    const response = await fetch(`${options.url}/kinds`);
    const kinds = ((await response.json()) as { kinds: KindInfo[] }).kinds;
    return new ApiFuzz(options, kinds, planArbitrary(kinds, options.kindWeights));
  }

  /** Sends one request; false when the answer was ≥ 500, never came, or the connection broke. */
  async send(plan: Plan): Promise<boolean> {
    const request = this.resolve(plan);
    if (!request) return true;
    this.tally.requests++;
    try {
      const { status, text } = await exchange(this.options.url, request, { timeoutMs: this.timeoutMs, firstChunk: plan.op === 'journal' && plan.stream });
      const cls = `${Math.floor(status / 100)}xx`;
      this.tally.byClass[cls] = (this.tally.byClass[cls] ?? 0) + 1;
      if (status >= 500) {
        this.fail(request, `${status} ${text.slice(0, 300)}`);
        return false;
      }
      if (plan.op === 'create' && status === 201) this.remember(JSON.parse(text), plan.body);
      if (request.destroys !== undefined && status === 204) this.forget(request.destroys);
      return true;
    } catch (error) {
      this.fail(request, (error as Error).message);
      return false;
    }
  }

  /**
   * Destroys every environment the fuzz created, and every Toxiproxy proxy (the server keeps those
   * as twins of its own environment named toxiproxy); answers what is still listed afterwards.
   */
  async cleanup(): Promise<{ environments: number; proxies: number }> {
    for (const env of this.live.splice(0)) {
      await fetch(`${this.options.url}/environments/${env.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${env.token}` } });
    }
    const proxies = async (): Promise<string[]> => Object.keys((await (await fetch(`${this.options.url}/proxies`)).json()) as object);
    for (const name of await proxies()) await fetch(`${this.options.url}/proxies/${encodeURIComponent(name)}`, { method: 'DELETE' });
    const headers: Record<string, string> = this.options.adminToken ? { authorization: `Bearer ${this.options.adminToken}` } : {};
    const list = (await (await fetch(`${this.options.url}/environments`, { headers })).json()) as { environments: { name?: string }[] };
    return { environments: list.environments.filter((e) => e.name !== 'toxiproxy').length, proxies: (await proxies()).length };
  }

  private fail(request: { method: string; path: string; body?: string }, answer: string): void {
    const body = request.body === undefined ? '' : ` ${request.body.length > 600 ? `${request.body.slice(0, 600)}… (${request.body.length} chars)` : request.body}`;
    const line = `${request.method} ${request.path}${body}`;
    if (this.tally.failures.length < 100) this.tally.failures.push({ request: line, answer });
  }

  private remember(created: { id: string; token: string }, body: unknown): void {
    if (this.live.some((e) => e.id === created.id)) return;
    this.tally.created++;
    const twins = Object.entries((body as { twins?: Record<string, { kind?: unknown }> }).twins ?? {}).map(([name, spec]) => ({ name, kind: String(spec?.kind) }));
    this.live.push({ id: created.id, token: created.token, twins });
  }

  private forget(id: string): void {
    const index = this.live.findIndex((e) => e.id === id);
    if (index >= 0) this.live.splice(index, 1);
  }

  /** The HTTP request of a plan; `destroys`: the environment it deletes. */
  private resolve(plan: Plan): { method: string; path: string; headers: Record<string, string>; body?: string; destroys?: string } | undefined {
    const json = { 'content-type': 'application/json' };
    const admin: Record<string, string> = this.options.adminToken ? { authorization: `Bearer ${this.options.adminToken}` } : {};
    switch (plan.op) {
      case 'create': {
        if (this.live.length >= this.maxLive) {
          const oldest = this.live[0]!;
          return { method: 'DELETE', path: `/environments/${oldest.id}`, headers: { authorization: `Bearer ${oldest.token}` }, destroys: oldest.id };
        }
        return { method: 'POST', path: '/environments', headers: { ...json, ...admin, ...(plan.key ? { 'idempotency-key': plan.key } : {}) }, body: JSON.stringify(plan.body) };
      }
      case 'scenario':
        return { method: 'POST', path: '/scenarios/run', headers: { ...json, ...admin }, body: JSON.stringify(plan.body) };
      case 'raw':
        return { method: plan.method, path: plan.path, headers: plan.contentType ? { 'content-type': plan.contentType } : {}, body: plan.body };
      default:
        break;
    }
    const env = this.live[plan.env % Math.max(1, this.live.length)];
    const id = env?.id ?? 'env_missing00000';
    const auth = { authorization: `Bearer ${env?.token ?? 'no-token'}` };
    const base = `/environments/${id}`;
    switch (plan.op) {
      case 'env': {
        const other = this.live.find((e) => e !== env);
        const token =
          plan.token === 'own' ? auth : plan.token === 'other' ? { authorization: `Bearer ${other?.token ?? 'x'}` } : plan.token === 'junk' ? { authorization: 'Bearer \u00e9\u00e9' } : {};
        const body = plan.body === undefined ? undefined : JSON.stringify(plan.body);
        const destroys = plan.method === 'DELETE' && plan.sub === '' ? id : undefined;
        return { method: plan.method, path: `${base}${plan.sub}`, headers: { ...token, ...(body === undefined ? {} : json) }, body, destroys };
      }
      case 'fault':
        return { method: 'POST', path: `${base}/faults`, headers: { ...auth, ...json }, body: JSON.stringify(this.aimFault(plan.body, env)) };
      case 'journal':
        return { method: 'GET', path: `${base}/journal${plan.stream ? '/stream' : ''}?${plan.query}`, headers: auth };
      case 'inspect': {
        const twin = env?.twins[plan.twin % Math.max(1, env.twins.length)]?.name ?? 'none';
        return { method: 'GET', path: `${base}/twins/${encodeURIComponent(twin)}?${plan.query}`, headers: auth };
      }
      case 'action': {
        const twin = env?.twins[plan.twin % Math.max(1, env.twins.length)];
        const verbs = Object.keys(this.kinds.find((k) => k.kind === twin?.kind)?.actions ?? {});
        const verb = plan.verb ?? verbs[plan.twin % Math.max(1, verbs.length)] ?? 'none';
        const body = this.actionBody(plan.body, twin?.kind, verb, plan.twin);
        return { method: 'POST', path: `${base}/twins/${encodeURIComponent(twin?.name ?? 'none')}/actions/${encodeURIComponent(verb)}`, headers: { ...auth, ...json }, body: JSON.stringify(body) };
      }
    }
  }

  /** Mostly aims a generated rule at a twin of the environment, at one of its kind's points. */
  private aimFault(body: unknown, env: LiveEnv | undefined): unknown {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !env || env.twins.length === 0) return body;
    const rule = body as Record<string, unknown>;
    const seed = JSON.stringify(body).length;
    if (seed % 5 === 0) return body;
    const twin = env.twins[seed % env.twins.length]!;
    const kind = this.kinds.find((k) => k.kind === twin.kind);
    const point = kind?.points[seed % kind.points.length];
    if (!kind || !point) return body;
    const action = Object.keys(point.actions)[seed % Object.keys(point.actions).length];
    const params = action ? fc.sample(arbitraryOf(point.actions[action]!), { numRuns: 1, seed })[0] : {};
    const match = fc.sample(arbitraryOf(point.match), { numRuns: 1, seed })[0];
    return { ...rule, twin: twin.name, point: point.name, match, action: action ? { [action]: params } : rule.action };
  }

  /** The action's parameters generated from its kind's schema, unless the plan brought hostile ones. */
  private actionBody(body: unknown, kind: string | undefined, verb: string, seed: number): unknown {
    if (body !== undefined) return body;
    const schema = this.kinds.find((k) => k.kind === kind)?.actions[verb]?.params;
    return schema ? fc.sample(arbitraryOf(schema, twinHints()), { numRuns: 1, seed })[0] : {};
  }
}

/**
 * One request over node:http (fetch refuses a body on GET, which a hostile client may send), on a
 * connection of its own: a reused keep-alive socket the server closed would look like a crash. With
 * `firstChunk` (a journal stream) the answer is its status and first bytes, then the client leaves.
 */
function exchange(
  url: string,
  request: { method: string; path: string; headers: Record<string, string>; body?: string },
  options: { timeoutMs: number; firstChunk: boolean },
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    // Node sends a GET or HEAD body with no length (it would read as the next request): give it one.
    const headers = request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
    const req = http.request({ host: hostname, port, method: request.method, path: request.path, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        if (options.firstChunk) {
          resolve({ status: response.statusCode ?? 0, text });
          req.destroy();
        }
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (error) => reject(new Error(`connection failed: ${error.message}`)));
    req.end(request.body);
  });
}

/** Fields that must not reach the network or the shell, whatever the schema allows. */
function twinHints(): Hints {
  return {
    port: fc.constant(0),
    host: fc.oneof(
      { arbitrary: fc.constant('127.0.0.1'), weight: 6 },
      { arbitrary: fc.constantFrom('localhost', '::1', '', '0.0.0.0', '::', '127.0.0.1.attacker.example', '999.1.1.1', 'no-such-host.invalid'), weight: 2 },
    ),
    upstream: fc.constantFrom('127.0.0.1:9', 'localhost:9', 'bad', ':0'),
    url: fc.constantFrom('http://127.0.0.1:9/hook', 'not a url', ''),
    handlers: fc.constantFrom('./handlers.js', '/etc/passwd', '../../x.ts'),
    file: fc.constantFrom('init.sql', '/etc/shadow', '../../etc/passwd'),
    backend: fc.constant(undefined),
    command: fc.constantFrom('true', ['true']),
    cwd: fc.constant(undefined),
    at: fc.constantFrom(0, 5, '5ms'),
    timeoutMs: fc.constant(5_000),
  };
}

function planArbitrary(kinds: KindInfo[], weights: Record<string, number>): fc.Arbitrary<Plan> {
  const hints = twinHints();
  const chosen = kinds.filter((k) => (weights[k.kind] ?? 0) > 0);
  const twin = fc.oneof(
    ...chosen.map((k) => ({
      weight: weights[k.kind]!,
      // Half the twins only have their required fields, as most real configs: those start, and give
      // the fault, journal and action requests something to aim at.
      arbitrary: fc
        .oneof(arbitraryOf(requiredOnly(k.config), hints), arbitraryOf(k.config, hints))
        .map((config) => ({ ...(config as object), kind: k.kind })),
    })),
  );
  const twins = fc.dictionary(fc.oneof({ arbitrary: fc.stringMatching(new RegExp(TWIN_NAME)).filter((s) => s.length < 12), weight: 5 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 }), twin, {
    minKeys: 0,
    maxKeys: 3,
  });
  const spec = arbitraryOf(EnvironmentSpecSchema as JsonSchema, hints).chain((base) =>
    // Generated rules name twins at random and would fail nearly every create: rules come by POST …/faults.
    twins.map((t) => ({ ...(base as object), twins: t, faults: undefined })),
  );
  const create = fc.record({ op: fc.constant('create' as const), body: validOrMutated(spec), key: fc.option(fc.constantFrom('k1', 'k2', 'k3'), { nil: undefined }) });

  const sub = fc.constantFrom('', '/reset', '/faults', '/faults/r1', '/faults/nope', '/journal', '/twins', '/twins/x/actions', '/../..', '/%00', '/faults?twin=x');
  const envOp = fc.record({
    op: fc.constant('env' as const),
    env: fc.nat(),
    method: fc.constantFrom('GET' as const, 'GET' as const, 'DELETE' as const, 'POST' as const),
    sub,
    body: fc.option(hostileValue(), { nil: undefined }),
    token: fc.constantFrom('own' as const, 'own' as const, 'own' as const, 'other' as const, 'none' as const, 'junk' as const),
  });
  const fault = fc.record({ op: fc.constant('fault' as const), env: fc.nat(), body: validOrMutated(arbitraryOf(FaultRuleInputSchema as JsonSchema, hints)) });

  const query = fc.oneof(
    arbitraryOf(JournalQuerySchema as JsonSchema).map((q) => new URLSearchParams(Object.entries(q as object).map(([k, v]): [string, string] => [k, String(v)])).toString()),
    fc.dictionary(fc.constantFrom('twin', 'point', 'type', 'rule', 'since', 'limit', 'x'), hostileValue().map((v) => String(typeof v === 'string' ? v.slice(0, 2000) : JSON.stringify(v)?.slice(0, 2000))), { maxKeys: 3 }).map((q) => new URLSearchParams(q).toString()),
    fc.constantFrom('since=-1', 'limit=0', 'limit=1e309', 'since=99999999999999999999', 'limit=%ZZ', 'since[]=1&since[]=2', 'twin=%00'),
  );
  const journal = fc.record({ op: fc.constant('journal' as const), env: fc.nat(), query, stream: fc.nat({ max: 9 }).map((n) => n < 2) });
  const inspect = fc.record({ op: fc.constant('inspect' as const), env: fc.nat(), twin: fc.nat(), query: fc.oneof(fc.constant(''), query, fc.constantFrom('table=orders', 'topic=t', 'table=%27%3B%20drop')) });
  const action = fc.record({
    op: fc.constant('action' as const),
    env: fc.nat(),
    twin: fc.nat(),
    verb: fc.option(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('produce', 'mint-token', 'sql', 'trigger', 'add-stub', 'constructor', '__proto__')), { nil: undefined, freq: 3 }),
    body: fc.option(hostileValue(), { nil: undefined, freq: 2 }),
  });

  const scenarioValue = arbitraryOf(ScenarioOuterSchema as JsonSchema, hints).map((s) => ({ ...(s as object), twins: {}, run: { command: 'true' } }));
  const yamlBombs = fc.constantFrom(
    `name: b\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
    `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
    `${'- '.repeat(5_000)}x`,
    'name: c\na: &a [*a]\n',
    'name: d\na: *b\n',
    'name: e\n---\nname: f\n',
    '\t\u0000: :\n',
    'name: !!binary x\n',
    'name: !!js/function "function(){}"\n',
  );
  const scenario = fc.record({
    op: fc.constant('scenario' as const),
    body: fc.oneof(
      validOrMutated(scenarioValue).map((s) => ({ scenario: yamlText(harmless(s)) })),
      validOrMutated(scenarioValue).map((s) => ({ scenario: harmless(s) })),
      yamlBombs.map((text) => ({ scenario: text })),
      validOrMutated(fc.record({ scenario: fc.string(), seed: fc.nat(), file: fc.constantFrom('a.yaml', '../../etc/x.yaml', '/tmp/x.yaml') })),
    ),
  });

  const raw = fc.record({
    op: fc.constant('raw' as const),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
    path: fc.oneof(
      fc.constantFrom('/environments', '/scenarios/run', '/health', '/kinds', '/docs/json', '/proxies', '/populate', '/reset', '/version', '/proxies/x/toxics', '/environments/%ff', '/%', '/environments?x=%E0%A4%A'),
      fc.string({ maxLength: 30 }).map((s) => `/${encodeURIComponent(s)}`),
    ),
    contentType: fc.option(fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/yaml', ''), { nil: undefined }),
    body: fc.option(
      fc.oneof(
        fc.constantFrom('{', '{"a":', 'null', '[]', '""', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '\ufeff{}', '1e999', JSON.stringify(nested(2_000))),
        fc.string({ unit: 'binary', maxLength: 200 }),
        hostileValue().map((v) => JSON.stringify(v) ?? 'undefined'),
      ),
      { nil: undefined },
    ),
  });

  // Bodies nested 10,000 deep, as text: where the issue found them answered 500.
  const deep = deepJsonText(10_000);
  const deepRaw = fc.constantFrom(
    { op: 'raw' as const, method: 'POST', path: '/environments', contentType: 'application/json', body: `{"twins":{"w":{"kind":"http","stubs":[{"request":{"path":"/"},"response":{"status":200,"body":${deep}}}]}}}` },
    { op: 'raw' as const, method: 'POST', path: '/scenarios/run', contentType: 'application/json', body: `{"scenario":{"name":"d","twins":{},"description":${deep}}}` },
    { op: 'raw' as const, method: 'POST', path: '/environments', contentType: 'application/json', body: `{"twins":{},"name":${deep}}` },
  );

  return fc
    .oneof(
      { arbitrary: create, weight: 3 },
      { arbitrary: envOp, weight: 3 },
      { arbitrary: fault, weight: 4 },
      { arbitrary: journal, weight: 2 },
      { arbitrary: inspect, weight: 2 },
      { arbitrary: action, weight: 3 },
      { arbitrary: scenario, weight: 2 },
      { arbitrary: raw, weight: 3 },
      { arbitrary: deepRaw, weight: 1 },
    )
    .map((plan) => Object.assign(plan, { [fc.toStringMethod]: () => describePlan(plan) })) as fc.Arbitrary<Plan>;
}

/** How fast-check prints a plan: short, and without walking a body nested 2,000 deep. */
function describePlan(plan: Plan): string {
  let text: string;
  try {
    text = JSON.stringify(plan);
  } catch {
    text = `{"op":"${plan.op}", …too deep to print}`;
  }
  return text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text;
}

function requiredOnly(schema: JsonSchema): JsonSchema {
  const required: string[] = schema.required ?? [];
  const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([name]) => required.includes(name)));
  return { ...schema, properties };
}

/** YAML, or JSON (YAML too) for a value nested deeper than the yaml library can write. */
function yamlText(value: unknown): string {
  try {
    return stringify(value);
  } catch {
    return JSON.stringify(value) ?? 'null';
  }
}

/** A generated scenario runs `true`, whatever else was generated or mutated around it. */
function harmless(scenario: unknown): unknown {
  if (typeof scenario !== 'object' || scenario === null || Array.isArray(scenario)) return scenario;
  const run = (scenario as { run?: unknown }).run;
  if (typeof run !== 'object' || run === null || Array.isArray(run)) return scenario;
  return { ...scenario, run: { ...run, command: 'true', cwd: undefined } };
}
