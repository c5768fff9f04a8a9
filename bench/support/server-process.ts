// The bench side of a system under test running in a process of its own (bench/targets/*.ts): the
// load generator stays in the bench process, so client and server never share an event loop, and
// the server's CPU is read from /proc for its pid alone. The child prints one JSON line describing
// itself (URLs, keys), answers a stdin line `reset` (or another command it takes) with `{"ok":true}`
// once done, and exits when stdin ends. See serve-child.ts for the other side.
//
// The target runs as the installed package runs Standin: bundled by esbuild, npm packages left
// outside (scripts/bundle-dist.mjs builds dist/ the same way). Run through tsx instead, every named
// function a request creates pays a `__name` call (tsx compiles with keepNames), a cost users never
// see. BENCH_FROM=tsx runs the sources through tsx as before, to compare.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { processCpuMicros } from './proc-cpu.ts';

export interface ServerProcess<Info> {
  info: Info;
  pid: number;
  /** CPU the server process has used so far, µs. */
  cpuMicros(): number;
  reset(): Promise<void>;
  /** Sends one of the child's named commands (serve-child.ts) and waits until it is done. */
  command(name: string): Promise<void>;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

const bundles = new Map<string, Promise<string>>();

/**
 * The target bundled beside its own checkout's sources (before-after.ts starts another checkout's),
 * so its self-reference `standin/package.json` resolves there; once per script, however many
 * systems (twin, baseline) a bench starts from it.
 */
function bundled(script: URL): Promise<string> {
  const path = fileURLToPath(script);
  let outfile = bundles.get(path);
  if (outfile === undefined) {
    const file = fileURLToPath(new URL(`../.build/${basename(path, '.ts')}-${createHash('sha256').update(path).digest('hex').slice(0, 8)}.mjs`, script));
    outfile = build({ entryPoints: [path], outfile: file, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' }).then(() => file);
    bundles.set(path, outfile);
  }
  return outfile;
}

export async function startServerProcess<Info>(script: URL, args: string[] = []): Promise<ServerProcess<Info>> {
  const entry = process.env.BENCH_FROM === 'tsx' ? ['bin/run-ts.js', fileURLToPath(script)] : [await bundled(script)];
  const child = spawn(process.execPath, [...entry, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> =>
    Promise.race([
      new Promise<string>((resolve) => waiting.push(resolve)),
      exited.then((code) => Promise.reject(new Error(`${fileURLToPath(script)} ${args.join(' ')} exited (${code})`))),
    ]);
  const info = JSON.parse(await next()) as Info;
  const pid = child.pid as number;
  const command = async (name: string): Promise<void> => {
    const reply = next();
    child.stdin.write(`${name}\n`);
    await reply;
  };
  return {
    info,
    pid,
    cpuMicros: () => processCpuMicros(pid),
    reset: () => command('reset'),
    command,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}
