// One system of the http bench in its own process: `twin` (a matched stub, no rules), `twin-rule`
// (the same with one request rule that matches nothing) or `fastify` (a bare Fastify 5 route sending
// the same bytes). Prints {url}; see bench/support/serve-child.ts. The `twin` process also takes the
// commands `rule-on` and `rule-off`, which add and remove that rule, so the bench can measure the
// rule's cost within one process.
import Fastify from 'fastify';
import { httpTwin } from '../../twins/http/index.ts';
import { startTwin } from '../../test/support/twin-harness.ts';
import { serveUntilStdinEnds } from '../support/serve-child.ts';

const ORDER = { id: 'o-1001', status: 'paid', items: [{ sku: 'book-42', qty: 2, price: 1999 }], total: 3998, currency: 'eur' };
const which = process.argv[2];

if (which === 'fastify') {
  const body = Buffer.from(JSON.stringify(ORDER));
  const fastify = Fastify({ logger: false });
  fastify.get('/orders/:id', (_request, reply) => {
    reply.header('content-type', 'application/json').send(body);
  });
  const url = await fastify.listen({ host: '127.0.0.1', port: 0 });
  serveUntilStdinEnds({ url: `${url}/orders/1001` }, { stop: () => fastify.close() });
} else if (which === 'twin' || which === 'twin-rule') {
  const h = await startTwin(httpTwin, { stubs: [{ request: { method: 'GET', path: '/orders/:id' }, response: { status: 200, body: ORDER } }] }, { name: 'api' });
  // The cost of asking the fault engine on every request.
  const addRule = (): string => h.addRule({ point: 'request', match: { method: 'POST', path: '/payments' }, action: { error: { status: 503 } } }).id;
  let rule = which === 'twin-rule' ? addRule() : undefined;
  const commands = {
    'rule-on': () => void (rule ??= addRule()),
    'rule-off': () => {
      if (rule !== undefined) h.faults.remove(rule);
      rule = undefined;
    },
  };
  serveUntilStdinEnds({ url: `${h.twin.endpoints.url}/orders/1001` }, { commands, stop: h.stop });
} else {
  throw new Error(`usage: http-server.ts twin|twin-rule|fastify (got ${which})`);
}
