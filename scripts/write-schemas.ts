// Writes schemas/scenario.schema.json from the TypeBox schema.
import { writeFileSync } from 'node:fs';
import { scenarioJsonSchema } from '../src/scenario/scenario-json-schema.ts';

writeFileSync(new URL('../schemas/scenario.schema.json', import.meta.url), `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
