// One system of the oidc bench in its own process: `twin` (the oidc twin with its defaults, behind
// Standin's front: link layer, fault lookup, journal) or `bare` (node-oidc-provider built from the
// same config, on a plain http.Server). Prints {token} (the token endpoint's URL).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveConfig } from '../../twins/oidc/config.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { spareKeyReady, takeKey } from '../../twins/oidc/key-ring.ts';
import { buildProvider } from '../../twins/oidc/provider-factory.ts';
import { TokenStore } from '../../twins/oidc/token-store.ts';
import { startTwin } from '../../test/support/twin-harness.ts';
import { serveUntilStdinEnds } from '../support/serve-child.ts';

const which = process.argv[2];
// Taking a key starts making the next one in the background; ready only once that is done, so no
// key generation is charged to the tokens measured.
const ready = async (): Promise<void> => {
  await spareKeyReady('RS256');
};

if (which === 'twin') {
  const h = await startTwin(oidcTwin, {}, { name: 'idp' });
  await ready();
  serveUntilStdinEnds({ token: h.twin.endpoints.token }, { stop: h.stop });
} else if (which === 'bare') {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = await buildProvider({
    issuer,
    config: resolveConfig({}),
    keys: [await takeKey('RS256')],
    store: new TokenStore(),
    cookieKeys: [randomBytes(32).toString('base64url')],
    dpopNonceSecret: randomBytes(32),
    onClient: () => {},
    onServerError: () => {},
  });
  server.on('request', (req, res) => void provider.callback(req, res));
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  await ready();
  serveUntilStdinEnds({ token: `${issuer}/token` }, { stop });
} else {
  throw new Error(`usage: oidc-server.ts twin|bare (got ${which})`);
}
