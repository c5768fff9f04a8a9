// DescribeAcls: the bindings a filter matches, grouped by resource (MATCH: every binding that applies
// to the named resource, wildcard and prefixes included); the principal needs DESCRIBE on the cluster.
// Without an authorizer: SECURITY_DISABLED.
// @see https://kafka.apache.org/protocol.html#The_Messages_DescribeAcls
import { allowed, defineApi } from '../api.ts';
import { CLUSTER_NAME, OPERATION, RESOURCE, type AclBinding } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { describeAclsSpec, type DescribeAclsRequest, type DescribeAclsResponse, type DescribeAclsResponseDescribeAclsResource as Resource } from './schema.ts';

export function groupByResource(bindings: readonly AclBinding[]): Resource[] {
  const out = new Map<string, Resource>();
  for (const b of bindings) {
    const key = `${b.resourceType}\u0000${b.patternType}\u0000${b.resourceName}`;
    let r = out.get(key);
    if (!r) out.set(key, (r = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
    r.acls!.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
  }
  return [...out.values()];
}

export const describeAclsApi = defineApi<DescribeAclsRequest, DescribeAclsResponse>({
  spec: describeAclsSpec,
  handle(req, ctx) {
    const { acls } = ctx.cluster;
    if (!acls.enabled) return { throttleTimeMs: 0, errorCode: ERR.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.', resources: [] };
    return { throttleTimeMs: 0, errorCode: ERR.NONE, errorMessage: null, resources: groupByResource(acls.matching(req)) };
  },
  errorResponse: (_req, code) => ({ throttleTimeMs: 0, errorCode: code, errorMessage: null, resources: [] }),
  denied: (_req, ctx) => (allowed(ctx, OPERATION.DESCRIBE, RESOURCE.CLUSTER, CLUSTER_NAME) ? undefined : { code: ERR.CLUSTER_AUTHORIZATION_FAILED }),
});
