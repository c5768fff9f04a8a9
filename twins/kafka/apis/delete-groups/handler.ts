// DeleteGroups: removes empty groups and their offsets; a group with members is NON_EMPTY_GROUP.
// @see https://kafka.apache.org/protocol.html#The_Messages_DeleteGroups
import { denyUnless, defineApi } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { OPERATION, RESOURCE } from '../../cluster/acls.ts';
import { deleteGroupsSpec, type DeleteGroupsRequest, type DeleteGroupsResponse } from './schema.ts';

export const deleteGroupsApi = defineApi<DeleteGroupsRequest, DeleteGroupsResponse>({
  spec: deleteGroupsSpec,
  handle: (req, ctx) => ({ throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode: ctx.cluster.groups.delete(groupId) })) }),
  errorResponse: (req, code) => ({ results: req.groupsNames.map((groupId) => ({ groupId, errorCode: code })) }),
  denied: (req, ctx) => denyUnless(ctx, OPERATION.DELETE, RESOURCE.GROUP, req.groupsNames, ERR.GROUP_AUTHORIZATION_FAILED),
  scope: (req) => ({ topics: [], partitions: [], group: req.groupsNames[0] }),
});
