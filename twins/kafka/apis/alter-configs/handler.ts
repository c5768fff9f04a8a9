// AlterConfigs: replaces a topic's configs (or a broker's run-time configs) with the set given;
// every config not named goes back to its default. validateOnly checks without changing. With an
// authorizer each resource needs ALTER_CONFIGS on its topic or the cluster (describe-configs).
// @see https://kafka.apache.org/protocol.html#The_Messages_AlterConfigs
import { defineApi } from '../api.ts';
import { errorName } from '../../protocol/error-codes.ts';
import { OPERATION } from '../../cluster/acls.ts';
import { configsRefusal } from '../describe-configs/handler.ts';
import { changeConfigs, RESOURCE_TOPIC } from '../../cluster/config-changes.ts';
import { alterConfigsSpec, type AlterConfigsRequest, type AlterConfigsResponse } from './schema.ts';

export const alterConfigsApi = defineApi<AlterConfigsRequest, AlterConfigsResponse>({
  spec: alterConfigsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => {
        const refused = configsRefusal(ctx, OPERATION.ALTER_CONFIGS, r.resourceType, r.resourceName);
        if (refused) return { resourceType: r.resourceType, resourceName: r.resourceName, ...refused };
        const outcome = changeConfigs(
          ctx.cluster,
          r.resourceType,
          r.resourceName,
          () => {
            const nulled = r.configs.find((c) => c.value === null);
            if (nulled) return { refusal: { error: 'INVALID_REQUEST', message: `Null value not supported for : ${nulled.name}` } };
            return { next: Object.fromEntries(r.configs.map((c) => [c.name, c.value as string])) };
          },
          req.validateOnly,
        );
        return { resourceType: r.resourceType, resourceName: r.resourceName, ...outcome };
      }),
    };
  },
  errorResponse: (req, code) => ({ responses: req.resources.map((r) => ({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode: code, errorMessage: errorName(code) })) }),
  scope: (req) => ({ topics: req.resources.filter((r) => r.resourceType === RESOURCE_TOPIC).map((r) => r.resourceName), partitions: [] }),
});
