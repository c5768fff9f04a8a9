// `standin serve`: the control plane until Ctrl-C.
import { LIMITS, limitFlag, parsePortRange, resolveLimits, type LimitName } from '../core/index.ts';
import { DEFAULT_PORT, startStandin } from '../server-process.ts';
import { stderrLogger } from './logger.ts';
import { parseCommand } from './args.ts';
import { stopOnSignal } from './shutdown.ts';

export async function serveCommand(args: string[]): Promise<void> {
  const { values } = parseCommand(args, {
    port: { type: 'string', default: String(DEFAULT_PORT) },
    host: { type: 'string', default: '127.0.0.1' },
    'admin-token': { type: 'string' },
    'twin-host': { type: 'string' },
    'twin-ports': { type: 'string' },
    'advertise-host': { type: 'string' },
    'files-root': { type: 'string' },
    verbose: { type: 'boolean', default: false },
    ...limitOptions(),
  });
  const log = stderrLogger(values.verbose === true);
  const server = await startStandin({
    host: values.host as string,
    port: parsePort(values.port as string),
    adminToken: (values['admin-token'] as string | undefined) ?? process.env.STANDIN_ADMIN_TOKEN,
    twinHost: values['twin-host'] as string | undefined,
    twinPorts: flagOrEnv(values, 'twin-ports', 'STANDIN_TWIN_PORTS', parsePortRange),
    advertiseHost: flagOrEnv(values, 'advertise-host', 'STANDIN_ADVERTISE_HOST', (text) => text),
    filesRoot: (values['files-root'] as string | undefined) ?? process.env.STANDIN_FILES_ROOT,
    limits: limitsFrom(values),
    log,
    httpLog: values.verbose === true,
  });
  process.stdout.write(`Standin listening on ${server.url} (API docs: ${server.url}/docs, dashboard: ${server.url}/ui)\n`);
  await stopOnSignal(
    async () => {
      process.stdout.write('Standin stopping…\n');
      await server.close();
    },
    { describe: () => `${server.manager.list().length} environment(s) not yet destroyed` },
  );
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: ${text} is not a port number`);
  return port;
}

/** `--flag`'s value, else `envVar`'s, parsed (an error names whichever was given); undefined when neither is set. */
function flagOrEnv<T>(values: Record<string, unknown>, flag: string, envVar: string, parse: (text: string, source: string) => T): T | undefined {
  const given = values[flag];
  if (typeof given === 'string') return parse(given, `--${flag}`);
  const text = process.env[envVar];
  return text === undefined || text === '' ? undefined : parse(text, envVar);
}

/** One `--limit-<name> N` flag per limit of src/core/limits.ts. */
function limitOptions(): Record<string, { type: 'string' }> {
  return Object.fromEntries((Object.keys(LIMITS) as LimitName[]).map((name) => [limitFlag(name).slice(2), { type: 'string' as const }]));
}

function limitsFrom(values: Record<string, unknown>): ReturnType<typeof resolveLimits> {
  const overrides: Partial<Record<LimitName, string>> = {};
  for (const name of Object.keys(LIMITS) as LimitName[]) {
    const value = values[limitFlag(name).slice(2)];
    if (typeof value === 'string') overrides[name] = value;
  }
  return resolveLimits(overrides);
}
