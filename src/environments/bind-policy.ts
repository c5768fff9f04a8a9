// Where twins and proxies may listen. A twin's port is open to whoever can reach its address, and no
// token guards a twin's protocol, so the rule follows how the control plane itself is exposed:
// - a server without an admin token is reachable from this machine only; its twins bind loopback
//   addresses only, and no privileged port (below 1024), which a server run as root could otherwise
//   take from a system service;
// - with an admin token the operator chose to expose Standin and guards who creates twins: any
//   address and port.
// A host is an IP literal or `localhost` (bound as 127.0.0.1). Names are never looked up: a config
// must not make the server wait on DNS, nor bind whatever a name resolves to.
import { BlockList, isIP } from 'node:net';
import { StandinError } from '../core/index.ts';

export interface BindPolicy {
  /** Whether twins may bind any address and privileged ports (the server has an admin token). */
  readonly open: boolean;
  /** Where twins listen when their config names no host (--twin-host, default 127.0.0.1). */
  readonly defaultHost: string;
  /** The address to bind for `host` (the default when absent); STANDIN_ERR_TWIN_HOST_REFUSED names `field`. */
  host(host: string | undefined, field: string): string;
  /** Checks a port to bind (0: any free one); STANDIN_ERR_TWIN_PORT_REFUSED names `field`. */
  port(port: number, field: string): void;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const FIRST_UNPRIVILEGED_PORT = 1024;
const HOW_TO_OPEN = 'start the server with an admin token (--admin-token or STANDIN_ADMIN_TOKEN) to allow it';

/** `open`: the server runs with an admin token. `defaultHost` (--twin-host) is checked here too. */
export function bindPolicy(options: { open: boolean; defaultHost?: string }): BindPolicy {
  const { open } = options;
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
    port(port, field) {
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
