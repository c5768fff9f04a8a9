// A change of a topic's or a broker's configs (AlterConfigs replaces the set, IncrementalAlterConfigs
// edits it), checked name by name and value by value, then applied: DescribeConfigs shows it and the
// topics' logs follow at once (retention.ms, retention.bytes, max.message.bytes, cleanup.policy,
// message.timestamp.type). Broker configs can be set for one broker or, with the name "", for the
// whole cluster; only those Kafka changes at run time are accepted.
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-339%3A+Create+a+new+IncrementalAlterConfigs+API
import { ERR } from '../protocol/error-codes.ts';
import type { Cluster } from './cluster.ts';
import type { ConfigRefusal } from './configs.ts';
import { validTopicName } from './topic.ts';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;

export interface ChangeOutcome {
  errorCode: number;
  errorMessage: string | null;
}

/** Computes the resource's next set of configs from its current one, or refuses. */
export type ConfigEdit = (current: Readonly<Record<string, string>>, kind: 'topic' | 'broker') => { next: Record<string, string> } | { refusal: ConfigRefusal };

const refused = (code: number, message: string): ChangeOutcome => ({ errorCode: code, errorMessage: message });

export function changeConfigs(cluster: Cluster, resourceType: number, resourceName: string, edit: ConfigEdit, validateOnly: boolean): ChangeOutcome {
  if (resourceType === RESOURCE_TOPIC) {
    if (!validTopicName(resourceName)) return refused(ERR.INVALID_TOPIC_EXCEPTION, `Topic name '${resourceName}' is illegal.`);
    const topic = cluster.topics.get(resourceName);
    if (!topic) return refused(ERR.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resourceName} does not exist.`);
    const edited = edit(topic.config, 'topic');
    if ('refusal' in edited) return refused(ERR[edited.refusal.error], edited.refusal.message);
    const { next } = edited;
    for (const [name, value] of Object.entries(next)) {
      const refusal = cluster.configs.checkTopicConfig(name, value);
      if (refusal) return refused(ERR[refusal.error], refusal.message);
    }
    if (validateOnly) return { errorCode: ERR.NONE, errorMessage: null };
    topic.config = next;
    cluster.refreshLogConfig(topic);
    cluster.options.onEvent(`configs of topic ${resourceName} changed`, { topic: resourceName, config: next });
    return { errorCode: ERR.NONE, errorMessage: null };
  }
  if (resourceType === RESOURCE_BROKER) {
    const nodeId = resourceName === '' ? undefined : Number(resourceName);
    if (nodeId !== undefined && (!/^\d+$/.test(resourceName) || !cluster.brokers.some((b) => b.nodeId === nodeId))) {
      return refused(ERR.INVALID_REQUEST, `Broker ${resourceName} is not registered.`);
    }
    const store = nodeId === undefined ? cluster.configs.dynamicDefault : (cluster.configs.dynamicBroker.get(nodeId) ?? new Map<string, string>());
    const edited = edit(Object.fromEntries(store), 'broker');
    if ('refusal' in edited) return refused(ERR[edited.refusal.error], edited.refusal.message);
    const { next } = edited;
    for (const [name, value] of Object.entries(next)) {
      if (store.get(name) === value) continue;
      const refusal = cluster.configs.checkBrokerConfig(name, value);
      if (refusal) return refused(ERR[refusal.error], refusal.message);
    }
    if (validateOnly) return { errorCode: ERR.NONE, errorMessage: null };
    store.clear();
    for (const [name, value] of Object.entries(next)) store.set(name, value);
    if (nodeId !== undefined) cluster.configs.dynamicBroker.set(nodeId, store);
    for (const topic of cluster.topics.values()) cluster.refreshLogConfig(topic);
    cluster.options.onEvent(`broker configs ${resourceName === '' ? 'of the cluster' : `of broker ${resourceName}`} changed`, { broker: resourceName, config: next });
    return { errorCode: ERR.NONE, errorMessage: null };
  }
  return refused(ERR.INVALID_REQUEST, `Unsupported resource type ${resourceType}.`);
}
