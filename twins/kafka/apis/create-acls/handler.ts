// CreateAcls: each binding checked (resource and pattern type, principal, operation, permission, the
// CLUSTER resource's one name) and added; the principal needs ALTER on the cluster. Without an
// authorizer each creation answers SECURITY_DISABLED, as Kafka does.
// @see https://kafka.apache.org/protocol.html#The_Messages_CreateAcls
import { allowed, defineApi } from '../api.ts';
import { CLUSTER_NAME, OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { createAclsSpec, type CreateAclsRequest, type CreateAclsResponse } from './schema.ts';

export const createAclsApi = defineApi<CreateAclsRequest, CreateAclsResponse>({
  spec: createAclsSpec,
  handle(req, ctx) {
    const { acls } = ctx.cluster;
    return {
      throttleTimeMs: 0,
      results: req.creations.map((c) => {
        if (!acls.enabled) return { errorCode: ERR.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' };
        const binding = { resourceType: c.resourceType, resourceName: c.resourceName, patternType: c.resourcePatternType, principal: c.principal, host: c.host, operation: c.operation, permissionType: c.permissionType };
        const invalid = acls.invalid(binding);
        if (invalid) return { errorCode: ERR.INVALID_REQUEST, errorMessage: invalid };
        acls.add(binding);
        ctx.cluster.options.onEvent(`ACL created: ${c.principal} ${c.permissionType === 3 ? 'ALLOW' : 'DENY'} ${c.operation} on ${c.resourceType}:${c.resourceName}`, { acl: binding });
        return { errorCode: ERR.NONE, errorMessage: null };
      }),
    };
  },
  errorResponse: (req, code) => ({ throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode: code, errorMessage: null })) }),
  denied: (_req, ctx) => (allowed(ctx, OPERATION.ALTER, RESOURCE.CLUSTER, CLUSTER_NAME) ? undefined : { code: ERR.CLUSTER_AUTHORIZATION_FAILED }),
});
