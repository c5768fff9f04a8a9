// The `request` fault point of the http twin: what rules match on and the actions they may take.
import type { FaultPointSpec } from '../../../src/core/index.ts';
import { CommonActions } from '../../../src/core/index.ts';
import { CorruptActionSchema } from './corrupt.ts';
import { ErrorActionSchema } from './error.ts';
import { RequestMatchSchema, matchRequest } from './request-match.ts';

export const requestPoint: FaultPointSpec = {
  name: 'request',
  description: 'each HTTP request, once its body has arrived; match {method, path, pathPattern, query, headers, body}',
  match: RequestMatchSchema,
  actions: {
    delay: CommonActions.delay,
    hang: CommonActions.hang,
    error: ErrorActionSchema,
    disconnect: CommonActions.disconnect,
    corrupt: CorruptActionSchema,
  },
  matches: matchRequest,
};
