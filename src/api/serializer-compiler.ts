// Response serialization with Fastify's own fast-json-stringify compiler, each (route, status,
// content type) compiled on the first answer that needs it rather than when the route is added:
// generating every route's serializer, and loading fast-json-stringify at all, was a share of
// `standin serve`'s start-up that /health does not need (BENCHMARKS.md, startup).
import { createRequire } from 'node:module';
import type SerializerSelector from '@fastify/fast-json-stringify-compiler';

const require = createRequire(import.meta.url);
let loaded: typeof SerializerSelector | undefined;
const serializerSelector = (): typeof SerializerSelector => (loaded ??= require('@fastify/fast-json-stringify-compiler'));

/** `schemaController.compilersFactory.buildSerializer` for `Fastify({...})`. */
export function buildSerializer(): SerializerSelector.SerializerFactory {
  return (externalSchemas, options) => {
    let compiler: SerializerSelector.SerializerCompiler | undefined;
    return (route) => {
      let serialize: SerializerSelector.Serializer | undefined;
      return (data) => {
        if (serialize === undefined) {
          compiler ??= serializerSelector()()(externalSchemas, options);
          serialize = compiler(route);
        }
        return serialize(data);
      };
    };
  };
}
