// ApiVersions: the APIs and version ranges this broker implements — exactly the registry.
// A request whose own version is unsupported is answered in version 0 with UNSUPPORTED_VERSION and
// the full list, so the client can retry with a version both sides speak (connection.ts).
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-511
import { defineApi } from '../api.ts';
import type { ApiHandler } from '../api.ts';
import { apiVersionsSpec, type ApiVersionsRequest, type ApiVersionsResponse } from './schema.ts';

export function advertisedVersions(apis: ReadonlyMap<number, ApiHandler>): NonNullable<ApiVersionsResponse['apiKeys']> {
  return [...apis.values()]
    .map((h) => ({ apiKey: h.spec.apiKey, minVersion: h.spec.versions[0], maxVersion: h.spec.versions[1] }))
    .sort((a, b) => a.apiKey - b.apiKey);
}

export const apiVersionsApi = defineApi<ApiVersionsRequest, ApiVersionsResponse>({
  spec: apiVersionsSpec,
  handle: (_req, ctx) => ({ errorCode: 0, apiKeys: advertisedVersions(ctx.apis), throttleTimeMs: 0 }),
  errorResponse: (_req, code, ctx) => ({ errorCode: code, apiKeys: advertisedVersions(ctx.apis) }),
});
