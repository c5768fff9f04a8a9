// DescribeConfigs: every topic config of Kafka 3.9 for a topic (its own values, then the broker
// configs they fall back to, then Kafka's defaults), or every broker config for a broker ("" = the
// cluster-wide values set at run time), each with its source, read-only flag, type and synonyms.
// Resource types: 2 topic, 4 broker. With an authorizer each resource needs DESCRIBE_CONFIGS on its
// topic or on the cluster (ALTER_CONFIGS implies it), else TOPIC_/CLUSTER_AUTHORIZATION_FAILED.
// @see https://kafka.apache.org/protocol.html#The_Messages_DescribeConfigs
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-226+-+Dynamic+Broker+Configuration (synonyms)
import { allowed, defineApi, type RequestContext } from '../api.ts';
import { CLUSTER_NAME, OPERATION, RESOURCE as ACL_RESOURCE } from '../../cluster/acls.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { validTopicName } from '../../cluster/topic.ts';
import { SOURCE, type ConfigEntry } from '../../cluster/configs.ts';
import { describeConfigsSpec, type DescribeConfigsRequest, type DescribeConfigsResponse } from './schema.ts';

export const RESOURCE = { TOPIC: 2, BROKER: 4 } as const;

export const describeConfigsApi = defineApi<DescribeConfigsRequest, DescribeConfigsResponse>({
  spec: describeConfigsSpec,
  handle(req, ctx) {
    const { cluster } = ctx;
    return {
      throttleTimeMs: 0,
      results: req.resources.map((r) => {
        const base = { resourceType: r.resourceType, resourceName: r.resourceName, errorMessage: null };
        const fail = (errorCode: number, errorMessage: string) => ({ ...base, errorCode, errorMessage, configs: [] });
        const refused = configsRefusal(ctx, OPERATION.DESCRIBE_CONFIGS, r.resourceType, r.resourceName);
        if (refused) return fail(refused.errorCode, refused.errorMessage);
        let entries: ConfigEntry[];
        if (r.resourceType === RESOURCE.TOPIC) {
          if (!validTopicName(r.resourceName)) return fail(ERR.INVALID_TOPIC_EXCEPTION, `Topic name '${r.resourceName}' is illegal.`);
          const t = cluster.topics.get(r.resourceName);
          if (!t) return fail(ERR.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${r.resourceName} does not exist.`);
          entries = cluster.configs.topicEntries(t);
        } else if (r.resourceType === RESOURCE.BROKER) {
          const target = brokerTarget(r.resourceName, ctx.broker.nodeId);
          if (typeof target === 'string') return fail(ERR.INVALID_REQUEST, target);
          entries = cluster.configs.brokerEntries(target ?? undefined);
        } else return fail(ERR.INVALID_REQUEST, `Unsupported resource type ${r.resourceType}.`);
        const keys = r.configurationKeys;
        return {
          ...base,
          errorCode: ERR.NONE,
          configs: entries
            .filter((e) => keys === null || keys.length === 0 || keys.includes(e.name))
            .map((e) => ({
              name: e.name,
              value: e.value,
              readOnly: e.readOnly,
              isDefault: e.source === SOURCE.DEFAULT,
              configSource: e.source,
              isSensitive: false,
              synonyms: req.includeSynonyms ? e.synonyms : [],
              configType: e.type,
              documentation: null,
            })),
        };
      }),
    };
  },
  errorResponse: (req, code) => ({ results: req.resources.map((r) => ({ errorCode: code, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })) }),
  scope: (req) => ({ topics: req.resources.filter((r) => r.resourceType === RESOURCE.TOPIC).map((r) => r.resourceName), partitions: [] }),
});

/**
 * With an authorizer: why the principal may not do `operation` (DESCRIBE_CONFIGS, ALTER_CONFIGS) on a
 * config resource — a topic's on the topic, a broker's on the cluster — or undefined when it may.
 * Kafka checks this before the resource's existence.
 */
export function configsRefusal(ctx: RequestContext, operation: number, resourceType: number, resourceName: string): { errorCode: number; errorMessage: string } | undefined {
  if (resourceType === RESOURCE.TOPIC && !allowed(ctx, operation, ACL_RESOURCE.TOPIC, resourceName)) return { errorCode: ERR.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Topic authorization failed.' };
  if (resourceType === RESOURCE.BROKER && !allowed(ctx, operation, ACL_RESOURCE.CLUSTER, CLUSTER_NAME)) return { errorCode: ERR.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' };
  return undefined;
}

/**
 * The broker a broker resource names: its id (each broker describes only itself, as Kafka's does),
 * null for "" (the cluster-wide dynamic values), or why the name is refused.
 */
export function brokerTarget(name: string, self: number): number | null | string {
  if (name === '') return null;
  if (!/^-?\d+$/.test(name)) return `Broker id must be an integer, but it is: ${name}`;
  if (Number(name) !== self) return `Unexpected broker id, expected ${self} or empty string, but received ${name}`;
  return self;
}
