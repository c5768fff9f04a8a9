import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../src/scenario/scenario-json-schema.ts';

describe('schemas/scenario.schema.json', () => {
  it('is the scenario schema the runner uses (regenerate with npm run schemas)', () => {
    const file = JSON.parse(readFileSync(new URL('../../schemas/scenario.schema.json', import.meta.url), 'utf8'));
    expect(file).toEqual(scenarioJsonSchema());
  });
});
