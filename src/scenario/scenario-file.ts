// Reads and checks a scenario file. Every problem is reported as file:line:column: field: detail.
import { dirname, resolve } from 'node:path';
import { StandinError, checkSchema, conforms, isStandinError, type FaultClass } from '../core/index.ts';
import type { EnvironmentSpec } from '../environments/environment-spec.ts';
import { checkExpectations, ExpectationProblem, type CheckedExpectation, type KindSource } from './expectations/checked-expectations.ts';
import { ScenarioOuterSchema, WhenSchema, faultClasses, type Scenario } from './scenario-schema.ts';
import { readYamlSource, parseYamlSource, type YamlLimits, type YamlSource } from './yaml-source.ts';

export interface ScenarioFile {
  scenario: Scenario;
  source: YamlSource;
  /** The `expect:` items, checked and bound to their evaluators. */
  expectations: CheckedExpectation[];
  /** The `invariants:` items, likewise, each with the fault classes its `when` names. */
  invariants: CheckedInvariant[];
}

export interface CheckedInvariant extends CheckedExpectation {
  /** Checked only in runs that injected a fault of one of these classes; undefined: in every run. */
  when?: FaultClass[];
}

/** The folder the file's relative paths name: its `root:`, else its own folder. */
export function scenarioRoot(file: ScenarioFile): string {
  return resolve(dirname(file.source.file), file.scenario.root ?? '.');
}

/** `kinds`: where the twin kinds' expectations are declared (the server's registry). */
export async function readScenarioFile(file: string, kinds: KindSource): Promise<ScenarioFile> {
  return checkScenario(await readYamlSource(file), kinds);
}

/** `limits`: a server's own when the text came from an API client. */
export async function parseScenario(file: string, text: string, kinds: KindSource, limits?: YamlLimits): Promise<ScenarioFile> {
  return checkScenario(parseYamlSource(file, text, limits), kinds);
}

async function checkScenario(source: YamlSource, kinds: KindSource): Promise<ScenarioFile> {
  const fail = (field: string, detail: string): never => {
    throw positioned(source, field, detail);
  };
  const { value } = source;
  if (!conforms(ScenarioOuterSchema, value)) {
    const [problem = { field: '(root)', detail: 'is not a scenario' }] = checkSchema(ScenarioOuterSchema, value);
    return fail(problem.field, problem.detail);
  }
  (value.steps ?? []).forEach((step, i) => {
    const verbs = (['addFault', 'removeFault', 'action'] as const).filter((k) => step[k] !== undefined);
    if (verbs.length !== 1) fail(`steps[${i}]`, 'each step has exactly one of: addFault, removeFault, action');
  });
  (value.explore?.skip ?? []).forEach((entry, i) => {
    const twin = entry.split('.')[0] as string;
    if (!Object.hasOwn(value.twins, twin)) fail(`explore.skip[${i}]`, `no twin ${twin} in this scenario's twins`);
  });
  try {
    const invariantItems = value.invariants ?? [];
    const invariants = await checkExpectations(
      invariantItems.map(({ when: _when, ...item }) => item),
      value.twins,
      kinds,
      'invariants',
    );
    return {
      scenario: value,
      source,
      expectations: await checkExpectations(value.expect ?? [], value.twins, kinds),
      invariants: invariants.map((checked, i) => {
        const when = invariantItems[i]?.when;
        return when === undefined ? checked : { ...checked, when: whenClasses(when, `invariants[${i}].when`) };
      }),
    };
  } catch (error) {
    if (error instanceof ExpectationProblem) return fail(error.field, error.detail);
    throw error;
  }
}

/** `when:` as a list of fault classes (the open schema reads it unchecked: checked here). */
function whenClasses(when: unknown, field: string): FaultClass[] {
  const problems = checkSchema(WhenSchema, when, field);
  if (problems.length > 0 || !conforms(WhenSchema, when)) {
    const [problem = { field, detail: 'is not a fault class' }] = problems;
    throw new ExpectationProblem(problem.field, `${problem.detail} (one of ${faultClasses.join(', ')})`);
  }
  return typeof when === 'string' ? [when] : when;
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
