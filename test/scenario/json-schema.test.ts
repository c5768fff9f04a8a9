import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/environments/default-kinds.ts';
import { kindExpectations } from '../../src/scenario/expectations/checked-expectations.ts';
import { scenarioJsonSchema } from '../../src/scenario/scenario-json-schema.ts';

const registry = defaultRegistry();
const kinds = async () => (await Promise.all(registry.names().map((name) => registry.load(name)))).filter((kind) => kind !== undefined);

describe('schemas/scenario.schema.json', () => {
  it('is the scenario schema the runner uses, with every kind’s expectations (regenerate with npm run schemas)', async () => {
    const file = JSON.parse(readFileSync(new URL('../../schemas/scenario.schema.json', import.meta.url), 'utf8'));
    expect(file).toEqual(scenarioJsonSchema(await kinds()));
    const keys = file.properties.expect.items.anyOf.map((item: { required: string[] }) => item.required[0]);
    expect(keys).toEqual(['exitCode', 'stdout', 'stderr', 'journal', 'http', 'sql', 'topic', 'stripe']);
  });

  it('refuses a kind whose expectation key is already taken', async () => {
    const all = await kinds();
    const [postgres] = all.filter((k) => k.kind === 'postgres');
    expect(() => kindExpectations([...all, { ...postgres!, kind: 'postgres2' }])).toThrow('expectation sql of twin kind postgres2 is already declared by postgres');
    expect(() => kindExpectations([{ ...postgres!, expectations: [{ ...postgres!.expectations![0]!, name: 'journal' }] }])).toThrow('already declared by the runner');
  });
});
