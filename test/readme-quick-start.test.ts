// The README's quick start, run as written: its two JSON bodies are read from the README itself.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './support/control-plane.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.[Symbol.asyncDispose]();
});

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Twin kinds'));
const bodies = [...quickStart.matchAll(/-d '(\{[\s\S]*?\})'/g)].map((m) => JSON.parse(m[1] as string) as Record<string, unknown>);

describe('README quick start', () => {
  it('creates the environment, stubs the API, and injects two 503s as it says', async () => {
    expect(bodies).toHaveLength(2);
    const [environment, rule] = bodies;
    const env = await cp.createEnv(environment);
    const url = env.twins.weather.endpoints.url as string;
    expect(await fetch(`${url}/forecast/oslo`).then((r) => r.json())).toEqual({ city: 'oslo', temp: 21 });
    expect((await cp.call('POST', `/environments/${env.id}/faults`, { token: env.token, body: rule })).status).toBe(201);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await fetch(`${url}/forecast/oslo`)).status);
    expect(codes).toEqual([503, 503, 200]);
    const journal = await cp.call('GET', `/environments/${env.id}/journal?twin=weather`, { token: env.token });
    expect(journal.body.events.filter((e: { type: string }) => e.type === 'fault')).toHaveLength(2);
    expect((await cp.call('DELETE', `/environments/${env.id}`, { token: env.token })).status).toBe(204);
  });
});

describe('README quick start, pasted whole', () => {
  // As a user pastes it into bash, on a free port rather than 4510 (other servers may hold it) and
  // with this clone's bin for `npx standin`. It needs curl and jq (.ci/run installs jq).
  const hasTools = ['curl', 'jq'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
  it.skipIf(!hasTools)('runs from the first line to the last', async () => {
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] as string;
    const port = await freePort();
    const bin = fileURLToPath(new URL('../bin/standin.js', import.meta.url));
    const script = block.replace('npx standin serve &', `node ${bin} serve --port ${port} &`).replaceAll('localhost:4510', `localhost:${port}`);
    expect(script).not.toContain('4510');
    const run = spawnSync('bash', ['-c', `set -euo pipefail\n${script}\nwait`], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('{"city":"oslo","temp":21}');
    expect(run.stdout).toMatch(/503\n503\n200\n/);
    expect(run.stdout).toMatch(/"type":"fault"/);
  }, 90_000);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
