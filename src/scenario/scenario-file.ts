// Reads and checks a scenario file. Every problem is reported as file:line:column: field: detail.
import { StandinError, checkSchema, compilePattern, isStandinError } from '../core/index.ts';
import type { EnvironmentSpec } from '../environments/environment-spec.ts';
import { ExpectationSchemas, ScenarioOuterSchema, type Scenario } from './scenario-schema.ts';
import { readYamlSource, parseYamlSource, type YamlLimits, type YamlSource } from './yaml-source.ts';

export interface ScenarioFile {
  scenario: Scenario;
  source: YamlSource;
}

export async function readScenarioFile(file: string): Promise<ScenarioFile> {
  return checkScenario(await readYamlSource(file));
}

/** `limits`: a server's own when the text came from an API client. */
export function parseScenario(file: string, text: string, limits?: YamlLimits): ScenarioFile {
  return checkScenario(parseYamlSource(file, text, limits));
}

function checkScenario(source: YamlSource): ScenarioFile {
  const fail = (field: string, detail: string): never => {
    throw positioned(source, field, detail);
  };
  const problem = checkSchema(ScenarioOuterSchema, source.value)[0];
  if (problem) fail(problem.field, problem.detail);
  const scenario = source.value as Scenario;

  (scenario.expect ?? []).forEach((item, i) => {
    const keys = Object.keys(item).filter((k) => k !== 'name');
    const known = Object.keys(ExpectationSchemas);
    if (keys.length !== 1 || !(keys[0]! in ExpectationSchemas)) {
      const unknown = keys.find((k) => !(k in ExpectationSchemas));
      fail(
        unknown ? `expect[${i}].${unknown}` : `expect[${i}]`,
        `${unknown ? `unknown expectation ${unknown}; ` : ''}each expectation has exactly one of: ${known.join(', ')}`,
      );
    }
    const key = keys[0] as keyof typeof ExpectationSchemas;
    const itemProblem = checkSchema(ExpectationSchemas[key], (item as Record<string, unknown>)[key], `expect[${i}].${key}`)[0];
    if (itemProblem) fail(itemProblem.field, itemProblem.detail);
    const text = (item as Record<string, unknown>)[key];
    if ((key === 'stdout' || key === 'stderr') && typeof text === 'object' && text && 'matches' in text) {
      try {
        compilePattern(String(text.matches), { multiline: true });
      } catch (error) {
        fail(`expect[${i}].${key}.matches`, (error as Error).message);
      }
    }
  });

  (scenario.steps ?? []).forEach((step, i) => {
    const verbs = (['addFault', 'removeFault', 'action'] as const).filter((k) => step[k] !== undefined);
    if (verbs.length !== 1) fail(`steps[${i}]`, 'each step has exactly one of: addFault, removeFault, action');
  });
  return { scenario, source };
}

/** The environment a scenario runs in. */
export function environmentSpecOf(scenario: Scenario, seed?: number): EnvironmentSpec {
  const chosenSeed = seed ?? scenario.seed;
  return {
    twins: scenario.twins,
    ...(chosenSeed === undefined ? {} : { seed: chosenSeed }),
    ...(scenario.faults === undefined ? {} : { faults: scenario.faults }),
    ...(scenario.journalCapacity === undefined ? {} : { journalCapacity: scenario.journalCapacity }),
  };
}

/** A StandinError about a field of the file, with the field's line and column. */
export function positioned(source: YamlSource, field: string, detail: string): StandinError {
  const { line, column } = source.position(field, detail.startsWith('unknown') ? 'key' : 'value');
  return new StandinError('STANDIN_ERR_SCENARIO_INVALID', { file: source.file, line, column, field, detail });
}

/**
 * Re-throws an error raised while starting the file's environment or applying one of its steps (a
 * bad twin config, an unknown fault point…) with the file position of the field it names.
 * `prefix` maps the error's own field names into the file (e.g. `steps[2].addFault`).
 */
export function withFilePosition(source: YamlSource, error: unknown, prefix = ''): unknown {
  if (!isStandinError(error)) return error;
  const field = fieldNamedBy(error);
  if (field === undefined) return error;
  // Messages of errors that name a field start with it; others are kept whole.
  const startsWithField = error.message.startsWith(field) || error.message.startsWith('body');
  const detail = startsWithField ? error.message.slice(error.message.indexOf(': ') + 2) : error.message;
  return positioned(source, prefix && field.startsWith('body') ? field.replace(/^body/, prefix) : field, detail);
}

function fieldNamedBy(error: StandinError): string | undefined {
  const { params } = error;
  if (typeof params.field === 'string') return params.field;
  if (typeof params.twin === 'string' && error.code.startsWith('STANDIN_ERR_TWIN_')) {
    const path = typeof params.path === 'string' ? params.path : error.code === 'STANDIN_ERR_TWIN_UNKNOWN_KIND' ? '.kind' : '';
    return `twins.${params.twin}${path}`;
  }
  return undefined;
}
