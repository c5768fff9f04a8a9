// The README's quick start, run as written: its two JSON bodies are read from the README itself.
import { readFileSync } from 'node:fs';
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
