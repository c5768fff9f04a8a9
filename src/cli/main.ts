// The `standin` command line: serve the control plane, bring up a file's environment, run scenarios.
// Each command's module is imported only when that command runs, so `standin --help` (and every
// `standin <command> --help`) answers without loading the server.
import { VERSION } from '../version.ts';

interface Command {
  usage: string;
  run(args: string[]): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  serve: {
    usage: `  standin serve [--port 4510] [--host 127.0.0.1] [--admin-token T] [--verbose]
                [--files-root DIR] [--twin-host IP] [--limit-<name> N]
                [--twin-ports 45000-45099] [--advertise-host HOST]
      Run the control API (REST, OpenAPI UI at /docs, document at /docs/json). Prints the URL
      it listens on. Twins' config files are read under --files-root only; twins bind loopback
      unless there is an admin token. Limits: docs/limits.md. In a container: twins
      take ports from --twin-ports, endpoints name --advertise-host (docker/).
`,
    run: async (args) => (await import('./serve-command.ts')).serveCommand(args),
  },
  up: {
    usage: `  standin up <scenario.yaml> [--port 0] [--verbose]
      Start the environment in the file's twins: and faults: sections (not setup:, run:, steps:
      or expect:), print endpoints, env and the control API's URL and token (a free port unless
      --port), keep it up until Ctrl-C (then tear it down).
`,
    run: async (args) => (await import('./up-command.ts')).upCommand(args),
  },
  run: {
    usage: `  standin run <file | dir | glob>… [--concurrency N] [--seed N] [--junit out.xml] [--json out.json]
      Run scenario files: start each one's twins, run its command, check its expectations.
      Prints a report (with each scenario's seed and a replay command); exits 1 on failure.
`,
    run: async (args) => (await import('./run-command.ts')).runCommand(args),
  },
  explore: {
    usage: `  standin explore <scenario.yaml> [--budget 200] [--concurrency 2] [--seed N] [--out explore-out]
                  [--max-failures 1] [--junit out.xml] [--json out.json]
      Search the faults that could break a passing scenario's invariants: one run without
      faults, then each twin kind's faults at each interaction it had, singly, then in pairs.
      Writes each failure, shrunk, as a scenario file under --out; exits 1 when one broke.
`,
    run: async (args) => (await import('./explore-command.ts')).exploreCommand(args),
  },
  mcp: {
    usage: `  standin mcp [--url http://127.0.0.1:4510] [--admin-token T] [--files-root DIR] [--verbose]
      An MCP server over stdio for agents: environments, faults, journal, scenarios as tools.
      Environments live in this process, or on the control API at --url. The files an
      agent names (scenario files, init SQL, handler modules) must lie under --files-root.
`,
    run: async (args) => (await import('./mcp-command.ts')).mcpCommand(args),
  },
};

const ENVIRONMENT = `Environment: STANDIN_ADMIN_TOKEN (admin token), STANDIN_FILES_ROOT (--files-root), STANDIN_LIMIT_* (limits),
STANDIN_CACHE_DIR (caches, e.g. the PostgreSQL cluster), STANDIN_TWIN_PORTS, STANDIN_ADVERTISE_HOST,
STANDIN_STOP_GRACE_MS (how long serve and up may take to stop on a signal, default 4000).
`;

export const USAGE = `standin ${VERSION} — protocol-native twins of the services your system depends on

Usage:
${Object.values(COMMANDS).map((c) => c.usage).join('')}  standin <command> --help | standin --help | --version

${ENVIRONMENT}`;

/** One command's usage, for `standin <command> --help`. */
export function commandUsage(name: string): string | undefined {
  const command = COMMANDS[name];
  return command && `Usage:\n${command.usage}\n${ENVIRONMENT}`;
}

const HELP = new Set(['--help', '-h']);

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || HELP.has(command) || command === 'help') {
      // `standin help up` as well as `standin up --help`.
      process.stdout.write((rest[0] !== undefined && commandUsage(rest[0])) || USAGE);
      return;
    }
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${VERSION}\n`);
      return;
    }
    const known = COMMANDS[command];
    if (!known) {
      process.stderr.write(`standin: unknown command ${command}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    // Before the command parses its flags: `--help` anywhere asks for usage, not for a run.
    if (rest.some((arg) => HELP.has(arg))) {
      process.stdout.write(commandUsage(command) as string);
      return;
    }
    await known.run(rest);
  } catch (error) {
    // Imported here, not above: --help must not pay for loading src/core.
    const { isStandinError } = await import('../core/index.ts');
    const message = isStandinError(error) ? `${error.code}: ${error.message}` : (error as Error).message;
    process.stderr.write(`standin: ${message}\n`);
    process.exitCode = isStandinError(error) && error.statusCode < 500 ? 2 : 1;
  }
}
