// http twin serving a matched stub (no rules) vs a bare Fastify 5 route returning the same bytes:
// requests/s over keep-alive with a fixed number in flight. The load generator runs in a worker
// thread so it does not share the servers' event loop. Rounds alternate between targets and each
// keeps its best round, so a burst of noise from other processes hurts neither side alone.
//   node bin/run-ts.js bench/http.ts      (BENCH_HTTP_REQUESTS=N to change the requests per round)
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import { FaultEngine, Journal, createTwinContext, silentLogger } from '../src/core/index.ts';
import { httpTwin } from '../twins/http/index.ts';
import type { BenchRow } from './bench-row.ts';

const CONCURRENCY = 32;
const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 10_000);
const WARMUP = 3_000;
const ROUNDS = 5;
const ORDER = { id: 'o-1001', status: 'paid', items: [{ sku: 'book-42', qty: 2, price: 1999 }], total: 3998, currency: 'eur' };

// Plain JS: the worker runs without the TypeScript loader. A minimal keep-alive HTTP/1.1 client over
// raw sockets (one request in flight per socket, responses framed by Content-Length), as autocannon
// does: node:http's client costs more CPU than either server, and on a small machine it would be
// the client's speed that gets measured.
const LOAD_GENERATOR = `
const { parentPort } = require('node:worker_threads');
const net = require('node:net');
parentPort.on('message', ({ url, count, concurrency }) => {
  const { hostname, port, pathname } = new URL(url);
  const request = Buffer.from('GET ' + pathname + ' HTTP/1.1\\r\\nHost: ' + hostname + ':' + port + '\\r\\nConnection: keep-alive\\r\\n\\r\\n');
  let sent = 0, done = 0, bad = 0;
  const sockets = [];
  const started = performance.now();
  const finish = () => {
    for (const socket of sockets) socket.destroy();
    parentPort.postMessage({ ms: performance.now() - started, bad });
  };
  for (let i = 0; i < concurrency; i++) {
    const socket = net.connect({ host: hostname, port: Number(port), noDelay: true });
    sockets.push(socket);
    let buffered = Buffer.alloc(0);
    const next = () => { if (sent < count) { sent++; socket.write(request); } };
    socket.on('connect', next);
    socket.on('error', () => { bad++; });
    socket.on('data', (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      for (;;) {
        const headEnd = buffered.indexOf('\\r\\n\\r\\n');
        if (headEnd === -1) return;
        const head = buffered.toString('latin1', 0, headEnd).toLowerCase();
        const at = head.indexOf('content-length:');
        const length = at === -1 ? 0 : parseInt(head.slice(at + 15), 10);
        const total = headEnd + 4 + length;
        if (buffered.length < total) return;
        if (!head.startsWith('http/1.1 200')) bad++;
        buffered = buffered.subarray(total);
        if (++done === count) return finish();
        next();
      }
    });
  }
});
`;

interface Target {
  name: string;
  url: string;
  best: number;
}

export default async function bench(): Promise<BenchRow[]> {
  const journal = new Journal();
  const twins = new Map<string, typeof httpTwin>([['api', httpTwin], ['api-ruled', httpTwin]]);
  const faults = new FaultEngine({ seed: 1, journal, twins: { kindOf: (n) => twins.get(n), names: () => [...twins.keys()] } });
  const context = (name: string) =>
    createTwinContext({ envId: 'bench', name, seed: 1, host: '127.0.0.1', journal, faults, log: silentLogger });
  const stubs = [{ request: { method: 'GET', path: '/orders/:id' }, response: { status: 200, body: ORDER } }];
  const twin = await httpTwin.start({ stubs }, context('api'));
  const ruled = await httpTwin.start({ stubs }, context('api-ruled'));
  // A rule that never matches this traffic: the cost of asking the fault engine on every request.
  faults.add({ twin: 'api-ruled', point: 'request', match: { method: 'POST', path: '/payments' }, action: { error: { status: 503 } } });

  const body = Buffer.from(JSON.stringify(ORDER));
  const fastify = Fastify({ logger: false });
  fastify.get('/orders/:id', (_request, reply) => {
    reply.header('content-type', 'application/json').send(body);
  });
  const fastifyUrl = await fastify.listen({ host: '127.0.0.1', port: 0 });

  const worker = new Worker(LOAD_GENERATOR, { eval: true });
  const run = (url: string, count: number): Promise<{ ms: number; bad: number }> =>
    new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage({ url, count, concurrency: CONCURRENCY });
    });

  const targets: Target[] = [
    { name: 'twin', url: `${twin.endpoints.url}/orders/1001`, best: 0 },
    { name: 'twin+rule', url: `${ruled.endpoints.url}/orders/1001`, best: 0 },
    { name: 'fastify', url: `${fastifyUrl}/orders/1001`, best: 0 },
  ];
  try {
    for (const target of targets) {
      const check = await fetch(target.url);
      if (Buffer.compare(Buffer.from(await check.arrayBuffer()), body) !== 0) throw new Error(`${target.name} answers other bytes`);
      await run(target.url, WARMUP);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        const { ms, bad } = await run(target.url, REQUESTS);
        if (bad > 0) throw new Error(`${target.name}: ${bad} failed requests`);
        target.best = Math.max(target.best, REQUESTS / (ms / 1000));
      }
    }
  } finally {
    await worker.terminate();
    await twin.stop();
    await ruled.stop();
    await fastify.close();
  }

  const [plain, withRule, base] = targets.map((t) => Math.round(t.best)) as [number, number, number];
  const baseline = { name: `bare Fastify 5 route, same ${body.length} bytes`, value: base };
  const mode = `keep-alive, ${CONCURRENCY} in flight, best of ${ROUNDS}×${REQUESTS}`;
  return [
    {
      name: `http twin, matched stub, no rules (${mode})`,
      unit: 'req/s',
      standin: plain,
      baseline,
      goal: '≥ 0.7× Fastify',
      met: plain >= 0.7 * base,
    },
    {
      name: `http twin, matched stub, one non-matching rule at request (${mode})`,
      unit: 'req/s',
      standin: withRule,
      baseline,
    },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await bench()) {
    const ratio = row.baseline ? ` = ${(row.standin / row.baseline.value).toFixed(2)}× ${row.baseline.name} (${row.baseline.value} ${row.unit})` : '';
    const goal = row.goal ? `  goal ${row.goal}: ${row.met ? 'met' : 'NOT met'}` : '';
    console.log(`${row.name}: ${row.standin} ${row.unit}${ratio}${goal}`);
  }
}
