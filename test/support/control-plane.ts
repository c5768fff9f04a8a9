// A control plane on a free port for API tests, with the given twin kinds registered.
import { DEFAULT_LIMITS, silentLogger, type Limits, type TwinKind } from '../../src/core/index.ts';
import { TwinRegistry } from '../../src/environments/twin-registry.ts';
import { defaultKinds } from '../../src/environments/default-kinds.ts';
import { startStandin, type StandinServer, type StandinServerOptions } from '../../src/server-process.ts';

export interface ControlPlane extends AsyncDisposable {
  server: StandinServer;
  url: string;
  /** fetch against the control plane, JSON in and out. */
  call(method: string, path: string, options?: { body?: unknown; token?: string }): Promise<{ status: number; body: any }>;
  /** Creates an environment and returns its create response. */
  createEnv(spec: unknown): Promise<any>;
}

export interface ControlPlaneOptions extends Pick<StandinServerOptions, 'adminToken' | 'filesRoot' | 'twinHost' | 'twinPorts' | 'advertiseHost'> {
  /** The limits a test lowers, the rest at their defaults: `{ environments: 3 }`. */
  limits?: Partial<Limits>;
}

export async function startControlPlane(extraKinds: TwinKind[] = [], options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const registry = new TwinRegistry([...defaultKinds, ...extraKinds]);
  const server = await startStandin({ port: 0, log: silentLogger, registry, ...options, limits: { ...DEFAULT_LIMITS, ...options.limits } });
  const call: ControlPlane['call'] = async (method, path, { body, token } = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    server,
    url: server.url,
    call,
    createEnv: async (spec) => {
      const { status, body } = await call('POST', '/environments', { body: spec, token: options.adminToken });
      if (status !== 201) throw new Error(`create failed: ${status} ${JSON.stringify(body)}`);
      return body;
    },
    [Symbol.asyncDispose]: () => server.close(),
  };
}
