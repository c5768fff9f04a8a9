// ListGroups: every group with its protocol type (and state, v4+, filtered by statesFilter; its
// type, classic or consumer (KIP-848), v5+, filtered by typesFilter). A consumer-protocol group's
// protocol type is `consumer` and its states are Empty, Assigning, Reconciling and Stable.
// @see https://kafka.apache.org/protocol.html#The_Messages_ListGroups
import { defineApi } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { listGroupsSpec, type ListGroupsRequest, type ListGroupsResponse } from './schema.ts';

export const listGroupsApi = defineApi<ListGroupsRequest, ListGroupsResponse>({
  spec: listGroupsSpec,
  handle(req, ctx) {
    const states = req.statesFilter.map((s) => s.toLowerCase());
    const types = req.typesFilter.map((t) => t.toLowerCase());
    const groups = [...ctx.cluster.groups.groups.values()]
      .map((g) =>
        g.consumer
          ? { groupId: g.id, protocolType: 'consumer', groupState: g.consumer.state as string, groupType: 'consumer' }
          : { groupId: g.id, protocolType: g.protocolType ?? '', groupState: g.state as string, groupType: 'classic' },
      )
      .filter((g) => (states.length === 0 || states.includes(g.groupState.toLowerCase())) && (types.length === 0 || types.includes(g.groupType)));
    return { throttleTimeMs: 0, errorCode: ERR.NONE, groups };
  },
  errorResponse: (_req, code) => ({ errorCode: code, groups: [] }),
});
