// Soak: `standin serve` in its own process through 1,000 create → use → destroy cycles, one twin
// per environment and a real client per kind (node:http for http and oidc discovery + token, the
// official stripe client, net for tcp, pg, kafkajs), the kinds taking turns, several lanes at once.
// Each destroy is sent in the same tick as the client's disconnect, the race a scenario runner sets
// up when its SUT exits. Reports the server's descriptors (/proc/<pid>/fd) and RSS
// (/proc/<pid>/status, after full GCs) at baseline and after, and how long SIGTERM takes to end it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import type { BenchRow } from './bench-row.ts';

const require = createRequire(import.meta.url);
const Stripe = require('stripe') as typeof import('stripe').default;

const CYCLES = Number(process.env.SOAK_CYCLES ?? 1000);
const LANES = 4;
const KINDS = ['http', 'stripe', 'oidc', 'tcp', 'postgres', 'kafka'] as const;
type Kind = (typeof KINDS)[number];
const bin = new URL('../bin/standin.js', import.meta.url).pathname;
/** Preloaded into the server: SIGUSR2 runs a full GC, so RSS is read without garbage in it. */
const gcOnSignal = new URL('./gc-on-signal.mjs', import.meta.url).href;

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

export default async function soakBench(): Promise<BenchRow[]> {
  const upstream = net.createServer((socket) => socket.pipe(socket).on('error', () => {}));
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const server = await serve();
  // The control API on as many kept-alive connections as there are lanes, before and after.
  const api = new ControlApi(server.url, new http.Agent({ keepAlive: true, maxSockets: LANES }));
  const upstreamPort = (upstream.address() as net.AddressInfo).port;
  const failures: string[] = [];
  const run = async (i: number): Promise<void> => {
    try {
      await cycle(api, KINDS[i % KINDS.length] as Kind, i, upstreamPort);
    } catch (error) {
      failures.push(`cycle ${i} (${KINDS[i % KINDS.length]}): ${(error as Error).message}`);
    }
  };
  try {
    // Warm-up: one cycle of every kind in every lane (modules, the postgres template, pools).
    await Promise.all(Array.from({ length: LANES }, async (_, lane) => {
      for (let k = 0; k < KINDS.length; k++) await run(lane + k * LANES);
    }));
    const pid = server.child.pid as number;
    const before = { fds: await settledFds(pid, 0, 1000), rss: await rssAfterGc(pid) };
    const started = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: LANES }, async () => {
      for (let i = next++; i < CYCLES; i = next++) await run(i);
    }));
    const seconds = (Date.now() - started) / 1000;
    const after = { fds: await settledFds(pid, before.fds, 10_000), rss: await rssAfterGc(pid) };
    const left = ((await api.call('GET', '/environments')).body as { environments: unknown[] }).environments;
    api.agent.destroy();
    const stop = await stopWith(server, 'SIGTERM');
    if (failures.length > 0) process.stdout.write(`${failures.length} failed cycles, e.g.\n  ${failures.slice(0, 5).join('\n  ')}\n`);
    const rssMiB = (kib: number): number => Math.round(kib / 102.4) / 10;
    return [
      { name: `soak: cycles (create → use → destroy racing the disconnect), ${LANES} lanes`, unit: 'cycles', standin: CYCLES, goal: '0 failed', met: failures.length === 0 },
      { name: 'soak: cycles per second', unit: '/s', standin: Math.round((CYCLES / seconds) * 10) / 10 },
      { name: 'soak: environments left after the cycles', unit: 'envs', standin: left.length, goal: '0', met: left.length === 0 },
      { name: 'soak: server fds after the cycles', unit: 'fds', standin: after.fds, baseline: { name: 'after warm-up', value: before.fds } },
      { name: 'soak: server fds, after − baseline', unit: 'fds', standin: after.fds - before.fds, goal: '≤ 0', met: after.fds <= before.fds },
      { name: 'soak: server RSS after the cycles', unit: 'MiB', standin: rssMiB(after.rss), baseline: { name: 'after warm-up', value: rssMiB(before.rss) } },
      { name: 'soak: server RSS, after − baseline', unit: 'MiB', standin: rssMiB(after.rss - before.rss), goal: '≤ 10% of baseline', met: after.rss - before.rss <= before.rss * 0.1 },
      { name: 'soak: SIGTERM to exit', unit: 'ms', standin: stop.ms, goal: '< 5000 ms, exit code 0', met: stop.ms < 5000 && stop.code === 0 },
    ];
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    upstream.close();
  }
}

/** One environment with one twin of `kind`: create, use with a real client, destroy as the client leaves. */
async function cycle(api: ControlApi, kind: Kind, i: number, upstreamPort: number): Promise<void> {
  const spec: Record<Kind, Record<string, unknown>> = {
    http: { kind: 'http', stubs: [{ request: { method: 'GET', path: '/ping' }, response: { status: 200, body: 'pong' } }] },
    stripe: { kind: 'stripe' },
    oidc: { kind: 'oidc' },
    tcp: { kind: 'tcp', upstream: `127.0.0.1:${upstreamPort}` },
    postgres: { kind: 'postgres' },
    kafka: { kind: 'kafka', topics: [{ name: 'events', partitions: 1 }] },
  };
  const created = await api.call('POST', '/environments', { twins: { t: spec[kind] } });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const env = created.body as { id: string; token: string; twins: { t: { endpoints: Record<string, string>; env: Record<string, string> } } };
  const { endpoints, env: vars } = env.twins.t;
  const destroy = async (): Promise<void> => {
    const { status } = await api.call('DELETE', `/environments/${env.id}`, undefined, env.token);
    if (status >= 300) throw new Error(`destroy: ${status}`);
  };

  switch (kind) {
    case 'http':
    case 'oidc': {
      const agent = new http.Agent({ keepAlive: true });
      if (kind === 'http') await expectStatus(agent, 'GET', `${endpoints.url}/ping`, 200);
      else {
        await expectStatus(agent, 'GET', String(endpoints.discovery), 200);
        const auth = `Basic ${Buffer.from('standin-client:standin-secret').toString('base64')}`;
        await expectStatus(agent, 'POST', String(endpoints.token), 200, { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials');
      }
      agent.destroy();
      return destroy();
    }
    case 'stripe': {
      const agent = new http.Agent({ keepAlive: true });
      const base = new URL(endpoints.url as string);
      const stripe = new Stripe(vars.STRIPE_SECRET_KEY as string, { host: base.hostname, port: base.port, protocol: 'http', httpAgent: agent, maxNetworkRetries: 0 });
      const customer = await stripe.customers.create({ email: `soak${i}@example.com` });
      await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
      agent.destroy();
      return destroy();
    }
    case 'tcp': {
      const [host, port] = String(endpoints.address).split(':');
      const socket = net.connect({ host, port: Number(port) });
      socket.on('error', () => {});
      socket.write(`ping ${i}\n`);
      await once(socket, 'data');
      socket.end();
      await destroy();
      socket.destroy();
      return;
    }
    case 'postgres': {
      const client = new pg.Client({ connectionString: endpoints.url });
      client.on('error', () => {});
      await client.connect();
      await client.query('create table t (id int primary key, v text)');
      await client.query('insert into t values ($1, $2)', [i, 'soak']);
      await client.query('select * from t');
      await Promise.all([client.end().catch(() => {}), destroy()]);
      return;
    }
    case 'kafka': {
      const kafka = new Kafka({ clientId: `soak-${i}`, brokers: [String(endpoints.bootstrap)], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'events', messages: [{ value: `m${i}` }] });
      await Promise.all([producer.disconnect().catch(() => {}), destroy()]);
      return;
    }
  }
}

function expectStatus(agent: http.Agent, method: string, url: string, expected: number, headers: Record<string, string> = {}, body?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      res.resume().on('end', () => (res.statusCode === expected ? resolve() : reject(new Error(`${method} ${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

class ControlApi {
  constructor(
    readonly url: string,
    readonly agent: http.Agent,
  ) {}

  call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.url}${path}`, { method, headers, agent: this.agent }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

async function serve(): Promise<Server> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', gcOnSignal, bin, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`standin serve exited (${code}) before listening`)));
  });
  return { child, url, exited };
}

async function stopWith(server: Server, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const sent = Date.now();
  server.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([server.exited, new Promise<'running'>((resolve) => (timer = setTimeout(() => resolve('running'), 30_000)))]);
  clearTimeout(timer);
  return code === 'running' ? { code: null, ms: Infinity } : { code, ms: Date.now() - sent };
}

const fdCount = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** The fd count once it has stopped falling to `target` (sockets close asynchronously), within `ms`. */
async function settledFds(pid: number, target: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let n = fdCount(pid);
  while (n > target && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    n = fdCount(pid);
  }
  return n;
}

/** RSS after three full GCs a moment apart (freed pages go back to the OS lazily). */
async function rssAfterGc(pid: number): Promise<number> {
  for (let i = 0; i < 3; i++) {
    process.kill(pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 500));
  }
  return rssKiB(pid);
}

function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN);
}
