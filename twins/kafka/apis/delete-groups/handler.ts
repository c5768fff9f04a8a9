// DeleteGroups: removes empty groups and their offsets; a group with members is NON_EMPTY_GROUP.
// @see https://kafka.apache.org/protocol.html#The_Messages_DeleteGroups
import { defineApi } from '../api.ts';
import { deleteGroupsSpec, type DeleteGroupsRequest, type DeleteGroupsResponse } from './schema.ts';

export const deleteGroupsApi = defineApi<DeleteGroupsRequest, DeleteGroupsResponse>({
  spec: deleteGroupsSpec,
  handle: (req, ctx) => ({ throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode: ctx.cluster.groups.delete(groupId) })) }),
  errorResponse: (req, code) => ({ results: req.groupsNames.map((groupId) => ({ groupId, errorCode: code })) }),
  scope: (req) => ({ topics: [], partitions: [], group: req.groupsNames[0] }),
});
