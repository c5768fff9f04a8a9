// schemas/scenario.schema.json is generated from ScenarioSchema (`npm run schemas`), so editors
// validate scenario files with the rules the runner uses; test/scenario/json-schema.test.ts checks it.
import { ScenarioSchema } from './scenario-schema.ts';

export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://standin.dev/schemas/scenario.schema.json',
    ...(JSON.parse(JSON.stringify(ScenarioSchema)) as Record<string, unknown>),
  };
}
