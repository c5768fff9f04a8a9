// `standin mcp` driven by the MCP SDK's own client over stdio, as an agent's host would: tools with
// their schemas, an http twin hit with fetch, a fault seen in the journal, a scenario report, and
// bad input answered with a tool error naming the field. Then the same through `--url`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/index.ts';
import { startStandin, type StandinServer } from '../../src/server-process.ts';

const bin = new URL('../../bin/standin.js', import.meta.url).pathname;

interface Session {
  client: Client;
  /** Anything on stdout that was not a protocol message shows up here. */
  protocolErrors: Error[];
  stderr: () => string;
  call(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  fail(name: string, args?: Record<string, unknown>): Promise<string>;
}

async function connect(args: string[] = []): Promise<Session> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', ...args], stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'standin-test', version: '1.0.0' });
  const protocolErrors: Error[] = [];
  client.onerror = (error) => protocolErrors.push(error);
  await client.connect(transport);
  const invoke = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await client.callTool({ name, arguments: args });
    const texts = (result.content as Array<{ type: string; text: string }>).map((c) => c.text);
    return { result, texts };
  };
  return {
    client,
    protocolErrors,
    stderr: () => stderr,
    async call(name, args) {
      const { result, texts } = await invoke(name, args);
      if (result.isError) throw new Error(`${name} failed: ${texts.join('\n')}`);
      // The JSON text and the structured content say the same.
      expect(JSON.parse(texts.at(-1)!)).toEqual(result.structuredContent);
      return result.structuredContent as Record<string, unknown>;
    },
    async fail(name, args) {
      const { result, texts } = await invoke(name, args);
      expect(result.isError, `${name} should fail, answered ${texts.join('\n')}`).toBe(true);
      return texts.join('\n');
    },
  };
}

const forecastStub = {
  request: { method: 'GET', path: '/forecast/:city' },
  response: { status: 200, body: { city: '{{request.params.city}}', temp: 21 } },
};

describe('standin mcp (environments in its own process)', () => {
  let mcp: Session;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'standin-mcp-'));
    // The agent may name scenario files under this folder only (test/hostile/access-files.test.ts).
    mcp = await connect(['--files-root', dir]);
  });
  afterAll(async () => {
    await mcp?.client.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists its tools, each with a JSON Schema input taken from the API schemas', async () => {
    const { tools } = await mcp.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual([
      'list_kinds',
      'create_environment',
      'list_environments',
      'get_environment',
      'destroy_environment',
      'reset_environment',
      'add_fault',
      'list_faults',
      'remove_fault',
      'query_journal',
      'inspect_twin',
      'twin_action',
      'run_scenario',
      'explore',
    ]);
    const create = tools.find((t) => t.name === 'create_environment')!;
    expect(Object.keys(create.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['twins', 'seed', 'faults']));
    const addFault = tools.find((t) => t.name === 'add_fault')!;
    expect(addFault.inputSchema).toMatchObject({ required: ['environment', 'rule'], properties: { rule: { required: ['twin', 'point', 'action'] } } });

    const { kinds } = (await mcp.call('list_kinds')) as { kinds: Array<{ kind: string; points: Record<string, { actions: string[] }> }> };
    expect(kinds.find((k) => k.kind === 'http')?.points.request?.actions).toEqual(expect.arrayContaining(['error', 'delay', 'disconnect']));
    const http = await mcp.call('list_kinds', { kind: 'http' });
    expect(http).toMatchObject({ kind: 'http', config: { type: 'object' } });
  });

  it('creates an http twin, injects a fault the twin answers with, and finds it in the journal', async () => {
    const env = await mcp.call('create_environment', { seed: 7, twins: { api: { kind: 'http', stubs: [forecastStub] } } });
    expect(env).toMatchObject({ seed: 7, twins: { api: { kind: 'http' } } });
    expect(env).not.toHaveProperty('token');
    const id = env.id as string;
    const url = (env.twins as Record<string, { endpoints: { url: string } }>).api!.endpoints.url;

    const rule = await mcp.call('add_fault', {
      environment: id,
      rule: { twin: 'api', point: 'request', match: { path: '/forecast/oslo' }, action: { error: { status: 503 } }, trigger: { times: 1 } },
    });
    expect(rule).toMatchObject({ id: 'r1', fired: 0 });
    expect((await fetch(`${url}/forecast/oslo`)).status).toBe(503);
    expect(await (await fetch(`${url}/forecast/oslo`)).json()).toEqual({ city: 'oslo', temp: 21 });

    const journal = (await mcp.call('query_journal', { environment: id, twin: 'api', type: 'fault' })) as { events: Array<{ fault?: { rule: string; action: string } }> };
    expect(journal.events.map((e) => e.fault)).toEqual([{ rule: 'r1', action: 'error' }]);
    expect(await mcp.call('list_faults', { environment: id })).toMatchObject({ rules: [{ id: 'r1', fired: 1, matched: 2 }] });

    const inspected = (await mcp.call('inspect_twin', { environment: id, twin: 'api', query: { path: '/forecast/oslo' } })) as {
      state: { requests: Array<{ status: number }> };
    };
    expect(inspected.state.requests.map((r) => r.status)).toEqual([503, 200]);

    const stub = (await mcp.call('twin_action', {
      environment: id,
      twin: 'api',
      verb: 'add-stub',
      params: { request: { method: 'GET', path: '/ping' }, response: { body: 'pong' } },
    })) as { result: { id: string } };
    expect(stub.result.id).toMatch(/\S/);
    expect(await (await fetch(`${url}/ping`)).text()).toBe('pong');

    await mcp.call('remove_fault', { environment: id, ruleId: 'r1' });
    expect(await mcp.call('reset_environment', { environment: id })).toMatchObject({ id });
    expect((await fetch(`${url}/ping`)).status).toBe(404);
    expect(await mcp.call('list_environments')).toMatchObject({ environments: [{ id, twins: { api: 'http' } }] });
    expect(await mcp.call('get_environment', { environment: id })).toMatchObject({ id, seed: 7 });

    await mcp.call('destroy_environment', { environment: id });
    await expect(fetch(`${url}/ping`)).rejects.toThrow();
    expect(await mcp.fail('get_environment', { environment: id })).toBe(`STANDIN_ERR_ENV_NOT_FOUND: environment ${id} not found`);
    expect(mcp.protocolErrors).toEqual([]);
  });

  it('runs a scenario given inline or as a file and answers its report', async () => {
    const yaml = ['name: exits cleanly', 'twins: {}', "run: { command: 'true' }", 'expect: [{ exitCode: 0 }]'].join('\n');
    const report = await mcp.call('run_scenario', { yaml, seed: 5 });
    expect(report).toMatchObject({ name: 'exits cleanly', status: 'passed', seed: 5, expectations: [{ type: 'exitCode', passed: true }] });

    const failing = await mcp.call('run_scenario', { yaml: yaml.replace('exitCode: 0', 'exitCode: 3') });
    expect(failing).toMatchObject({ status: 'failed', expectations: [{ passed: false }] });

    const file = join(dir, 'api.yaml');
    await writeFile(
      file,
      [
        'name: the twin answers the command',
        'twins:',
        '  api: { kind: http, stubs: [{ request: { method: GET, path: /hi }, response: { body: hello } }] }',
        'run: { command: node -e "fetch(process.env.HTTP_API_URL + \'/hi\').then(r => r.text()).then(console.log)" }',
        'expect:',
        '  - stdout: { contains: hello }',
        '  - http: { twin: api, path: /hi, count: 1 }',
      ].join('\n'),
    );
    const fromFile = await mcp.call('run_scenario', { file });
    expect(fromFile).toMatchObject({ file, status: 'passed' });
  });

  it('answers bad input with a tool error naming the field', async () => {
    expect(await mcp.fail('create_environment', { twins: { api: { kind: 'http', port: 'eighty' } } })).toMatch(
      /^STANDIN_ERR_TWIN_CONFIG_INVALID: twins\.api\.port: /,
    );
    expect(await mcp.fail('create_environment', { seed: -1, twins: {} })).toMatch(/^STANDIN_ERR_API_VALIDATION: invalid request: seed: /);

    const env = await mcp.call('create_environment', { name: 'bad-input', twins: { api: { kind: 'http' } } });
    try {
      expect(await mcp.fail('add_fault', { environment: 'bad-input', rule: { twin: 'api', point: 'request' } })).toBe(
        'STANDIN_ERR_API_VALIDATION: invalid request: rule.action: is required',
      );
      expect(await mcp.fail('add_fault', { environment: 'bad-input', rule: { twin: 'api', point: 'query', action: { hang: {} } } })).toMatch(
        /^STANDIN_ERR_FAULT_UNKNOWN_POINT: rule\.point: twin api \(http\) has no fault point query; its points: request, connection/,
      );
      expect(await mcp.fail('query_journal', { environment: env.id, limit: 0 })).toMatch(/^STANDIN_ERR_API_VALIDATION: invalid request: limit: /);
      expect(await mcp.fail('twin_action', { environment: env.id, twin: 'api', verb: 'add-stub', params: { request: { path: '/x' }, response: { status: 'ok' } } })).toMatch(
        /^STANDIN_ERR_API_VALIDATION: invalid request: params\.response\.status: /,
      );
      expect(await mcp.fail('list_faults', { environment: 'nope' })).toBe('STANDIN_ERR_ENV_NOT_FOUND: environment nope not found');
    } finally {
      await mcp.call('destroy_environment', { environment: env.id });
    }
    expect(await mcp.fail('run_scenario', { yaml: 'name: x\ntwins: {}\nexpect: [{ exitCod: 0 }]' })).toMatch(
      /^STANDIN_ERR_SCENARIO_INVALID: scenario\.yaml:3:\d+: expect\[0\]\.exitCod: unknown expectation/,
    );
    expect(await mcp.fail('run_scenario', {})).toMatch(/^STANDIN_ERR_API_VALIDATION: invalid request: yaml: /);
    expect(mcp.protocolErrors).toEqual([]);
  });
});

describe('standin mcp --url (environments on a running standin serve)', () => {
  let server: StandinServer;
  let mcp: Session;
  beforeAll(async () => {
    server = await startStandin({ port: 0, log: silentLogger });
    mcp = await connect(['--url', server.url]);
  });
  afterAll(async () => {
    await mcp?.client.close();
    await server?.close();
  });

  it('drives the server through the SDK and destroys what it created when it closes', async () => {
    const env = await mcp.call('create_environment', { name: 'remote', twins: { api: { kind: 'http', stubs: [forecastStub] } } });
    const id = env.id as string;
    expect(server.manager.get(id).twinNames()).toEqual(['api']);
    const url = (env.twins as Record<string, { endpoints: { url: string } }>).api!.endpoints.url;

    await mcp.call('add_fault', { environment: 'remote', rule: { twin: 'api', point: 'request', action: { error: { status: 418 } }, trigger: { times: 1 } } });
    expect((await fetch(`${url}/forecast/oslo`)).status).toBe(418);
    const journal = (await mcp.call('query_journal', { environment: id, type: 'fault' })) as { events: Array<{ fault?: { rule: string } }> };
    expect(journal.events.map((e) => e.fault?.rule)).toEqual(['r1']);

    expect(await mcp.fail('add_fault', { environment: id, rule: { twin: 'api', point: 'query', action: { hang: {} } } })).toMatch(
      /^STANDIN_ERR_FAULT_UNKNOWN_POINT: rule\.point: /,
    );
    const report = await mcp.call('run_scenario', { yaml: "name: remote run\ntwins: {}\nrun: { command: 'true' }\nexpect: [{ exitCode: 0 }]" });
    expect(report).toMatchObject({ status: 'passed' });

    // Another client's environment: listed, but its token is not this server's to use.
    const other = await server.manager.create({ twins: {} });
    expect((await mcp.call('list_environments')) as { environments: Array<{ id: string }> }).toMatchObject({
      environments: expect.arrayContaining([expect.objectContaining({ id: other.id })]),
    });
    expect(await mcp.fail('get_environment', { environment: other.id })).toMatch(/^STANDIN_ERR_API_UNAUTHORIZED: /);

    await mcp.client.close();
    expect(server.manager.find(id)).toBeUndefined();
    expect(server.manager.find(other.id)).toBeDefined();
    expect(mcp.protocolErrors).toEqual([]);
  });
});
