// Start-up of the compiled CLI (dist/, as an installed package runs it), each figure against a
// baseline in the same run: `standin --help` against `node -e ''`, `standin serve` answering /health
// against a bare Fastify server answering the same route, `standin mcp` answering `initialize`
// against `node -e ''`. Rounds rotate the order so that no command always runs first (cold caches)
// or last. Builds dist/ first when it is missing or stale.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { percentile, type Bench, type BenchRow } from './bench-row.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/standin.js', import.meta.url));
const ROUNDS = 9;

const BARE_FASTIFY = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write('listening on http://127.0.0.1:' + app.server.address().port + '\\n');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } },
})}\n`;

type Probe = () => Promise<number>;

/** Milliseconds from spawn to exit. */
function untilExit(args: string[]): Probe {
  return () =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore', env: { ...process.env, STANDIN_FROM: 'dist' } });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`${args.join(' ')} exited ${code}`))));
    });
}

/** Milliseconds from spawn to the first 200 of GET /health, the URL read from its stdout. */
function untilHealthy(args: string[]): Probe {
  return async () => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, STANDIN_FROM: 'dist' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
          const match = /listening on (http:\/\/\S+?)[\s)]/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
      });
      const response = await fetch(`${url}/health`);
      if (response.status !== 200) throw new Error(`GET /health answered ${response.status}`);
      await response.text();
      return performance.now() - start;
    } finally {
      await stop(child);
    }
  };
}

/** Milliseconds from spawn to the answer of an MCP `initialize` written at once on stdin. */
function untilInitialized(args: string[]): Probe {
  return async () => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, STANDIN_FROM: 'dist' } });
    try {
      child.stdin.write(INITIALIZE);
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
          if (out.includes('"id":1')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
      });
      return performance.now() - start;
    } finally {
      child.stdin.end();
      await stop(child);
    }
  };
}

async function stop(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Builds dist/ when it is missing or older than the newest source file, so the figures are of this tree. */
function ensureDist(): void {
  const built = new URL('../dist/src/cli/main.js', import.meta.url);
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource()) return;
  process.stderr.write('startup bench: building dist/ (npm run build, about a minute)…\n');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

function newestSource(): number {
  let newest = 0;
  for (const dir of ['src', 'twins']) {
    for (const entry of readdirSync(new URL(`../${dir}`, import.meta.url), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
    }
  }
  return newest;
}

const bench: Bench = async () => {
  ensureDist();
  const probes: Record<string, Probe> = {
    nodeEmpty: untilExit(['-e', '']),
    help: untilExit([BIN, '--help']),
    fastify: untilHealthy(['--input-type=module', '-e', BARE_FASTIFY]),
    serve: untilHealthy([BIN, 'serve', '--port', '0']),
    mcp: untilInitialized([BIN, 'mcp']),
  };
  const names = Object.keys(probes);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  // One warm-up round (disk cache), not counted.
  for (const name of names) await probes[name]!();
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      samples.get(name)!.push(await probes[name]!());
    }
  }
  const p50 = (name: string): number => percentile([...samples.get(name)!].sort((a, b) => a - b), 50);
  const row = (name: string, figure: string, baseline: string, baselineName: string, goalMs: number): BenchRow => ({
    name: `${name} (p50 of ${ROUNDS})`,
    unit: 'ms',
    standin: p50(figure),
    baseline: { name: baselineName, value: p50(baseline) },
    goal: `≤ ${goalMs} ms`,
    met: p50(figure) <= goalMs,
  });
  return [
    row('standin --help, spawn to exit', 'help', 'nodeEmpty', "node -e ''", 150),
    row('standin serve, spawn to GET /health 200', 'serve', 'fastify', 'bare Fastify server', 400),
    row('standin mcp, spawn to initialize answered', 'mcp', 'nodeEmpty', "node -e ''", 500),
  ];
};

export default bench;
