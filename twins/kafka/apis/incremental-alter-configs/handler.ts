// IncrementalAlterConfigs (KIP-339): edits a topic's configs or a broker's run-time configs one by
// one — SET, DELETE (back to the default), and for list configs APPEND and SUBTRACT items — leaving
// the rest as they are. validateOnly checks without changing. With an authorizer each resource needs
// ALTER_CONFIGS on its topic or the cluster (describe-configs).
// @see https://kafka.apache.org/protocol.html#The_Messages_IncrementalAlterConfigs
import { defineApi } from '../api.ts';
import { errorName } from '../../protocol/error-codes.ts';
import { OPERATION } from '../../cluster/acls.ts';
import { configsRefusal } from '../describe-configs/handler.ts';
import { changeConfigs, RESOURCE_TOPIC, type ConfigEdit } from '../../cluster/config-changes.ts';
import type { ClusterConfigs } from '../../cluster/configs.ts';
import {
  incrementalAlterConfigsSpec,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsRequestAlterConfigsResourceAlterableConfig as Alteration,
  type IncrementalAlterConfigsResponse,
} from './schema.ts';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

function editOf(alterations: Alteration[], configs: ClusterConfigs): ConfigEdit {
  return (current, kind) => {
    const names = alterations.map((a) => a.name);
    if (new Set(names).size !== names.length) return { refusal: { error: 'INVALID_REQUEST', message: 'Error due to duplicate config keys' } };
    const next = { ...current };
    for (const a of alterations) {
      if (a.configOperation === DELETE) {
        delete next[a.name];
        continue;
      }
      if (a.configOperation !== SET && a.configOperation !== APPEND && a.configOperation !== SUBTRACT) {
        return { refusal: { error: 'INVALID_REQUEST', message: `Unknown operation type ${a.configOperation}` } };
      }
      if (a.value === null && a.configOperation === SET) return { refusal: { error: 'INVALID_REQUEST', message: `Null value not supported for : ${a.name}` } };
      if (a.configOperation === SET) {
        next[a.name] = a.value as string;
        continue;
      }
      const def = kind === 'topic' ? configs.topicConfigDef(a.name) : configs.brokerConfigDef(a.name);
      if (!def) return { refusal: { error: 'INVALID_CONFIG', message: `Unknown ${kind} config name: ${a.name}` } };
      const verb = a.configOperation === APPEND ? 'append' : 'subtract';
      if (def.type !== 'list') return { refusal: { error: 'INVALID_CONFIG', message: `Config value ${verb} is not allowed for config key: ${a.name}` } };
      const split = (v: string | undefined | null): string[] => (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
      const items = split(next[a.name] ?? def.default);
      const given = split(a.value);
      const result = a.configOperation === APPEND ? [...items, ...given.filter((x) => !items.includes(x))] : items.filter((x) => !given.includes(x));
      next[a.name] = result.join(',');
    }
    return { next };
  };
}

export const incrementalAlterConfigsApi = defineApi<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  spec: incrementalAlterConfigsSpec,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        ...(configsRefusal(ctx, OPERATION.ALTER_CONFIGS, r.resourceType, r.resourceName) ??
          changeConfigs(ctx.cluster, r.resourceType, r.resourceName, editOf(r.configs, ctx.cluster.configs), req.validateOnly)),
      })),
    };
  },
  errorResponse: (req, code) => ({ responses: req.resources.map((r) => ({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode: code, errorMessage: errorName(code) })) }),
  scope: (req) => ({ topics: req.resources.filter((r) => r.resourceType === RESOURCE_TOPIC).map((r) => r.resourceName), partitions: [] }),
});
