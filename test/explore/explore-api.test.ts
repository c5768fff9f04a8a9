// POST /scenarios/explore and the MCP `explore` tool: the same exploration as the CLI, its report
// fitting the exported schema, findings as scenario text; the budget bounded by the server.
import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/index.ts';
import { ExploreReportSchema } from '../../src/explore/explore-report.ts';
import { startControlPlane } from '../support/control-plane.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const bin = new URL('../../bin/standin.js', import.meta.url).pathname;

describe('POST /scenarios/explore', () => {
  it('answers the exploration report with the finding as scenario text', { timeout: 120_000 }, async () => {
    await using cp = await startControlPlane([], { limits: { ...DEFAULT_LIMITS, exploreRuns: 5 } });
    const scenario = await readFile(fixture('pay-naive.yaml'), 'utf8');
    // `file` names the fixture so the command runs from its folder.
    const { status, body } = await cp.call('POST', '/scenarios/explore', { body: { scenario, file: fixture('pay-naive.yaml'), budget: 3 } });
    expect(status).toBe(200);
    expect([...Value.Errors(ExploreReportSchema, body)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    expect(body).toMatchObject({ status: 'violated', seed: 7, budget: 3 });
    expect(body.findings[0].reproduced).toBe(true);
    expect(body.findings[0].scenario).toMatch(/\nfaults:\n {2}- id: explore-1\n/);
    expect(body.findings[0].path).toBeUndefined();
  });

  it('refuses a budget past --limit-explore-runs and bad fields with a 400 naming the field', { timeout: 60_000 }, async () => {
    await using cp = await startControlPlane([], { limits: { ...DEFAULT_LIMITS, exploreRuns: 5 } });
    const scenario = await readFile(fixture('pay.yaml'), 'utf8');
    const tooMany = await cp.call('POST', '/scenarios/explore', { body: { scenario, budget: 6 } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ code: 'STANDIN_ERR_LIMIT_EXPLORE_RUNS', message: /^budget: 6 is more runs .*\(5, --limit-explore-runs\)/ });
    const fromFile = await cp.call('POST', '/scenarios/explore', { body: { scenario: `${scenario}\nexplore: { budget: 50 }\n` } });
    expect(fromFile.body).toMatchObject({ code: 'STANDIN_ERR_LIMIT_EXPLORE_RUNS', message: /^scenario\.explore\.budget: 50/ });
    const zero = await cp.call('POST', '/scenarios/explore', { body: { scenario, concurrency: 0 } });
    expect(zero.status).toBe(400);
    expect(zero.body.message).toMatch(/concurrency/);
    const bad = await cp.call('POST', '/scenarios/explore', { body: { scenario: 'name: x\ntwins: {}\ninvariants: [{ exitCode: 0, when: often }]\n' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^scenario\.yaml:3:\d+: invariants\[0\]\.when/);
  });
});

describe('the MCP explore tool', () => {
  it('explores a file under --files-root and answers the report with a readable summary first', { timeout: 120_000 }, async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', '--files-root', fixture('')], stderr: 'pipe' });
    const client = new Client({ name: 'standin-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'explore', arguments: { file: 'pay-naive.yaml', budget: 2 } });
      const texts = (result.content as Array<{ text: string }>).map((c) => c.text);
      expect(result.isError).toBeFalsy();
      expect(texts[0]).toMatch(/VIOLATED {2}pay POST \/charges #1 → /);
      expect(result.structuredContent).toMatchObject({ status: 'violated', budget: 2 });
    } finally {
      await client.close();
    }
  });
});
