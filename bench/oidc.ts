// oidc twin: start time, and client_credentials tokens/s through the Standin front (link layer,
// fault lookup, journal) next to a bare oidc-provider built from the same config and listening on
// its own http.Server. The load generator runs in a worker thread so it does not share the
// servers' event loop; rounds alternate between the two and each keeps its best.
//   node bin/run-ts.js bench/oidc.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FaultEngine, Journal, createTwinContext, silentLogger, type RunningTwin } from '../src/core/index.ts';
import { resolveConfig } from '../twins/oidc/config.ts';
import { oidcTwin } from '../twins/oidc/index.ts';
import { spareKeyReady, takeKey } from '../twins/oidc/key-ring.ts';
import { buildProvider } from '../twins/oidc/provider-factory.ts';
import { TokenStore } from '../twins/oidc/token-store.ts';
import { percentile, type BenchRow } from './bench-row.ts';

const CONCURRENCY = 16;
const REQUESTS = 3_000;
const WARMUP = 500;
const ROUNDS = 3;
const STARTS = 9;
const AUTH = `Basic ${Buffer.from('standin-client:standin-secret').toString('base64')}`;

// Plain JS: the worker runs without the TypeScript loader.
const LOAD_GENERATOR = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const agents = new Map();
const body = 'grant_type=client_credentials';
parentPort.on('message', ({ url, count, concurrency, auth }) => {
  let agent = agents.get(url);
  if (!agent) agents.set(url, (agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })));
  let sent = 0, done = 0, bad = 0;
  const started = performance.now();
  const finish = () => { if (++done === count) parentPort.postMessage({ ms: performance.now() - started, bad }); else next(); };
  const next = () => {
    if (sent >= count) return;
    sent++;
    const req = http.request(url, { method: 'POST', agent, headers: {
      authorization: auth, 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } }, (res) => {
      if (res.statusCode !== 200) bad++;
      res.resume();
      res.on('end', finish);
    });
    req.on('error', () => { bad++; finish(); });
    req.end(body);
  };
  for (let i = 0; i < concurrency; i++) next();
});
`;

function context(name: string) {
  const journal = new Journal();
  const faults = new FaultEngine({ seed: 1, journal, twins: { kindOf: () => oidcTwin, names: () => [name] } });
  return createTwinContext({ envId: 'bench', name, seed: 1, host: '127.0.0.1', journal, faults, log: silentLogger });
}

async function timedStart(name: string): Promise<[RunningTwin, number]> {
  const started = performance.now();
  const twin = await oidcTwin.start({}, context(name));
  return [twin, performance.now() - started];
}

export default async function bench(): Promise<BenchRow[]> {
  // The first start in a process also imports oidc-provider and generates the first RSA key.
  const [first, coldMs] = await timedStart('cold');
  await first.stop();
  const warm: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    // As in a server where environments come and go: the background spare key has been made.
    await spareKeyReady('RS256');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [twin, ms] = await timedStart(`warm-${i}`);
    warm.push(ms);
    await twin.stop();
  }
  warm.sort((a, b) => a - b);
  const warmP50 = percentile(warm, 50);

  const [twin] = await timedStart('load');
  const bare = await bareProvider();
  const worker = new Worker(LOAD_GENERATOR, { eval: true });
  const run = (url: string, count: number): Promise<{ ms: number; bad: number }> =>
    new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage({ url, count, concurrency: CONCURRENCY, auth: AUTH });
    });
  const targets = [
    { url: `${twin.endpoints.token}`, best: 0 },
    { url: `${bare.issuer}/token`, best: 0 },
  ];
  try {
    for (const target of targets) await run(target.url, WARMUP);
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        const { ms, bad } = await run(target.url, REQUESTS);
        if (bad > 0) throw new Error(`${bad} failed token requests against ${target.url}`);
        target.best = Math.max(target.best, REQUESTS / (ms / 1000));
      }
    }
  } finally {
    await worker.terminate();
    await twin.stop();
    await bare.stop();
  }
  const [standin, baseline] = targets.map((t) => Math.round(t.best)) as [number, number];
  return [
    {
      name: 'oidc twin start (warm: module loaded, spare key ready), p50',
      unit: 'ms',
      standin: round1(warmP50),
      goal: '≤ 200 ms',
      met: warmP50 <= 200,
    },
    { name: 'oidc twin first start in a process (imports oidc-provider, generates an RSA key)', unit: 'ms', standin: round1(coldMs) },
    {
      name: 'oidc client_credentials tokens',
      unit: 'tokens/s',
      standin,
      baseline: { name: 'bare oidc-provider, same config, no Standin front', value: baseline },
      goal: '≥ 500/s',
      met: standin >= 500,
    },
  ];
}

/** The same provider config as the twin's defaults, served by a plain http.Server. */
async function bareProvider(): Promise<{ issuer: string; stop(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = await buildProvider({
    issuer,
    config: resolveConfig({}),
    keys: [await takeKey('RS256')],
    store: new TokenStore(),
    cookieKeys: [randomBytes(32).toString('base64url')],
    onClient: () => {},
    onServerError: () => {},
  });
  server.on('request', (req, res) => void provider.callback(req, res));
  return {
    issuer,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await bench());
}
