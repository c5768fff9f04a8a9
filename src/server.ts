// `standin/server`: a Standin control plane inside the caller's process, for test runners
// (a vitest/jest globalSetup starts one, hands its url to the tests, closes it at the end).
import { resolveLimits, silentLogger, type Limits, type Logger } from './core/index.ts';
import { startStandin } from './server-process.ts';

export interface StartServerOptions {
  /** Default 0: a free port, read back from `url`. */
  port?: number;
  /** Default 127.0.0.1; anything else needs `adminToken`. */
  host?: string;
  adminToken?: string;
  /** The folder twin configs may read files from (postgres `init`, http `handlers`); none when absent. */
  filesRoot?: string;
  /**
   * Limits to set (docs/limits.md, e.g. `{ journalBytes: 256 * 1024 * 1024 }`), over the
   * `STANDIN_LIMIT_*` env vars and the defaults, as the CLI's `--limit-*` flags are. A value that is
   * not a positive integer, or a name that is no limit, throws a RangeError naming it.
   */
  limits?: Partial<Limits>;
  /** Default: silent. */
  log?: Logger;
}

export interface RunningServer extends AsyncDisposable {
  /** The control API, e.g. `http://127.0.0.1:41234`: hand it to `new Standin({ url })`. */
  url: string;
  /** Destroys every environment (their twins stop) and stops listening. */
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const server = await startStandin({
    host: options.host,
    port: options.port ?? 0,
    adminToken: options.adminToken,
    filesRoot: options.filesRoot,
    limits: resolveLimits(options.limits, process.env, (name) => `limits.${name}`),
    log: options.log ?? silentLogger,
  });
  return { url: server.url, close: server.close, [Symbol.asyncDispose]: server.close };
}
