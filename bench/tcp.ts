// tcp twin with no toxics vs direct loopback vs a bare Node `socket.pipe(upstream)` proxy, in one
// run: small round trips (p50, p99) and bulk upload throughput. As in real use the client, the
// proxy and the upstream each have their own event loop: client and upstream servers run in worker
// threads (bench/tcp-peers.mjs), both proxies in this thread. The three paths are measured in
// alternating rounds (each round starting with another path) so the noise of a shared machine
// hits them alike.
import net from 'node:net';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createTwinContext, FaultEngine, Journal, silentLogger, type RunningTwin } from '../src/core/index.ts';
import { tcpTwin } from '../twins/tcp/index.ts';
import { percentile, type BenchRow } from './bench-row.ts';

const ROUND_TRIPS = 10_000;
const WARMUP = 2_000;
const ROUNDS = 3;
const BULK_BYTES = 512 << 20;
/** 512 MiB per path, in 8 alternating uploads of 64 MiB; the best rate is reported. */
const BULK_ROUNDS = 8;
const BULK_CHUNK = 64 << 10;
const MiB = 1 << 20;

type Path = 'direct' | 'bare pipe' | 'tcp twin';

export default async function tcpBench(): Promise<BenchRow[]> {
  const servers = peer('servers');
  const client = peer('client');
  const upstream = await servers.next<{ echo: number; sink: number }>();
  const pipes = { echo: await bareProxy(upstream.echo), sink: await bareProxy(upstream.sink) };
  const twins = { echo: await startTcpTwin(upstream.echo), sink: await startTcpTwin(upstream.sink) };
  const ports: Record<Path, { echo: number; sink: number }> = {
    direct: upstream,
    'bare pipe': { echo: pipes.echo.port, sink: pipes.sink.port },
    'tcp twin': { echo: portOf(twins.echo), sink: portOf(twins.sink) },
  };
  const paths = Object.keys(ports) as Path[];
  try {
    const samples: Record<Path, number[]> = { direct: [], 'bare pipe': [], 'tcp twin': [] };
    const bulk: Record<Path, number[]> = { direct: [], 'bare pipe': [], 'tcp twin': [] };
    // Each round starts with a different path, so none always runs right after another.
    const order = (round: number): Path[] => paths.map((_, i) => paths[(i + round) % paths.length] as Path);
    for (let round = 0; round < ROUNDS; round++) {
      for (const path of order(round)) {
        const job = { type: 'roundTrips', port: ports[path].echo, count: ROUND_TRIPS, warmup: WARMUP };
        samples[path].push(...(await client.run<{ samples: Float64Array }>(job)).samples);
      }
    }
    for (let round = 0; round < BULK_ROUNDS; round++) {
      for (const path of order(round)) {
        const job = { type: 'upload', port: ports[path].sink, bytes: BULK_BYTES / BULK_ROUNDS, chunkSize: BULK_CHUNK };
        bulk[path].push((await client.run<{ ms: number }>(job)).ms);
      }
    }
    const p = (path: Path, q: number): number => percentile(samples[path].sort((a, b) => a - b), q);
    // The best of the uploads: on a shared machine noise only ever slows an upload down, and it
    // swings single uploads by 5×, more than any median of eight can smooth.
    const mibps = (path: Path): number => BULK_BYTES / BULK_ROUNDS / MiB / (Math.min(...bulk[path]) / 1000);
    const addedTwin = p('tcp twin', 50) - p('direct', 50);
    const addedPipe = p('bare pipe', 50) - p('direct', 50);
    const round1 = (n: number): number => Math.round(n * 10) / 10;
    return [
      {
        name: 'tcp twin (no toxics), 64 B round trip p50',
        unit: 'µs',
        standin: round1(p('tcp twin', 50)),
        baseline: { name: 'direct loopback', value: round1(p('direct', 50)) },
      },
      {
        name: 'tcp twin (no toxics), added p50 per round trip',
        unit: 'µs',
        standin: round1(addedTwin),
        baseline: { name: 'bare Node pipe proxy, added', value: round1(addedPipe) },
        goal: '≤ 100 µs and ≤ 1.2× bare pipe',
        met: addedTwin <= 100 && addedTwin <= 1.2 * addedPipe,
      },
      {
        name: 'tcp twin (no toxics), 64 B round trip p99',
        unit: 'µs',
        standin: round1(p('tcp twin', 99)),
        baseline: { name: 'bare Node pipe proxy', value: round1(p('bare pipe', 99)) },
      },
      {
        name: 'tcp twin (no toxics), bulk upload throughput (best of 8 × 64 MiB)',
        unit: 'MiB/s',
        standin: Math.round(mibps('tcp twin')),
        baseline: { name: 'direct loopback', value: Math.round(mibps('direct')) },
        goal: '≥ 80% of direct',
        met: mibps('tcp twin') >= 0.8 * mibps('direct'),
      },
      {
        name: 'tcp twin (no toxics), bulk vs bare pipe proxy',
        unit: 'MiB/s',
        standin: Math.round(mibps('tcp twin')),
        baseline: { name: 'bare Node pipe proxy', value: Math.round(mibps('bare pipe')) },
      },
    ];
  } finally {
    await twins.echo.stop();
    await twins.sink.stop();
    await pipes.echo.close();
    await pipes.sink.close();
    await servers.terminate();
    await client.terminate();
  }
}

interface Served {
  port: number;
  close(): Promise<void>;
}

async function serve(onSocket: (socket: net.Socket) => void): Promise<Served> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The baseline: what a proxy costs with nothing in between. */
function bareProxy(upstreamPort: number): Promise<Served> {
  return serve((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
}

async function startTcpTwin(upstreamPort: number): Promise<RunningTwin> {
  const journal = new Journal();
  const name = 'bench';
  const faults = new FaultEngine({ seed: 1, journal, twins: { kindOf: () => tcpTwin, names: () => [name] } });
  const ctx = createTwinContext({ envId: 'bench', name, seed: 1, host: '127.0.0.1', journal, faults, log: silentLogger });
  return tcpTwin.start({ upstream: `127.0.0.1:${upstreamPort}` }, ctx);
}

function portOf(twin: RunningTwin): number {
  return Number(twin.endpoints.address?.split(':').at(-1));
}

interface Peer {
  next<T>(): Promise<T>;
  run<T>(job: Record<string, unknown>): Promise<T>;
  terminate(): Promise<number>;
}

function peer(role: 'servers' | 'client'): Peer {
  const worker = new Worker(new URL('./tcp-peers.mjs', import.meta.url), { workerData: { role } });
  // One job at a time per peer: the pending one gets the next message or the worker's error.
  let pending: { resolve(message: unknown): void; reject(error: Error): void } | undefined;
  worker.on('message', (message: { error?: string }) => {
    const waiting = pending;
    pending = undefined;
    if (message.error) waiting?.reject(new Error(message.error));
    else waiting?.resolve(message);
  });
  worker.on('error', (error) => pending?.reject(error));
  const next = <T>(): Promise<T> =>
    new Promise<unknown>((resolve, reject) => {
      pending = { resolve, reject };
    }) as Promise<T>;
  return {
    next,
    run: <T>(job: Record<string, unknown>) => {
      const reply = next<T>();
      worker.postMessage(job);
      return reply;
    },
    terminate: () => worker.terminate(),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await tcpBench()) console.log(JSON.stringify(row));
}
