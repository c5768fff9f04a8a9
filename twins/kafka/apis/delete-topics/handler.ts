// DeleteTopics: by name (v0–v5 topicNames, v6 topics with name or id).
// @see https://kafka.apache.org/protocol.html#The_Messages_DeleteTopics
import { allowed, defineApi } from '../api.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { ERR, errorName } from '../../protocol/error-codes.ts';
import { deleteTopicsSpec, type DeleteTopicsRequest, type DeleteTopicsResponse } from './schema.ts';
import type { Cluster } from '../../cluster/cluster.ts';

function names(req: DeleteTopicsRequest, cluster: Cluster): string[] {
  if (req.topicNames.length > 0) return req.topicNames;
  return req.topics.map((t) => t.name ?? [...cluster.topics.values()].find((x) => x.id.equals(t.topicId))?.name ?? '');
}

export const deleteTopicsApi = defineApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  spec: deleteTopicsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      responses: names(req, ctx.cluster).map((name) => {
        if (!allowed(ctx, OPERATION.DELETE, RESOURCE.TOPIC, name)) return { name, topicId: Buffer.alloc(16), errorCode: ERR.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };
        const id = ctx.cluster.topics.get(name)?.id ?? Buffer.alloc(16);
        const code = ctx.cluster.deleteTopic(name);
        return { name, topicId: id, errorCode: code, errorMessage: code === ERR.NONE ? null : errorName(code) };
      }),
    };
  },
  errorResponse: (req, code, ctx) => ({ responses: names(req, ctx.cluster).map((name) => ({ name, errorCode: code })) }),
  scope: (req) => ({ topics: req.topicNames.length > 0 ? req.topicNames : req.topics.map((t) => t.name ?? ''), partitions: [] }),
});
