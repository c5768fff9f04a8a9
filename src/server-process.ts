// Starts the control plane with its environment manager on a host and port, and stops both.
import type { FastifyInstance } from 'fastify';
import { StandinError, hostPort, type Limits, type Logger, type PortRange } from './core/index.ts';
import { buildServer } from './api/server.ts';
import { isLoopback } from './api/auth.ts';
import { bindPolicy } from './environments/bind-policy.ts';
import { EnvironmentManager } from './environments/environment-manager.ts';
import { defaultRegistry } from './environments/default-kinds.ts';
import type { TwinRegistry } from './environments/twin-registry.ts';
import { VERSION } from './version.ts';

export interface StandinServerOptions {
  host?: string;
  port?: number;
  adminToken?: string;
  /** Where twins listen by default (--twin-host); beyond loopback only with an admin token. */
  twinHost?: string;
  /** Where twins take their ports when their config pins none (--twin-ports); pinned ones must be in it. */
  twinPorts?: PortRange;
  /** The host named in twins' endpoints instead of their bind address (--advertise-host). */
  advertiseHost?: string;
  /** The limits in force (resolveLimits()); defaults when absent. */
  limits?: Limits;
  /** The folder API clients' twin configs may read files from; none when absent. */
  filesRoot?: string;
  log: Logger;
  registry?: TwinRegistry;
  httpLog?: boolean;
}

export interface StandinServer {
  url: string;
  app: FastifyInstance;
  manager: EnvironmentManager;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4510;

export async function startStandin(options: StandinServerOptions): Promise<StandinServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && options.adminToken === undefined) {
    throw new Error(
      `refusing to listen on ${host} without an admin token: pass --admin-token or set STANDIN_ADMIN_TOKEN ` +
        '(anyone who can reach the port could create environments)',
    );
  }
  const manager = new EnvironmentManager({
    registry: options.registry ?? defaultRegistry(),
    log: options.log,
    // With an admin token the operator exposes Standin on purpose: twins may bind any address then.
    bind: bindPolicy({
      open: options.adminToken !== undefined,
      defaultHost: options.twinHost,
      ports: options.twinPorts,
      advertiseHost: options.advertiseHost,
    }),
    limits: options.limits,
    filesRoot: options.filesRoot,
  });
  const app = await buildServer({
    manager,
    adminToken: options.adminToken,
    logger: options.httpLog,
    version: VERSION,
    loopbackHostsOnly: isLoopback(host) && options.adminToken === undefined,
  });
  try {
    await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  } catch (error) {
    await manager.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StandinError('STANDIN_ERR_TWIN_PORT_IN_USE', { twin: 'control plane', host, port: options.port ?? DEFAULT_PORT });
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPort(host, port)}`,
    app,
    manager,
    close: () => (closing ??= (async () => {
      // app.close() waits for every open connection, and a journal stream (SSE) never ends by
      // itself: stop taking requests, destroy the environments, then cut what is still open.
      const closed = app.close();
      await manager.close();
      app.server.closeAllConnections();
      await closed;
    })()),
  };
}
