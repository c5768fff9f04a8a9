// The twin kinds this build of Standin ships, one registration line each. Each is imported when an
// environment first uses it (or GET /kinds describes it), not when the server starts; the order is
// the order GET /kinds lists them in.
// tcp is the exception: it needs nothing beyond src/core, and the Toxiproxy API checks proxy bodies
// against its schema synchronously.
import type { TwinKind } from '../core/index.ts';
import { tcpTwin } from '../../twins/tcp/index.ts';
import { TwinRegistry, type KindDescriptor } from './twin-registry.ts';

export const defaultKinds: ReadonlyArray<TwinKind | KindDescriptor> = [
  { kind: 'http', load: async () => (await import('../../twins/http/index.ts')).httpTwin },
  tcpTwin,
  { kind: 'postgres', load: async () => (await import('../../twins/postgres/index.ts')).postgresTwin },
  { kind: 'kafka', load: async () => (await import('../../twins/kafka/index.ts')).kafkaTwin },
  { kind: 'oidc', load: async () => (await import('../../twins/oidc/index.ts')).oidcTwin },
  { kind: 'stripe', load: async () => (await import('../../twins/stripe/index.ts')).stripeTwin },
];

export function defaultRegistry(): TwinRegistry {
  return new TwinRegistry(defaultKinds);
}
