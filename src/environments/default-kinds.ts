// The twin kinds this build of Standin ships, one registration line each.
import type { TwinKind } from '../core/index.ts';
import { httpTwin } from '../../twins/http/index.ts';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { oidcTwin } from '../../twins/oidc/index.ts';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { stripeTwin } from '../../twins/stripe/index.ts';
import { tcpTwin } from '../../twins/tcp/index.ts';
import { TwinRegistry } from './twin-registry.ts';

export const defaultKinds: readonly TwinKind[] = [
  httpTwin,
  tcpTwin,
  postgresTwin,
  kafkaTwin,
  oidcTwin,
  stripeTwin,
];

export function defaultRegistry(): TwinRegistry {
  return new TwinRegistry(defaultKinds);
}
