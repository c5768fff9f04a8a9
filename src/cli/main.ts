// The `standin` command line: serve the control plane, bring up a file's environment, run scenarios.
import { isStandinError } from '../core/index.ts';
import { VERSION } from '../version.ts';
import { serveCommand } from './serve-command.ts';
import { runCommand } from './run-command.ts';
import { upCommand } from './up-command.ts';

export const USAGE = `standin ${VERSION} — protocol-native twins of the services your system depends on

Usage:
  standin serve [--port 4510] [--host 127.0.0.1] [--admin-token T] [--verbose]
                [--files-root DIR] [--twin-host IP] [--limit-<name> N]
                [--twin-ports 45000-45099] [--advertise-host HOST]
      Run the control API (REST, OpenAPI at /docs). Prints the URL it listens on.
      Twins' config files are read under --files-root only; twins bind loopback
      unless there is an admin token. Limits: docs/limits.md. In a container: twins
      take ports from --twin-ports, endpoints name --advertise-host (docker/).
  standin up <scenario.yaml> [--port 0] [--verbose]
      Start the environment in the file's twins: section, print endpoints and env,
      keep it up until Ctrl-C (then tear it down).
  standin run <file | dir | glob>… [--concurrency N] [--seed N] [--junit out.xml] [--json out.json]
      Run scenario files: start each one's twins, run its command, check its expectations.
      Prints a report (with each scenario's seed and a replay command); exits 1 on failure.
  standin mcp [--url http://127.0.0.1:4510] [--admin-token T] [--files-root DIR] [--verbose]
      An MCP server over stdio for agents: environments, faults, journal, scenarios as tools.
      Environments live in this process, or on the control API at --url. The files an
      agent names (scenario files, init SQL, handler modules) must lie under --files-root.
  standin --help | --version

Environment: STANDIN_ADMIN_TOKEN (admin token), STANDIN_FILES_ROOT (--files-root), STANDIN_LIMIT_* (limits),
STANDIN_CACHE_DIR (caches, e.g. the PostgreSQL cluster), STANDIN_TWIN_PORTS, STANDIN_ADVERTISE_HOST.
`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(USAGE);
        return;
      case '--version':
      case '-v':
        process.stdout.write(`${VERSION}\n`);
        return;
      case 'serve':
        return await serveCommand(rest);
      case 'up':
        return await upCommand(rest);
      case 'run':
        return await runCommand(rest);
      case 'mcp': // loaded on demand: the other commands need not load the MCP SDK
        return await (await import('./mcp-command.ts')).mcpCommand(rest);
      default:
        process.stderr.write(`standin: unknown command ${command}\n\n${USAGE}`);
        process.exitCode = 2;
    }
  } catch (error) {
    const message = isStandinError(error) ? `${error.code}: ${error.message}` : (error as Error).message;
    process.stderr.write(`standin: ${message}\n`);
    process.exitCode = isStandinError(error) && error.statusCode < 500 ? 2 : 1;
  }
}
