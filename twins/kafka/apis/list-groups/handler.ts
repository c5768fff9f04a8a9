// ListGroups: every group with its protocol type (and state, v4+, filtered by statesFilter).
// @see https://kafka.apache.org/protocol.html#The_Messages_ListGroups
import { defineApi } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { listGroupsSpec, type ListGroupsRequest, type ListGroupsResponse } from './schema.ts';

export const listGroupsApi = defineApi<ListGroupsRequest, ListGroupsResponse>({
  spec: listGroupsSpec,
  handle(req, ctx) {
    const filter = req.statesFilter.map((s) => s.toLowerCase());
    const groups = [...ctx.cluster.groups.groups.values()]
      .filter((g) => filter.length === 0 || filter.includes(g.state.toLowerCase()))
      .map((g) => ({ groupId: g.id, protocolType: g.protocolType ?? '', groupState: g.state }));
    return { throttleTimeMs: 0, errorCode: ERR.NONE, groups };
  },
  errorResponse: (_req, code) => ({ errorCode: code, groups: [] }),
});
