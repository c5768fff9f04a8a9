// The config values a cluster answers with: a topic's own overrides, then broker configs changed at
// run time (IncrementalAlterConfigs on the cluster default or one broker), then what the twin sets
// as a broker's server.properties would (its port, auto-creation, limits), then Kafka's defaults.
// Every value carries its source, as DescribeConfigs reports it. Which configs exist and their
// defaults are those of the Kafka release the twin answers as: 3.9's tables changed by that
// release's facts (kafka-version.ts).
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-226+-+Dynamic+Broker+Configuration
import { BROKER_CONFIGS, type BrokerConfigDef } from './broker-configs.ts';
import { CONFIG_TYPE_CODE, configValueError, type ConfigType } from './config-value.ts';
import { TOPIC_CONFIGS, STANDIN_TOPIC_CONFIGS, type TopicConfigDef } from './topic-configs.ts';
import type { Topic } from './topic.ts';
import { DEFAULT_KAFKA_VERSION, RELEASE_FACTS, type KafkaVersion } from '../kafka-version.ts';

/** DescribeConfigs `configSource`. */
export const SOURCE = { DYNAMIC_TOPIC: 1, DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT_BROKER: 3, STATIC_BROKER: 4, DEFAULT: 5 } as const;

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: number;
  readOnly: boolean;
  /** DescribeConfigs v3+ `configType`. */
  type: number;
  /** Where the value could come from, highest precedence first (DescribeConfigs includeSynonyms). */
  synonyms: ConfigSynonym[];
}

/** A refusal of a config change: the Kafka error name and its message. */
export interface ConfigRefusal {
  error: 'INVALID_CONFIG' | 'INVALID_REQUEST';
  message: string;
}

export class ClusterConfigs {
  /** Broker configs set at run time for the whole cluster (resource name ""). */
  readonly dynamicDefault = new Map<string, string>();
  /** Broker configs set at run time for one broker. */
  readonly dynamicBroker = new Map<number, Map<string, string>>();

  /** The broker configs of the release, sorted by name as Kafka lists them. */
  readonly brokerDefs: readonly BrokerConfigDef[];
  /** Kafka's topic configs of the release. */
  readonly topicDefs: readonly TopicConfigDef[];
  private readonly brokerByName: ReadonlyMap<string, BrokerConfigDef>;
  private readonly topicByName: ReadonlyMap<string, TopicConfigDef>;
  private readonly unsetStatic: ReadonlySet<string>;

  /** `statics(nodeId)`: what the twin's own settings make of a broker's server.properties. */
  constructor(
    private readonly statics: (nodeId: number) => Record<string, string>,
    readonly kafkaVersion: KafkaVersion = DEFAULT_KAFKA_VERSION,
  ) {
    const { broker, topic } = RELEASE_FACTS[kafkaVersion];
    const extra = broker.extra.map(([name, type, dflt, dynamic]) => ({ name, type, default: dflt, dynamic }));
    this.brokerDefs = [...BROKER_CONFIGS.filter((d) => !broker.absent.includes(d.name)), ...extra]
      .map((d) => (d.name in broker.defaults ? { ...d, default: broker.defaults[d.name] ?? null } : d))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    this.topicDefs = TOPIC_CONFIGS.filter((d) => !topic.absent.includes(d.name)).map((d) => ({
      ...d,
      ...(topic.defaults[d.name] !== undefined ? { default: topic.defaults[d.name] as string } : {}),
      ...(topic.min[d.name] !== undefined ? { min: topic.min[d.name] } : {}),
    }));
    this.brokerByName = new Map(this.brokerDefs.map((d) => [d.name, d]));
    this.topicByName = new Map([...this.topicDefs, ...STANDIN_TOPIC_CONFIGS].map((d) => [d.name, d]));
    this.unsetStatic = new Set(broker.unsetStatic);
  }

  brokerConfigDef(name: string): BrokerConfigDef | undefined {
    return this.brokerByName.get(name);
  }

  /** A topic config of the release, or one Standin adds. */
  topicConfigDef(name: string): TopicConfigDef | undefined {
    return this.topicByName.get(name);
  }

  /** Each level of a broker's configs, highest precedence first. */
  private brokerLevels(nodeId: number | undefined): Array<[number, (name: string) => string | undefined]> {
    const own = nodeId === undefined ? undefined : this.dynamicBroker.get(nodeId);
    const statics = this.statics(nodeId ?? 0);
    return [
      [SOURCE.DYNAMIC_BROKER, (n) => own?.get(n)],
      [SOURCE.DYNAMIC_DEFAULT_BROKER, (n) => this.dynamicDefault.get(n)],
      [SOURCE.STATIC_BROKER, (n) => (this.unsetStatic.has(n) ? undefined : statics[n])],
      [SOURCE.DEFAULT, (n) => this.brokerConfigDef(n)?.default ?? undefined],
    ];
  }

  /** A broker config's effective value and where it comes from. */
  brokerValue(name: string, nodeId?: number): { value: string | null; source: number; synonyms: ConfigSynonym[] } {
    const synonyms: ConfigSynonym[] = [];
    for (const [source, get] of this.brokerLevels(nodeId)) {
      const value = get(name);
      if (value !== undefined) synonyms.push({ name, value, source });
    }
    const first = synonyms[0];
    return first ? { value: first.value, source: first.source, synonyms } : { value: null, source: SOURCE.DEFAULT, synonyms };
  }

  brokerEntries(nodeId: number | undefined): ConfigEntry[] {
    // The cluster default (resource name "") lists only what was set at run time, as Kafka does.
    const defs = nodeId === undefined ? this.brokerDefs.filter((d) => this.dynamicDefault.has(d.name)) : this.brokerDefs;
    return defs.map((d) => {
      const { value, source, synonyms } = this.brokerValue(d.name, nodeId);
      return { name: d.name, value, source, readOnly: !d.dynamic, type: CONFIG_TYPE_CODE[d.type], synonyms };
    });
  }

  /** A topic config's effective value, source and synonyms. */
  topicValue(topic: Topic, def: TopicConfigDef): { value: string; source: number; synonyms: ConfigSynonym[] } {
    const synonyms: ConfigSynonym[] = [];
    const own = topic.config[def.name];
    if (own !== undefined) synonyms.push({ name: def.name, value: own, source: SOURCE.DYNAMIC_TOPIC });
    // Kafka lists them by broker config, each at every level it is set: a broker's log.retention.ms
    // wins over its log.retention.hours whatever level either is set at.
    const levels = this.brokerLevels(undefined).filter(([source]) => source !== SOURCE.DYNAMIC_BROKER);
    for (const syn of def.synonyms) {
      for (const [source, get] of levels) {
        const raw = get(syn.name);
        if (raw !== undefined) synonyms.push({ name: syn.name, value: raw, source });
      }
    }
    const first = synonyms[0];
    if (!first) return { value: def.default, source: SOURCE.DEFAULT, synonyms };
    const factor = first.source === SOURCE.DYNAMIC_TOPIC ? undefined : def.synonyms.find((x) => x.name === first.name)?.factor;
    const value = factor && first.value !== null ? String(Number(first.value) * factor) : (first.value ?? def.default);
    return { value, source: first.source, synonyms };
  }

  topicEntries(topic: Topic): ConfigEntry[] {
    const extra = STANDIN_TOPIC_CONFIGS.filter((d) => topic.config[d.name] !== undefined);
    return [...this.topicDefs, ...extra].map((d) => {
      const { value, source, synonyms } = this.topicValue(topic, d);
      return { name: d.name, value, source, readOnly: false, type: CONFIG_TYPE_CODE[d.type], synonyms };
    });
  }

  /** The effective value of a topic config by name (an unknown name is a programming error). */
  topicConfig(topic: Topic, name: string): string {
    const def = this.topicConfigDef(name);
    if (!def) throw new Error(`no topic config ${name}`);
    return this.topicValue(topic, def).value;
  }

  /** Why a topic config may not be set to `value` (null: removed), or undefined when it may. */
  checkTopicConfig(name: string, value: string | null): ConfigRefusal | undefined {
    const def = this.topicConfigDef(name);
    if (!def) return { error: 'INVALID_CONFIG', message: `Unknown topic config name: ${name}` };
    if (value === null) return undefined;
    const why = configValueError(name, value, def);
    return why ? { error: 'INVALID_CONFIG', message: why } : undefined;
  }

  /** Why a broker config may not be set at run time, or undefined when it may. */
  checkBrokerConfig(name: string, value: string | null): ConfigRefusal | undefined {
    const def = this.brokerConfigDef(name);
    if (!def) return { error: 'INVALID_CONFIG', message: `Unknown broker config name: ${name}` };
    if (!def.dynamic) return { error: 'INVALID_REQUEST', message: `Cannot update these configs dynamically: Set(${name})` };
    if (value === null) return undefined;
    const why = configValueError(name, value, { type: def.type as ConfigType });
    return why ? { error: 'INVALID_CONFIG', message: why } : undefined;
  }
}
