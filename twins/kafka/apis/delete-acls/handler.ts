// DeleteAcls: each filter removes the bindings it matches and answers them; the principal needs
// ALTER on the cluster. Without an authorizer each filter answers SECURITY_DISABLED.
// @see https://kafka.apache.org/protocol.html#The_Messages_DeleteAcls
import { allowed, defineApi } from '../api.ts';
import { CLUSTER_NAME, OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { deleteAclsSpec, type DeleteAclsRequest, type DeleteAclsResponse } from './schema.ts';

export const deleteAclsApi = defineApi<DeleteAclsRequest, DeleteAclsResponse>({
  spec: deleteAclsSpec,
  handle(req, ctx) {
    const { acls } = ctx.cluster;
    return {
      throttleTimeMs: 0,
      filterResults: req.filters.map((f) => {
        if (!acls.enabled) return { errorCode: ERR.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.', matchingAcls: [] };
        const gone = acls.remove(f);
        if (gone.length > 0) ctx.cluster.options.onEvent(`${gone.length} ACLs deleted`, { acls: gone });
        return { errorCode: ERR.NONE, errorMessage: null, matchingAcls: gone.map((b) => ({ errorCode: ERR.NONE, errorMessage: null, ...b })) };
      }),
    };
  },
  errorResponse: (req, code) => ({ throttleTimeMs: 0, filterResults: req.filters.map(() => ({ errorCode: code, errorMessage: null, matchingAcls: [] })) }),
  denied: (_req, ctx) => (allowed(ctx, OPERATION.ALTER, RESOURCE.CLUSTER, CLUSTER_NAME) ? undefined : { code: ERR.CLUSTER_AUTHORIZATION_FAILED }),
});
