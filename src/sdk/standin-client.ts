// The entry point of the SDK: a client of one Standin control API. Creating and listing
// environments (and running scenarios) use the admin token when the server has one; everything
// under an environment uses that environment's own token, held by its EnvironmentHandle.
import type { EnvironmentSpec } from '../environments/environment-spec.ts';
import type { CreatedEnvironment, EnvironmentList, EnvironmentSummary, EnvironmentView, Health, KindInfo, KindList, ScenarioReport, ScenarioRunRequest, ScenarioExploreRequest, ExploreReport } from './api-types.ts';
import { ControlApi, segment } from './control-api.ts';
import { EnvironmentHandle } from './environment-handle.ts';
import type { TwinSpec } from './environment-builder.ts';

export interface StandinClientOptions {
  /** The control API, e.g. `http://127.0.0.1:4510`. */
  url: string;
  /** Needed when the server was started with `--admin-token`. */
  adminToken?: string;
  /** A fetch to use instead of the global one (a proxy agent, instrumentation). */
  fetch?: typeof fetch;
}

/** What `POST /environments` accepts, with each twin's kind-specific config fields allowed. */
/** What `environments.create` takes: the server's own spec type. */
export type EnvironmentSpecInput = EnvironmentSpec;

/** `standin serve`'s default address; `STANDIN_URL` overrides it for `StandinClient.fromEnv()`. */
const DEFAULT_URL = 'http://127.0.0.1:4510';

export class StandinClient {
  readonly url: string;
  readonly environments: Environments;
  readonly scenarios: Scenarios;
  private readonly api: ControlApi;

  constructor(options: StandinClientOptions) {
    this.api = new ControlApi(options.url, options.fetch);
    this.url = this.api.url;
    this.environments = new Environments(this.api, options.adminToken);
    this.scenarios = new Scenarios(this.api, options.adminToken);
  }

  /** A client of `STANDIN_URL` (default http://127.0.0.1:4510) with `STANDIN_ADMIN_TOKEN` if set. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): StandinClient {
    return new StandinClient({ url: env.STANDIN_URL ?? DEFAULT_URL, ...(env.STANDIN_ADMIN_TOKEN ? { adminToken: env.STANDIN_ADMIN_TOKEN } : {}) });
  }

  /** The twin kinds the server has, with config schemas, fault points and actions. */
  async kinds(): Promise<KindInfo[]> {
    return (await this.api.call<KindList>('GET', '/kinds')).kinds;
  }

  async health(): Promise<Health> {
    return this.api.call<Health>('GET', '/health');
  }
}

export class Environments {
  constructor(private readonly api: ControlApi, private readonly adminToken: string | undefined) {}

  /** Creates and starts an environment; every twin is listening when this resolves. */
  async create(spec: EnvironmentSpecInput): Promise<EnvironmentHandle> {
    const created = await this.api.call<CreatedEnvironment>('POST', '/environments', { body: spec, token: this.adminToken });
    return new EnvironmentHandle(this.api, created);
  }

  /** Live environments, without their tokens. */
  async list(): Promise<EnvironmentSummary[]> {
    return (await this.api.call<EnvironmentList>('GET', '/environments', { token: this.adminToken })).environments;
  }

  /** A handle on an environment created elsewhere, from its id and token (checked by reading it). */
  async attach(id: string, token: string): Promise<EnvironmentHandle> {
    const view = await this.api.call<EnvironmentView>('GET', `/environments/${segment(id)}`, { token });
    return new EnvironmentHandle(this.api, { ...view, token });
  }
}

export class Scenarios {
  constructor(private readonly api: ControlApi, private readonly adminToken: string | undefined) {}

  /** Runs a scenario on the server (its command runs on the server's machine) and answers its report. */
  async run(request: ScenarioRunRequest): Promise<ScenarioReport> {
    return this.api.call<ScenarioReport>('POST', '/scenarios/run', { body: request, token: this.adminToken });
  }

  /** Explores a scenario on the server (`standin explore`): answers the report, each finding's scenario file as text. */
  async explore(request: ScenarioExploreRequest): Promise<ExploreReport> {
    return this.api.call<ExploreReport>('POST', '/scenarios/explore', { body: request, token: this.adminToken });
  }
}
