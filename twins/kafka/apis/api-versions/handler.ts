// ApiVersions: the APIs and version ranges this broker serves, as the Kafka release it claims to be
// lists them (kafka-version.ts).
// A request whose own version is unsupported is answered in version 0 with UNSUPPORTED_VERSION and
// the full list, so the client can retry with a version both sides speak (connection.ts).
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-511
import { defineApi } from '../api.ts';
import { apiVersionsSpec, type ApiVersionsRequest, type ApiVersionsResponse } from './schema.ts';

export const apiVersionsApi = defineApi<ApiVersionsRequest, ApiVersionsResponse>({
  spec: apiVersionsSpec,
  handle: (_req, ctx) => ({ errorCode: 0, apiKeys: ctx.versions.advertised(), throttleTimeMs: 0 }),
  errorResponse: (_req, code, ctx) => ({ errorCode: code, apiKeys: ctx.versions.advertised() }),
});
