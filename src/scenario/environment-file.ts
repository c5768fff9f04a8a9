// Reads the environment part of a scenario file (`name`, `seed`, `twins`, `faults`) for
// `standin up`, with problems reported as file:line:column: field: detail.
import { Type } from '@sinclair/typebox';
import { StandinError, checkSchema, isStandinError } from '../core/index.ts';
import { EnvironmentSpecSchema, type EnvironmentSpec } from '../environments/environment-spec.ts';
import { readYamlSource, type YamlSource } from './yaml-source.ts';

/** The keys of a scenario file that describe its environment; the rest belong to the runner. */
const EnvironmentPartSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    seed: EnvironmentSpecSchema.properties.seed,
    ttlSeconds: EnvironmentSpecSchema.properties.ttlSeconds,
    journalCapacity: EnvironmentSpecSchema.properties.journalCapacity,
    twins: EnvironmentSpecSchema.properties.twins,
    faults: EnvironmentSpecSchema.properties.faults,
  },
  { additionalProperties: true },
);

export async function readEnvironmentFile(file: string): Promise<{ spec: EnvironmentSpec; source: YamlSource }> {
  const source = await readYamlSource(file);
  const problem = checkSchema(EnvironmentPartSchema, source.value)[0];
  if (problem) throw positioned(source, problem.field, problem.detail);
  const value = source.value as Record<string, unknown>;
  const spec: EnvironmentSpec = {
    twins: value.twins as EnvironmentSpec['twins'],
    ...(value.seed === undefined ? {} : { seed: value.seed as number }),
    ...(value.faults === undefined ? {} : { faults: value.faults as EnvironmentSpec['faults'] }),
    ...(value.journalCapacity === undefined ? {} : { journalCapacity: value.journalCapacity as number }),
  };
  return { spec, source };
}

/** A StandinError about a field of the file, with the field's line and column. */
export function positioned(source: YamlSource, field: string, detail: string): StandinError {
  const { line, column } = source.position(field);
  return new StandinError('STANDIN_ERR_SCENARIO_INVALID', { file: source.file, line, column, field, detail });
}

/**
 * Re-throws an error raised while starting the file's environment (a bad twin config, an unknown
 * fault point…) with the file position of the field it names.
 */
export function withFilePosition(source: YamlSource, error: unknown): unknown {
  if (!isStandinError(error)) return error;
  const field = fieldNamedBy(error);
  if (field === undefined) return error;
  const detail = error.message.replace(/^[^:]*:\s*/, '');
  return positioned(source, field, detail);
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
