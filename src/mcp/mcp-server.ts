// Standin as an MCP server: tools/list answers the tools with their JSON Schemas, tools/call checks
// the arguments against the same schemas and runs the tool on a backend. A tool that fails answers a
// tool error (isError) whose text is `STANDIN_ERR_…: message`, the message naming the field at fault,
// so the agent can correct itself; only an unknown tool name is a protocol error.
//
// The low-level `Server` is used rather than `McpServer` because McpServer's registerTool takes zod
// schemas; the tool inputs here are the API's TypeBox schemas, which already are JSON Schema.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { StandinError, checkSchema, isStandinError, type Logger } from '../core/index.ts';
import { isStandinApiError } from '../sdk/index.ts';
import type { StandinBackend } from './standin-backend.ts';
import { tools, type ToolDefinition } from './tools.ts';

export interface McpServerOptions {
  backend: StandinBackend;
  version: string;
  log: Logger;
}

const INSTRUCTIONS = `Standin runs stand-ins ("twins") for the services a system depends on — postgres, kafka, oidc, stripe, http, tcp — on real ports, injects protocol-level faults on a seeded schedule and records every interaction in a journal.
Typical use: list_kinds → create_environment (twins by name; the answer has each twin's endpoints and the env vars for the system under test) → add_fault → exercise the system → query_journal / inspect_twin → destroy_environment. run_scenario runs a whole scenario file (twins, faults, a command, expectations) and answers its report.`;

export function createMcpServer({ backend, version, log }: McpServerOptions): Server {
  const server = new Server({ name: 'standin', version }, { capabilities: { tools: {} }, instructions: `${INSTRUCTIONS}\nEnvironments live in ${backend.where}.` });
  const byName = new Map(tools.map((tool) => [tool.name, tool]));

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: tools.map(describeTool) }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `no tool ${request.params.name}; tools: ${[...byName.keys()].join(', ')}`);
    const input = request.params.arguments ?? {};
    try {
      const problem = checkSchema(tool.input, input)[0];
      if (problem) throw new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `${problem.field}: ${problem.detail}` });
      const { result, summary } = await tool.run(backend, input);
      const json = JSON.stringify(result, null, 2);
      return {
        content: summary === undefined ? [{ type: 'text', text: json }] : [{ type: 'text', text: summary }, { type: 'text', text: json }],
        structuredContent: result,
      };
    } catch (error) {
      const text = errorText(error);
      if (!isStandinError(error) && !isStandinApiError(error)) log.error('tool failed', { tool: tool.name, error: String((error as Error).stack ?? error) });
      return { isError: true, content: [{ type: 'text', text }] };
    }
  });
  return server;
}

function describeTool(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    description: tool.description,
    // TypeBox schemas are JSON Schema plus symbol-keyed metadata, which serializing drops.
    inputSchema: JSON.parse(JSON.stringify(tool.input)) as Tool['inputSchema'],
    annotations: tool.hints,
  };
}

function errorText(error: unknown): string {
  if (isStandinError(error) || isStandinApiError(error)) return `${error.code}: ${error.message}`;
  const cause = (error as Error).cause instanceof Error ? `: ${((error as Error).cause as Error).message}` : '';
  return `STANDIN_ERR_API_INTERNAL: ${(error as Error).message}${cause}`;
}
