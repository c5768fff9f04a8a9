// Writes schemas/scenario.schema.json from the TypeBox schema and every twin kind's expectations
// (each kind loaded here, as a server never does at start).
import { writeFileSync } from 'node:fs';
import { defaultRegistry } from '../src/environments/default-kinds.ts';
import { scenarioJsonSchema } from '../src/scenario/scenario-json-schema.ts';

const registry = defaultRegistry();
const kinds = await Promise.all(registry.names().map((name) => registry.load(name)));
const schema = scenarioJsonSchema(kinds.filter((kind) => kind !== undefined));
writeFileSync(new URL('../schemas/scenario.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
