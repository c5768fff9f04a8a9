// One system of the stripe bench in its own process: `twin` (the stripe twin, stateful; reset on
// request so every round starts from the same state) or `canned <json>` (a bare node:http server
// answering every request with that PaymentIntent: the client's and HTTP's own cost, the floor any
// twin sits on). Prints {port, key}.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { stripeTwin } from '../../twins/stripe/index.ts';
import { startTwin } from '../../test/support/twin-harness.ts';
import { serveUntilStdinEnds } from '../support/serve-child.ts';

const which = process.argv[2];

if (which === 'twin') {
  const h = await startTwin(stripeTwin, {}, { name: 'payments' });
  serveUntilStdinEnds({ port: Number(h.twin.env.STRIPE_PORT), key: h.twin.env.STRIPE_SECRET_KEY }, { reset: () => h.twin.reset(), stop: h.stop });
} else if (which === 'canned' && process.argv[3]) {
  const body = Buffer.from(process.argv[3]);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'request-id': 'req_bench' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  serveUntilStdinEnds({ port: (server.address() as AddressInfo).port, key: 'sk_test_canned' }, { stop });
} else {
  throw new Error(`usage: stripe-server.ts twin | canned <payment intent json> (got ${which})`);
}
