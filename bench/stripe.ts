// stripe twin: PaymentIntent create + confirm per second through the official stripe client,
// next to the same client against a bare node:http server that answers canned PaymentIntents (the
// client's and HTTP's own cost: the floor any twin sits on). The client runs in a worker thread so
// it does not share the twin's event loop; rounds alternate between targets and each keeps its
// best, so a burst of noise from other processes hurts neither side alone.
//   node bin/run-ts.js bench/stripe.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FaultEngine, Journal, createTwinContext, silentLogger } from '../src/core/index.ts';
import { stripeTwin } from '../twins/stripe/index.ts';
import type { BenchRow } from './bench-row.ts';

const CONCURRENCY = 16;
const OPS = 3_000;
const WARMUP = 500;
const ROUNDS = 3;
const GOAL = 1_000;

// Plain JS: the worker runs without the TypeScript loader.
const LOAD_GENERATOR = `
const { parentPort } = require('node:worker_threads');
const Stripe = require('stripe');
parentPort.on('message', async ({ key, port, count, concurrency, mode }) => {
  const stripe = new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  let next = 0, bad = 0;
  const one = async () => {
    if (mode === 'two-calls') {
      const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa' });
      const done = await stripe.paymentIntents.confirm(pi.id);
      if (done.status !== 'succeeded') bad++;
    } else {
      const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      if (pi.status !== 'succeeded') bad++;
    }
  };
  const lane = async () => { while (next++ < count) await one().catch(() => bad++); };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  parentPort.postMessage({ ms: performance.now() - started, bad });
});
`;

/** A PaymentIntent as the twin answers one, so both servers send the same bytes. */
async function cannedServer(sample: string): Promise<{ port: number; close: () => Promise<void> }> {
  const body = Buffer.from(sample);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'request-id': 'req_bench' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

export default async function bench(): Promise<BenchRow[]> {
  const journal = new Journal();
  const faults = new FaultEngine({ seed: 1, journal, twins: { kindOf: (n) => (n === 'payments' ? stripeTwin : undefined), names: () => ['payments'] } });
  const ctx = createTwinContext({ envId: 'bench', name: 'payments', seed: 1, host: '127.0.0.1', journal, faults, log: silentLogger });
  const twin = await stripeTwin.start({}, ctx);
  const key = twin.env.STRIPE_SECRET_KEY as string;
  const twinPort = Number(twin.env.STRIPE_PORT);

  // The canned answer is a real succeeded PaymentIntent from the twin.
  const sample = await fetch(`${twin.endpoints.url}/v1/payment_intents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true',
  }).then((r) => r.text());
  const canned = await cannedServer(sample);

  const worker = new Worker(LOAD_GENERATOR, { eval: true });
  const run = (port: number, count: number, mode: string): Promise<{ ms: number; bad: number }> =>
    new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage({ key, port, count, concurrency: CONCURRENCY, mode });
    });

  const best = { twinTwo: 0, cannedTwo: 0, twinOne: 0, cannedOne: 0 };
  let bad = 0;
  try {
    await run(twinPort, WARMUP, 'two-calls');
    await run(canned.port, WARMUP, 'two-calls');
    for (let round = 0; round < ROUNDS; round++) {
      for (const [slot, port, mode] of [
        ['twinTwo', twinPort, 'two-calls'],
        ['cannedTwo', canned.port, 'two-calls'],
        ['twinOne', twinPort, 'one-call'],
        ['cannedOne', canned.port, 'one-call'],
      ] as const) {
        const result = await run(port, OPS, mode);
        bad += result.bad;
        best[slot] = Math.max(best[slot], (OPS / result.ms) * 1000);
      }
      // Keep memory flat between rounds: the twin's state grows with every intent.
      await twin.reset();
    }
  } finally {
    await worker.terminate();
    await canned.close();
    await twin.stop();
  }
  if (bad > 0) throw new Error(`stripe bench: ${bad} operations did not succeed`);
  const round1 = (n: number): number => Math.round(n);
  return [
    {
      name: 'stripe twin: payment_intent create + confirm (2 calls) via stripe-node',
      unit: 'ops/s',
      standin: round1(best.twinTwo),
      baseline: { name: 'same client vs bare node:http canned answers', value: round1(best.cannedTwo) },
      goal: `≥ ${GOAL.toLocaleString('en-US')}/s`,
      met: best.twinTwo >= GOAL,
    },
    {
      name: 'stripe twin: payment_intent create with confirm=true (1 call) via stripe-node',
      unit: 'ops/s',
      standin: round1(best.twinOne),
      baseline: { name: 'same client vs bare node:http canned answers', value: round1(best.cannedOne) },
      goal: `≥ ${GOAL.toLocaleString('en-US')}/s`,
      met: best.twinOne >= GOAL,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await bench();
  for (const row of rows) {
    const ratio = row.baseline ? ` (${(row.standin / row.baseline.value).toFixed(2)}× ${row.baseline.name}: ${row.baseline.value})` : '';
    console.log(`${row.name}: ${row.standin} ${row.unit}${ratio}  goal ${row.goal}: ${row.met ? 'met' : 'NOT met'}`);
  }
}
