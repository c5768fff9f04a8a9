// `standin mcp`: Standin as an MCP server over stdio, for agents. Its environments live in this
// process unless `--url` names a running `standin serve`. stdout carries protocol messages only;
// every log line goes to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { filesUnder, noFiles } from '../core/index.ts';
import { EnvironmentManager } from '../environments/environment-manager.ts';
import { defaultRegistry } from '../environments/default-kinds.ts';
import { LocalBackend } from '../mcp/local-backend.ts';
import { createMcpServer } from '../mcp/mcp-server.ts';
import { RemoteBackend } from '../mcp/remote-backend.ts';
import type { StandinBackend } from '../mcp/standin-backend.ts';
import { StandinClient } from '../sdk/index.ts';
import { VERSION } from '../version.ts';
import { parseCommand } from './args.ts';
import { stderrLogger } from './logger.ts';

export async function mcpCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, {
    url: { type: 'string' },
    'admin-token': { type: 'string' },
    'files-root': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new Error('usage: standin mcp [--url http://127.0.0.1:4510] [--admin-token T] [--files-root DIR] [--verbose]');
  // A library that logs with console.log would corrupt the protocol stream; its lines go to stderr.
  console.log = console.info = console.debug = (...parts: unknown[]) => console.error(...parts);

  const log = stderrLogger(values.verbose === true);
  const url = values.url as string | undefined;
  const adminToken = (values['admin-token'] as string | undefined) ?? process.env.STANDIN_ADMIN_TOKEN;
  // The files the agent may have read: scenario files, init SQL, msw handler modules (none without it).
  const filesRoot = (values['files-root'] as string | undefined) ?? process.env.STANDIN_FILES_ROOT;
  const backend: StandinBackend =
    url === undefined
      ? new LocalBackend(new EnvironmentManager({ registry: defaultRegistry(), log, filesRoot }))
      : new RemoteBackend(
          new StandinClient({ url, ...(adminToken === undefined ? {} : { adminToken }) }),
          filesRoot === undefined ? noFiles : filesUnder(filesRoot),
        );

  const server = createMcpServer({ backend, version: VERSION, log });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    let closing = false;
    const close = (): void => {
      if (closing) return;
      closing = true;
      // Twins hold ports (and perhaps a PostgreSQL server): stop them before leaving.
      void Promise.allSettled([server.close(), backend.close()]).then(() => resolve());
    };
    server.onclose = close;
    // The client ending stdin is how stdio sessions normally end; the transport does not watch for it.
    process.stdin.once('end', close);
    process.once('SIGINT', close);
    process.once('SIGTERM', close);
  });
  await server.connect(transport);
  log.info('standin mcp ready', { environments: backend.where });
  await closed;
}
