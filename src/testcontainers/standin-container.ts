// Standin for Testcontainers users: a container of the image from docker/Dockerfile with one
// environment created in it, whose endpoints and env vars work from the test process as handed out.
//
//   await using standin = await new StandinContainer().withEnvironment({ twins: { db: { kind: 'postgres' } } }).start();
//   process.env.DATABASE_URL = standin.environment.env.DATABASE_URL;
//
// How the ports line up: the twins' port range is published to the same numbers on the host (a
// range found free here), and the server advertises the host Testcontainers reaches containers
// on. The control API itself is on a random host port like any Testcontainers port.
import { randomBytes } from 'node:crypto';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import type { EnvironmentSpec } from '../environments/environment-spec.ts';
import type { EnvironmentHandle } from '../sdk/environment-handle.ts';
import { StandinClient } from '../sdk/standin-client.ts';
import { freeHostPortRange } from './host-port-range.ts';

/** The tag docker/Dockerfile's build command gives the image. */
export const STANDIN_IMAGE = 'standin:latest';
const API_PORT = 4510;
/** Each twin takes one port (a kafka cluster one per broker): room for a generous environment. */
const DEFAULT_TWIN_PORTS = 20;
/** Another process may take a probed range before Docker publishes it: try another range. */
const START_ATTEMPTS = 3;

export class StandinContainer {
  private spec: EnvironmentSpec | undefined;
  private twinPorts = DEFAULT_TWIN_PORTS;
  private adminToken = randomBytes(18).toString('base64url');
  private startupTimeoutMs = 60_000;

  constructor(readonly image: string = STANDIN_IMAGE) {}

  /** The environment created once the server answers (`POST /environments`'s body). */
  withEnvironment(spec: EnvironmentSpec): this {
    this.spec = spec;
    return this;
  }

  /** How many ports the container's twins may take (default 20); each is published to the host. */
  withTwinPorts(count: number): this {
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw new RangeError(`withTwinPorts: ${count} is not a count of ports from 1 to 1000`);
    this.twinPorts = count;
    return this;
  }

  /** The server's admin token (default: a random one, readable on the started container). */
  withAdminToken(token: string): this {
    this.adminToken = token;
    return this;
  }

  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }

  async start(): Promise<StartedStandinContainer> {
    // Where the test process reaches published ports (localhost, or the remote Docker host's name).
    const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
    let container: StartedTestContainer | undefined;
    for (let attempt = 1; container === undefined; attempt++) {
      const range = await freeHostPortRange(this.twinPorts);
      const ports = Array.from({ length: range.last - range.first + 1 }, (_, i) => range.first + i);
      try {
        container = await new GenericContainer(this.image)
          .withEnvironment({
            STANDIN_ADMIN_TOKEN: this.adminToken,
            STANDIN_TWIN_PORTS: `${range.first}-${range.last}`,
            STANDIN_ADVERTISE_HOST: host,
          })
          .withExposedPorts(API_PORT, ...ports.map((port) => ({ container: port, host: port })))
          .withWaitStrategy(Wait.forHttp('/health', API_PORT).forStatusCode(200))
          .withStartupTimeout(this.startupTimeoutMs)
          .start();
      } catch (error) {
        if (attempt >= START_ATTEMPTS || !/port is already allocated|address already in use/i.test(String((error as Error).message))) throw error;
      }
    }
    const url = `http://${container.getHost()}:${container.getMappedPort(API_PORT)}`;
    const client = new StandinClient({ url, adminToken: this.adminToken });
    try {
      const environment = this.spec === undefined ? undefined : await client.environments.create(this.spec);
      return new StartedStandinContainer(container, client, this.adminToken, environment);
    } catch (error) {
      await container.stop();
      throw error;
    }
  }
}

export class StartedStandinContainer implements AsyncDisposable {
  constructor(
    /** The Testcontainers container, for logs, exec and the rest of its API. */
    readonly container: StartedTestContainer,
    /** A client of the container's control API (admin token set): more environments, kinds, scenarios. */
    readonly client: StandinClient,
    readonly adminToken: string,
    private readonly created: EnvironmentHandle | undefined,
  ) {}

  /** The control API's URL from the test process. */
  get url(): string {
    return this.client.url;
  }

  /** The environment given to withEnvironment(): endpoints, env vars, faults, journal. */
  get environment(): EnvironmentHandle {
    if (!this.created) throw new Error('StandinContainer was started without withEnvironment(spec); create one with .client.environments.create(spec)');
    return this.created;
  }

  /** Stops and removes the container (its environments go with it). */
  async stop(): Promise<void> {
    await this.container.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
