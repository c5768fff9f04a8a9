// Request validation: a JSON body is typed, so it is checked as sent (`"seed": "7"` and
// `"seed": null` are wrong types, not 7 and 0); query strings and path parameters are text by nature,
// so `?limit=5` is coerced to the number its schema asks for. Fastify's ajv options apply to every
// part of a request alike; this factory gives each kind of part its own ajv (both from Fastify's own
// @fastify/ajv-compiler, so shared schemas and formats behave as before).
import { createRequire } from 'node:module';
import type AjvCompiler from '@fastify/ajv-compiler';

const common = {
  // Unknown fields are errors, not silently dropped.
  removeAdditional: false,
  useDefaults: true,
  // One error per request: ajv's allErrors on hostile input is a denial of service.
  allErrors: false,
} as const;

// Loaded by the first validation, not at start: ajv and its formats are a large CommonJS graph
// that `standin serve` would otherwise load before answering /health (BENCHMARKS.md, startup).
const require = createRequire(import.meta.url);
let loaded: typeof AjvCompiler | undefined;
const ajvCompiler = (): typeof AjvCompiler => (loaded ??= require('@fastify/ajv-compiler'));

/** `schemaController.compilersFactory.buildValidator` for `Fastify({...})`. */
export function buildValidator(): AjvCompiler.ValidatorFactory {
  let pool: ReturnType<typeof AjvCompiler> | undefined;
  return (externalSchemas) => {
    // Each ajv instance is built with its first validator too: building one costs as much as
    // compiling several routes.
    let typed: ReturnType<AjvCompiler.ValidatorFactory> | undefined;
    let textual: ReturnType<AjvCompiler.ValidatorFactory> | undefined;
    const ajv = (options: AjvCompiler.Options): ReturnType<AjvCompiler.ValidatorFactory> => {
      pool ??= ajvCompiler()();
      return pool(externalSchemas, { customOptions: { ...common, ...options } });
    };
    return (route) =>
      lazily(() =>
        route.httpPart === 'body'
          ? (typed ??= ajv({ coerceTypes: false }))(route)
          : (textual ??= ajv({ coerceTypes: 'array' }))(route),
      );
  };
}

/**
 * A route's validator compiled on its first request rather than at start: ajv generating code for
 * every route was most of `standin serve`'s start-up. Fastify only calls the function and reads a
 * failed check's `errors` off it, so those are copied there; ajv's other fields (schema, schemaEnv)
 * are not read, hence the cast.
 */
function lazily<V extends ((data: unknown) => unknown) & { errors?: unknown }>(compile: () => V): V {
  let validate: V | undefined;
  const wrapper = (data: unknown): unknown => {
    validate ??= compile();
    const valid = validate(data);
    wrapper.errors = validate.errors;
    return valid;
  };
  wrapper.errors = undefined as unknown;
  return wrapper as unknown as V;
}
