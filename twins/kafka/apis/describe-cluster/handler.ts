// DescribeCluster (KIP-700): the cluster id, the controller and the brokers that are up — what an
// admin client's describeCluster shows. v1 asks for brokers (endpoint type 1); a request for the
// controllers' endpoints (2) is refused on a broker listener, as Kafka refuses it.
// @see https://kafka.apache.org/protocol.html#The_Messages_DescribeCluster
import { defineApi } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { advertisedAddress } from '../../cluster/cluster.ts';
import { describeClusterSpec, type DescribeClusterRequest, type DescribeClusterResponse } from './schema.ts';

const BROKERS = 1;
/** Operations unknown: the twin has no authorizer to ask (Kafka's INT32_MIN). */
const NOT_ASKED = -2147483648;

export const describeClusterApi = defineApi<DescribeClusterRequest, DescribeClusterResponse>({
  spec: describeClusterSpec,
  handle(req, ctx) {
    const { cluster } = ctx;
    if (ctx.version >= 1 && req.endpointType !== BROKERS) {
      return { throttleTimeMs: 0, errorCode: ERR.MISMATCHED_ENDPOINT_TYPE, errorMessage: 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER', endpointType: req.endpointType, clusterId: cluster.clusterId, controllerId: -1, brokers: [] };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ERR.NONE,
      errorMessage: null,
      endpointType: BROKERS,
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId,
      brokers: cluster.upBrokers().map((b) => ({ brokerId: b.nodeId, ...advertisedAddress(b), rack: null })),
      clusterAuthorizedOperations: NOT_ASKED,
    };
  },
});
