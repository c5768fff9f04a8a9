// DescribeConfigs: a topic's configs (its own, then Kafka's defaults) or a broker's.
// Resource types: 2 topic, 4 broker. Config source: 1 topic config, 5 default.
// @see https://kafka.apache.org/protocol.html#The_Messages_DescribeConfigs
import { defineApi } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { describeConfigsSpec, type DescribeConfigsRequest, type DescribeConfigsResponse } from './schema.ts';

const TOPIC_DEFAULTS: Record<string, string> = {
  'cleanup.policy': 'delete',
  'compression.type': 'producer',
  'max.message.bytes': '1048588',
  'min.insync.replicas': '1',
  'retention.bytes': '-1',
  'retention.ms': '604800000',
  'message.timestamp.type': 'CreateTime',
};
const BROKER_DEFAULTS: Record<string, string> = {
  'auto.create.topics.enable': 'true',
  'num.partitions': '1',
  'default.replication.factor': '1',
  'message.max.bytes': '1048588',
};

export const describeConfigsApi = defineApi<DescribeConfigsRequest, DescribeConfigsResponse>({
  spec: describeConfigsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      results: req.resources.map((r) => {
        const base = { resourceType: r.resourceType, resourceName: r.resourceName, errorMessage: null };
        let entries: Array<[string, string, number]>;
        if (r.resourceType === 2) {
          const t = ctx.cluster.topics.get(r.resourceName);
          if (!t) return { ...base, errorCode: ERR.UNKNOWN_TOPIC_OR_PARTITION, configs: [] };
          const merged = new Map<string, [string, number]>(Object.entries(TOPIC_DEFAULTS).map(([k, v]) => [k, [v, 5]]));
          for (const [k, v] of Object.entries(t.config)) merged.set(k, [v, 1]);
          entries = [...merged].map(([k, [v, s]]) => [k, v, s]);
        } else if (r.resourceType === 4) {
          const defaults = { ...BROKER_DEFAULTS, 'auto.create.topics.enable': String(ctx.cluster.options.autoCreateTopics) };
          entries = Object.entries(defaults).map(([k, v]) => [k, v, 5]);
        } else return { ...base, errorCode: ERR.INVALID_REQUEST, configs: [] };
        const keys = r.configurationKeys;
        return {
          ...base,
          errorCode: ERR.NONE,
          configs: entries
            .filter(([k]) => keys === null || keys.length === 0 || keys.includes(k))
            .map(([name, value, source]) => ({ name, value, readOnly: false, isDefault: source === 5, configSource: source, isSensitive: false, synonyms: [], configType: 0, documentation: null })),
        };
      }),
    };
  },
  errorResponse: (req, code) => ({ results: req.resources.map((r) => ({ errorCode: code, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })) }),
  scope: (req) => ({ topics: req.resources.filter((r) => r.resourceType === 2).map((r) => r.resourceName), partitions: [] }),
});
