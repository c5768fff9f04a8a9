// Where twins and proxies may listen. A twin's port is open to whoever can reach its address, and no
// token guards a twin's protocol, so the rule follows how the control plane itself is exposed:
// - a server without an admin token is reachable from this machine only; its twins bind loopback
//   addresses only, and no privileged port (below 1024), which a server run as root could otherwise
//   take from a system service;
// - with an admin token the operator chose to expose Standin and guards who creates twins: any
//   address and port.
// A host is an IP literal or `localhost` (bound as 127.0.0.1). Names are never looked up: a config
// must not make the server wait on DNS, nor bind whatever a name resolves to.
// In a container the twins' ports must also be published: --twin-ports names the range twins take
// their ports from (a pinned port outside it is refused, since nothing outside could reach it), and
// --advertise-host the host clients outside use, named in endpoints instead of the bind address.
import { BlockList, isIP } from 'node:net';
import { StandinError, type PortRange } from '../core/index.ts';

export interface BindPolicy {
  /** Whether twins may bind any address and privileged ports (the server has an admin token). */
  readonly open: boolean;
  /** Where twins listen when their config names no host (--twin-host, default 127.0.0.1). */
  readonly defaultHost: string;
  /** The address to bind for `host` (the default when absent); STANDIN_ERR_TWIN_HOST_REFUSED names `field`. */
  host(host: string | undefined, field: string): string;
  /** Checks a port to bind (0: any free one); STANDIN_ERR_TWIN_PORT_REFUSED names `field`. */
  port(port: number, field: string): void;
  /** Where twins take unpinned ports (--twin-ports); any free port when absent. */
  readonly ports?: PortRange;
  /** The host endpoints name for a twin bound to `host` (--advertise-host, else `host` itself). */
  advertise(host: string): string;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const FIRST_UNPRIVILEGED_PORT = 1024;
const HOW_TO_OPEN = 'start the server with an admin token (--admin-token or STANDIN_ADMIN_TOKEN) to allow it';

export interface BindPolicyOptions {
  /** The server runs with an admin token. */
  open: boolean;
  /** --twin-host, checked here too. */
  defaultHost?: string;
  /** --twin-ports. */
  ports?: PortRange;
  /** --advertise-host: a name or address, never bound nor looked up here. */
  advertiseHost?: string;
}

export function bindPolicy(options: BindPolicyOptions): BindPolicy {
  const { open, ports, advertiseHost } = options;
  if (advertiseHost !== undefined && !/^[A-Za-z0-9.:_-]+$/.test(advertiseHost)) {
    // It lands in URLs (postgres://user:pw@HOST:port/db): anything but a host name or address breaks them.
    throw new StandinError('STANDIN_ERR_TWIN_HOST_REFUSED', { field: '--advertise-host', detail: `${JSON.stringify(advertiseHost)} is not a host name or IP address` });
  }
  const address = (host: string, field: string): string => {
    if (host.trim() === '') {
      throw new StandinError('STANDIN_ERR_TWIN_HOST_REFUSED', { field, detail: 'an empty host would listen on every interface; name an IP address, e.g. 127.0.0.1' });
    }
    const literal = host.toLowerCase() === 'localhost' ? '127.0.0.1' : host;
    const family = isIP(literal);
    if (family === 0) {
      throw new StandinError('STANDIN_ERR_TWIN_HOST_REFUSED', { field, detail: `${host} is not an IP address (host names are not looked up), e.g. 127.0.0.1 or ::1` });
    }
    if (!open && !LOOPBACK.check(literal, family === 4 ? 'ipv4' : 'ipv6')) {
      throw new StandinError('STANDIN_ERR_TWIN_HOST_REFUSED', {
        field,
        detail: `${host} is not a loopback address; a server without an admin token binds twins to loopback only (127.0.0.0/8, ::1); ${HOW_TO_OPEN}`,
      });
    }
    return literal;
  };
  const defaultHost = address(options.defaultHost ?? '127.0.0.1', '--twin-host');
  return {
    open,
    defaultHost,
    host: (host, field) => (host === undefined ? defaultHost : address(host, field)),
    ports,
    advertise: (host) => advertiseHost ?? host,
    port(port, field) {
      if (ports && port > 0 && !ports.includes(port)) {
        throw new StandinError('STANDIN_ERR_TWIN_PORT_REFUSED', {
          field,
          detail: `${port} is outside this server's twin port range ${ports} (--twin-ports), the ports published to clients; pin a port in the range or omit it`,
        });
      }
      if (!open && port > 0 && port < FIRST_UNPRIVILEGED_PORT) {
        throw new StandinError('STANDIN_ERR_TWIN_PORT_REFUSED', {
          field,
          detail: `${port} is a privileged port (below ${FIRST_UNPRIVILEGED_PORT}); pick ${FIRST_UNPRIVILEGED_PORT} or above, or 0 for a free one, or ${HOW_TO_OPEN}`,
        });
      }
    },
  };
}

/** The policy of a server without an admin token, and the default. */
export const loopbackOnly: BindPolicy = bindPolicy({ open: false });

/** Any address and port: for the operator's own scenario files under `standin run`/`up`. */
export const anyAddress: BindPolicy = bindPolicy({ open: true });
