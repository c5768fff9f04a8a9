// The `tcp` twin: a Toxiproxy-style proxy from its own port to `upstream`, every byte through the
// link layer, so the `connection` rules (toxics) act on it. It also carries what the Toxiproxy
// API needs of a proxy: `enabled` (actions enable/disable) and a changeable upstream.
import net from 'node:net';
import { Type, type Static } from '@sinclair/typebox';
import {
  BaseTwinConfigFields,
  connectionPoint,
  defineTwinKind,
  listenLinked,
  pipeLinked,
  type LinkStats,
  type RunningTwin,
  type TwinContext,
} from '../../src/core/index.ts';
import { formatHostPort, HOST_PORT_PATTERN, parseHostPort, type HostPort } from './upstream-address.ts';
import { tcpExplore } from './explore.ts';

export const TcpConfigSchema = Type.Object(
  {
    upstream: Type.String({ pattern: HOST_PORT_PATTERN, description: 'where connections go, host:port' }),
    ...BaseTwinConfigFields,
  },
  { additionalProperties: false },
);
export type TcpConfig = Static<typeof TcpConfigSchema>;

const UpstreamParams = Type.Object(
  { upstream: Type.String({ pattern: HOST_PORT_PATTERN, description: 'new upstream, host:port' }) },
  { additionalProperties: false },
);
const NoParams = Type.Object({}, { additionalProperties: false });

export interface TcpInspect {
  listen: string;
  upstream: string;
  enabled: boolean;
  connections: LinkStats[];
  totals: { accepted: number; open: number; bytesIn: number; bytesOut: number };
}

const tcpActions = {
  'set-upstream': {
    description: 'send new connections to another host:port; open ones are closed (as Toxiproxy does)',
    params: UpstreamParams,
  },
  enable: { description: 'listen again (Toxiproxy enabled: true)', params: NoParams },
  disable: { description: 'refuse connections and close open ones (Toxiproxy enabled: false)', params: NoParams },
};

export const tcpTwin = defineTwinKind({
  kind: 'tcp',
  description: 'a fault-injecting TCP proxy in front of any upstream (Toxiproxy semantics)',
  configSchema: TcpConfigSchema,
  points: [connectionPoint],
  explore: tcpExplore,
  actions: tcpActions,
  start: startTcpTwin,
});

async function startTcpTwin(config: TcpConfig, ctx: TwinContext): Promise<RunningTwin<typeof tcpActions>> {
  const initial = parseHostPort(config.upstream);
  let upstream: HostPort = initial;
  const server = await listenLinked(ctx, { host: config.host ?? ctx.host, port: config.port ?? 0 }, (socket, info) => {
    const target = upstream;
    // allowHalfOpen: an upstream FIN travels to the client while the client may still send.
    const remote = net.connect({ host: target.host, port: target.port, noDelay: true, allowHalfOpen: true });
    remote.once('error', (error: NodeJS.ErrnoException) => {
      ctx.journal.record({
        point: 'connection',
        type: 'upstream',
        summary: `#${info.id} upstream ${formatHostPort(target)}: ${error.code ?? error.message}`,
        data: { id: info.id, upstream: formatHostPort(target), error: error.code ?? error.message },
      });
    });
    pipeLinked(socket, remote);
  });
  // `listen` is the bound address (Toxiproxy's field); endpoints name the one clients use.
  const listen = formatHostPort({ host: server.host, port: server.port });
  const address = formatHostPort({ host: ctx.advertisedHost, port: server.port });
  const envName = `TCP_${ctx.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_ADDR`;

  const inspect = async (): Promise<TcpInspect> => ({
    listen,
    upstream: formatHostPort(upstream),
    enabled: server.enabled,
    connections: server.connections(),
    totals: server.totals(),
  });

  return {
    endpoints: { address, url: `tcp://${address}` },
    env: { [envName]: address },
    inspect,
    actions: {
      'set-upstream': async (params) => {
        upstream = parseHostPort(params.upstream);
        server.closeConnections();
        return inspect();
      },
      enable: async () => {
        await server.setEnabled(true);
        return inspect();
      },
      disable: async () => {
        await server.setEnabled(false);
        return inspect();
      },
    },
    reset: async () => {
      upstream = initial;
      server.closeConnections();
      await server.setEnabled(true);
    },
    stop: () => server.close(),
  };
}
