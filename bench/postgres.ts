// postgres twin figures, one run: node `pg` SELECT-by-primary-key round trips and pgbench
// select-only TPS, each three ways — direct to the embedded PostgreSQL, through a bare pipe proxy
// (no parsing: the floor any proxy pays here), and through the twin with no rules — plus the pg
// loop through a twin with one query rule that matches nothing. The pg loop takes the paths in
// turn query by query, and pgbench runs rounds with the twin's turn right beside the bare pipe's
// (its ratio is the median of per-round ratios), so a shared machine's noise hits all alike.
// All paths reach PostgreSQL the same way (its unix socket), so "added" is what the proxy in front
// costs; the client runs in a worker thread. Also twin create/reset with a 10-table schema, and the
// server's first-ever (initdb) and warm start.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { defaultCacheDir, silentLogger } from '../src/core/index.ts';
import { embeddedServer } from '../twins/postgres/embedded-server.ts';
import { postgresTwin } from '../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../test/support/twin-harness.ts';
import { runFuzz } from '../test/postgres/fuzz-run.ts';
import { percentile, type BenchRow } from './bench-row.ts';
import { inGroups, median } from './support/rounds.ts';

const execFileAsync = promisify(execFile);
/** Round trips per path; the paths take turns query by query (see postgres-client.mjs). */
const ROUND_TRIPS = Number(process.env.BENCH_PG_ROUND_TRIPS ?? 20_000);
const PGBENCH_SECONDS = Number(process.env.BENCH_PG_SECONDS ?? 3);
const PGBENCH_ROUNDS = 10;
const KEYS = 1_000;
const FUZZ_FRAMES = Number(process.env.BENCH_PG_FUZZ_FRAMES ?? 1_000_000);

const SCHEMA_10_TABLES = Array.from(
  { length: 10 },
  (_, i) => `CREATE TABLE t${i} (id bigserial PRIMARY KEY, name text NOT NULL, created timestamptz DEFAULT now(), n int);
CREATE INDEX t${i}_name ON t${i} (name);
INSERT INTO t${i} (name, n) SELECT 'row' || g, g FROM generate_series(1, 100) g;`,
).join('\n');

type Path = 'direct' | 'bare pipe' | 'twin' | 'twin, 1 rule';
interface Target {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** libpq's keyword/value form, which (unlike a URL) takes a socket directory as host. */
function conninfo(t: Target): string {
  const q = (v: string | number): string => `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `host=${q(t.host)} port=${q(t.port)} user=${q(t.user)} password=${q(t.password)} dbname=${q(t.database)}`;
}

export default async function postgresBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  rows.push(...(await startFigures()));

  const init = [`CREATE TABLE kv (id int PRIMARY KEY, v text); INSERT INTO kv SELECT g, md5(g::text) FROM generate_series(1, ${KEYS}) g;`];
  const h = await startTwin(postgresTwin, { init }, { name: 'bench' });
  // The same twin with a query rule that matches nothing: every statement is classified and decided.
  const ruled = await startTwin(postgresTwin, { init }, { name: 'bench-rule' });
  ruled.addRule({ point: 'query', match: { table: 'no_such_table' }, action: { error: { sqlstate: '40001' } } });
  await new Promise((r) => setTimeout(r, 1_000)); // let the twin's background clones finish first
  const server = await embeddedServer(defaultCacheDir(), silentLogger);
  const pipe = await bareProxy(`${server.socketDir}/.s.PGSQL.${server.port}`);
  // Every path reaches PostgreSQL over the same unix socket; what differs is what sits in front.
  const direct = new URL(h.twin.endpoints.directUrl as string);
  const login = { user: decodeURIComponent(direct.username), password: decodeURIComponent(direct.password), database: direct.pathname.slice(1) };
  const twinTarget = (t: TwinHarness): Target => {
    const url = new URL(t.twin.endpoints.url as string);
    return { host: url.hostname, port: Number(url.port), user: url.username, password: decodeURIComponent(url.password), database: url.pathname.slice(1) };
  };
  const targets: Record<Path, Target> = {
    direct: { host: server.socketDir, port: server.port, ...login },
    'bare pipe': { host: '127.0.0.1', port: (pipe.address() as net.AddressInfo).port, ...login },
    twin: twinTarget(h),
    'twin, 1 rule': twinTarget(ruled),
  };
  const paths = Object.keys(targets) as Path[];
  const worker = new Worker(new URL('./postgres-client.mjs', import.meta.url));
  try {
    const out = await run<{ samples: Float64Array[] }>(worker, { targets: paths.map((p) => targets[p]), count: ROUND_TRIPS, warmup: 500, keys: KEYS });
    const samples = Object.fromEntries(paths.map((p, i) => [p, [...(out.samples[i] as Float64Array)].sort((a, b) => a - b)])) as Record<Path, number[]>;
    for (const q of [50, 99]) {
      const d = percentile(samples.direct, q);
      const added = (path: Path): number => percentile(samples[path], q) - d;
      const baseline = { name: 'bare pipe added', value: round1(added('bare pipe')) };
      const name = `pg SELECT by PK, added latency p${q} (direct p${q} ${d.toFixed(0)} µs)`;
      rows.push({ name, unit: 'µs', standin: round1(added('twin')), baseline, goal: '≤ 1.2× bare pipe', met: added('twin') <= 1.2 * added('bare pipe') });
      rows.push({ name: `${name}, one query rule that matches nothing`, unit: 'µs', standin: round1(added('twin, 1 rule')), baseline });
    }
    const { 'twin, 1 rule': _, ...noRule } = targets;
    rows.push(...(await pgbenchFigures(noRule)));
    rows.push(...(await createResetFigures()));
    rows.push(...(await fuzzFigures()));
  } finally {
    await worker.terminate();
    pipe.close();
    await h.stop();
    await ruled.stop();
  }
  return rows;
}

async function startFigures(): Promise<BenchRow[]> {
  // A fresh cache dir in a child process: its first start runs initdb, its second reuses the cluster.
  const cache = mkdtempSync(join(tmpdir(), 'standin-bench-pg-'));
  chmodSync(cache, 0o755);
  const fixture = fileURLToPath(new URL('../test/postgres/fixtures/start-server.ts', import.meta.url));
  const start = async (): Promise<{ initdbMs: number; startMs: number }> => {
    const { stdout } = await execFileAsync('node', ['bin/run-ts.js', fixture, cache], { timeout: 120_000 });
    return JSON.parse(stdout.trim().split('\n').at(-1) as string);
  };
  try {
    const cold = await start();
    const warm = await start();
    return [
      { name: 'embedded server first-ever start (initdb + copy + start)', unit: 'ms', standin: Math.round(cold.startMs) },
      { name: 'embedded server warm start (cached cluster)', unit: 'ms', standin: Math.round(warm.startMs), baseline: { name: 'first-ever', value: Math.round(cold.startMs) } },
    ];
  } finally {
    await new Promise((r) => setTimeout(r, 1_000)); // the children's watchdogs remove their run dirs
    rmSync(cache, { recursive: true, force: true });
  }
}

/**
 * Create and reset with a 10-table schema. The first twin of an init builds its template (init +
 * CREATE DATABASE); later ones take a clone made ahead. Operations are spaced by SPACING_MS, as
 * environments are created in practice, so the background clones are ready: back-to-back creates
 * beyond the ready pool pay a full clone, and that is reported too.
 */
async function createResetFigures(): Promise<BenchRow[]> {
  const SPACING_MS = 300;
  const creates: number[] = [];
  const burst: number[] = [];
  const resets: number[] = [];
  const twins: TwinHarness[] = [];
  const timed = async (into: number[], f: () => Promise<unknown>): Promise<void> => {
    const t = performance.now();
    await f();
    into.push(performance.now() - t);
  };
  let first = 0;
  try {
    await timed(creates, async () => twins.push(await startTwin(postgresTwin, { init: [SCHEMA_10_TABLES] }, { name: 'create0' })));
    first = creates.pop() as number;
    for (let i = 1; i < 8; i++) {
      await new Promise((r) => setTimeout(r, SPACING_MS));
      await timed(creates, async () => twins.push(await startTwin(postgresTwin, { init: [SCHEMA_10_TABLES] }, { name: `create${i}` })));
    }
    for (let i = 0; i < 6; i++) await timed(burst, async () => twins.push(await startTwin(postgresTwin, { init: [SCHEMA_10_TABLES] }, { name: `burst${i}` })));
    const twin = twins[0] as TwinHarness;
    for (let i = 0; i < 9; i++) {
      await new Promise((r) => setTimeout(r, SPACING_MS));
      await twin.twin.actions?.sql?.({ sql: 'DELETE FROM t0; DELETE FROM t9' });
      await timed(resets, () => twin.twin.reset());
    }
  } finally {
    for (const t of twins) await t.stop();
  }
  const p50 = (xs: number[]): number => round1(percentile(xs.sort((a, b) => a - b), 50));
  return [
    { name: 'twin create, 10-table schema, first with this init (builds the template)', unit: 'ms', standin: round1(first) },
    { name: `twin create, 10-table schema, p50 (spaced ${SPACING_MS} ms)`, unit: 'ms', standin: p50(creates), goal: '≤ 100 ms', met: p50(creates) <= 100 },
    { name: 'twin create, 10-table schema, p50 back-to-back burst of 6', unit: 'ms', standin: p50(burst) },
    { name: `twin reset, 10-table schema, p50 (spaced ${SPACING_MS} ms)`, unit: 'ms', standin: p50(resets), goal: '≤ 100 ms', met: p50(resets) <= 100 },
  ];
}

async function pgbenchFigures(targets: Record<Exclude<Path, 'twin, 1 rule'>, Target>): Promise<BenchRow[]> {
  try {
    await execFileAsync('pgbench', ['--version']);
  } catch {
    return [{ name: 'pgbench select-only: pgbench not installed (Debian: postgresql-15 or postgresql-contrib)', unit: 'tps', standin: NaN }];
  }
  await execFileAsync('pgbench', ['-i', '-s', '1', '-q', conninfo(targets.direct)]);
  const paths = Object.keys(targets) as Array<keyof typeof targets>;
  const pgbench = async (path: keyof typeof targets, seconds: number): Promise<number> => {
    const { stdout } = await execFileAsync('pgbench', ['-S', '-n', '-c', '8', '-j', '2', '-T', String(seconds), conninfo(targets[path])]);
    const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
    return m ? Number(m[1]) : NaN;
  };
  for (const path of paths) await pgbench(path, 1); // warm-up, not counted
  // The twin's turn right beside the bare pipe's it is divided by; the pair and direct take turns going first.
  const { samples: tps } = await inGroups<keyof typeof targets, number>([['twin', 'bare pipe'], ['direct']], PGBENCH_ROUNDS, (path) => pgbench(path, PGBENCH_SECONDS));
  const med = (p: keyof typeof targets): number => Math.round(median(tps[p]));
  const ratios = tps.twin.map((t, i) => t / (tps['bare pipe'][i] as number));
  const ratio = median(ratios);
  return [
    { name: 'pgbench -S, 8 clients: twin vs bare pipe', unit: 'tps', standin: med('twin'), baseline: { name: 'bare pipe', value: med('bare pipe') } },
    {
      name: `pgbench -S, 8 clients: twin ÷ bare pipe tps, median of ${PGBENCH_ROUNDS} per-round ratios × ${PGBENCH_SECONDS} s (per-round ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
      unit: '×',
      standin: Math.round(ratio * 100) / 100,
      goal: '≥ 0.9× bare pipe',
      met: ratio >= 0.9,
    },
    { name: 'pgbench -S, 8 clients: twin vs direct', unit: 'tps', standin: med('twin'), baseline: { name: 'direct', value: med('direct') } },
  ];
}

/** The fuzz test's run at a larger scale; the twin must still answer a client afterwards. */
async function fuzzFigures(): Promise<BenchRow[]> {
  const h = await startTwin(postgresTwin, { auth: 'trust' }, { name: 'fuzz' });
  try {
    const t = performance.now();
    const run = await runFuzz(Number(new URL(h.twin.endpoints.url as string).port), FUZZ_FRAMES, 4242);
    const seconds = (performance.now() - t) / 1000;
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: h.twin.endpoints.url as string });
    await client.connect();
    const alive = (await client.query('SELECT 1 AS ok')).rows[0]?.ok === 1;
    await client.end();
    const name = `fuzz: ${run.sent.toLocaleString('en-US')} random/mutated frames over ${run.connections.toLocaleString('en-US')} connections, ${run.timedOut} hung, twin still serving: ${alive ? 'yes' : 'NO'}`;
    return [{ name, unit: 'frames/s', standin: Math.round(run.sent / seconds), met: alive && run.timedOut === 0 }];
  } finally {
    await h.stop();
  }
}

function bareProxy(socketPath: string): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer({ noDelay: true }, (client) => {
      const upstream = net.connect(socketPath);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function run<T>(worker: Worker, job: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { ok?: T; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m.ok as T)));
    worker.postMessage(job);
  });
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await postgresBench();
  for (const row of rows) console.log(JSON.stringify(row));
  await postgresTwin.shutdown?.();
  process.exit(0);
}
