// The `kafka` twin kind: an in-process Kafka cluster of N brokers, each on its own port, sharing
// one state, speaking the Kafka wire protocol to unmodified clients (kafkajs, librdkafka/kcat, …).
import { Type } from '@sinclair/typebox';
import { defineTwinKind, FaultTimers, removeTlsIdentities, StandinError, tlsIdentity } from '../../src/core/index.ts';
import { REGISTRY } from './apis/registry.ts';
import { Cluster, advertisedAddress, type BrokerInfo } from './cluster/cluster.ts';
import { partitionForKey } from './cluster/partitioner.ts';
import { KafkaConfigSchema, type KafkaConfig } from './config.ts';
import { inspectCluster } from './inspect.ts';
import { kafkaPoints } from './points.ts';
import { encodeBatch } from './protocol/record-batch.ts';
import { ERR, errorName } from './protocol/error-codes.ts';
import { BrokerListener } from './server/broker.ts';
import { topicExpectation } from './expectations.ts';
import { OPERATION, PATTERN, PERMISSION, RESOURCE, type OperationName } from './cluster/acls.ts';
import { DEFAULT_KAFKA_VERSION, versionTable } from './kafka-version.ts';
import { kafkaExplore } from './explore.ts';

const ProduceParams = Type.Object(
  {
    topic: Type.String({ minLength: 1 }),
    value: Type.Union([Type.String(), Type.Null()]),
    key: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    partition: Type.Optional(Type.Integer({ minimum: 0 })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

const CreateTopicParams = Type.Object(
  {
    name: Type.String(),
    partitions: Type.Optional(Type.Integer({ minimum: 1 })),
    replicationFactor: Type.Optional(Type.Integer({ minimum: 1 })),
    config: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);
const BrokerParams = Type.Object({ broker: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
const GroupParams = Type.Object({ group: Type.String() }, { additionalProperties: false });

/** Which field of a configured topic a CreateTopics refusal is about. */
const TOPIC_FIELD_OF_ERROR = new Map<number, string>([
  [ERR.INVALID_PARTITIONS, 'partitions'],
  [ERR.POLICY_VIOLATION, 'partitions'],
  [ERR.INVALID_REPLICATION_FACTOR, 'replicationFactor'],
  [ERR.INVALID_CONFIG, 'config'],
]);

export const kafkaTwin = defineTwinKind({
  kind: 'kafka',
  description: 'Kafka-protocol broker cluster in process (kafkajs, librdkafka/kcat, kafka-python, @platformatic/kafka)',
  configSchema: KafkaConfigSchema,
  points: kafkaPoints,
  explore: kafkaExplore,
  expectations: [topicExpectation],
  actions: {
    produce: { description: 'append a record as if a producer sent it', params: ProduceParams },
    'create-topic': { description: 'create a topic', params: CreateTopicParams },
    'delete-topic': { description: 'delete a topic', params: Type.Object({ name: Type.String() }, { additionalProperties: false }) },
    'broker-down': { description: 'stop a broker: its port refuses, its partitions move to brokers that are up', params: BrokerParams },
    'broker-up': { description: 'start a stopped broker again on its port', params: BrokerParams },
    'move-leader': {
      description: "move a partition's leader (to a broker, or the next one up); clients get NOT_LEADER_OR_FOLLOWER and refresh metadata",
      params: Type.Object({ topic: Type.String(), partition: Type.Integer({ minimum: 0 }), to: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
    },
    compact: {
      description: "roll the active segment of a compacted topic's partitions and run the log cleaner on them now (cleanup.policy=compact)",
      params: Type.Object({ topic: Type.String(), partition: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
    },
    rebalance: { description: 'force a consumer group to rebalance', params: GroupParams },
    'move-coordinator': {
      description: "move a group's coordinator to another broker; clients get NOT_COORDINATOR",
      params: Type.Object({ group: Type.String(), to: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
    },
  },

  async shutdown() {
    await removeTlsIdentities('kafka');
  },

  async start(config: KafkaConfig, ctx) {
    const count = config.brokers ?? 1;
    const configError = (path: string, detail: string): StandinError => new StandinError('STANDIN_ERR_TWIN_CONFIG_INVALID', { twin: ctx.name, path, detail });
    if ((config.defaultPartitions ?? 1) > ctx.limits.kafkaPartitionsPerTopic) {
      throw configError('.defaultPartitions', `${config.defaultPartitions} is more than this server allows per topic (${ctx.limits.kafkaPartitionsPerTopic}, --limit-kafka-partitions-per-topic)`);
    }
    const cluster = new Cluster({
      clusterId: config.clusterId ?? `standin-${ctx.name}`,
      autoCreateTopics: config.autoCreateTopics ?? true,
      defaultPartitions: config.defaultPartitions ?? 1,
      limits: ctx.limits,
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs ?? 0,
      consumerSessionTimeoutMs: config.groupConsumerSessionTimeoutMs ?? 45_000,
      rng: ctx.rng,
      now: ctx.now,
      // Not at a fault point: the event has a type only.
      onEvent: (summary, data) => ctx.journal.record({ type: 'state', summary, data }),
      ...(config.kafkaVersion ? { kafkaVersion: config.kafkaVersion } : {}),
      ...(config.authorizer ? { authorizer: { superUsers: config.authorizer.superUsers ?? [], allowEveryoneIfNoAclFound: config.authorizer.allowEveryoneIfNoAclFound ?? false } } : {}),
    });
    // Checked as CreateAcls checks them; a refusal is a config error naming the binding.
    const startAcls = (config.authorizer?.acls ?? []).map((a, i) => {
      const binding = {
        resourceType: RESOURCE[a.resourceType],
        resourceName: a.resourceName,
        patternType: PATTERN[a.patternType ?? 'LITERAL'],
        principal: a.principal,
        host: a.host ?? '*',
        operation: OPERATION[a.operation as OperationName],
        permissionType: PERMISSION[a.permission ?? 'ALLOW'],
      };
      const invalid = cluster.acls.invalid(binding);
      if (invalid) throw configError(`.authorizer.acls[${i}]`, invalid);
      return binding;
    });
    const configuredAcls = (): void => {
      cluster.acls.bindings = [];
      for (const b of startAcls) cluster.acls.add(b);
    };
    configuredAcls();
    const listeners: BrokerListener[] = [];
    const runtimeConfig = { sasl: config.sasl, consumerHeartbeatIntervalMs: config.groupConsumerHeartbeatIntervalMs ?? 5000 };
    const faultTimers = new FaultTimers();
    const versions = versionTable(config.kafkaVersion ?? DEFAULT_KAFKA_VERSION, REGISTRY, config.groupCoordinatorRebalanceProtocols);
    const tls = config.tls ? await tlsIdentity(ctx.cacheDir, 'kafka', [ctx.advertisedHost]) : undefined;
    try {
      for (let nodeId = 0; nodeId < count; nodeId++) {
        const adv = config.advertised?.[nodeId]?.split(':');
        const broker: BrokerInfo = { nodeId, host: ctx.host, port: 0, up: true, ...(adv ? { advertised: { host: adv[0] as string, port: Number(adv[1]) } } : {}) };
        cluster.brokers.push(broker);
        const listener = new BrokerListener({ cluster, broker, twin: ctx, config: runtimeConfig, apis: REGISTRY, versions, faultTimers }, tls?.context);
        await listener.start(config.ports?.[nodeId] ?? (nodeId === 0 ? (config.port ?? 0) : 0));
        // Clients connect where Metadata sends them: outside a container that is --advertise-host.
        broker.advertised ??= { host: ctx.advertisedHost, port: broker.port };
        listeners.push(listener);
      }
      // Configured topics are checked as a client's CreateTopics is (names, replication factor,
      // partition limits); a refusal is a config error naming the field.
      (config.topics ?? []).forEach((t, i) => {
        const outcome = cluster.createTopic(t);
        if (outcome.errorCode === ERR.NONE) return;
        throw configError(`.topics[${i}].${TOPIC_FIELD_OF_ERROR.get(outcome.errorCode) ?? 'name'}`, outcome.errorMessage ?? errorName(outcome.errorCode));
      });
    } catch (e) {
      await Promise.all(listeners.map((l) => l.stop()));
      cluster.stop();
      throw e;
    }
    const bootstrap = cluster.brokers.map((b) => advertisedAddress(b)).map((a) => `${a.host}:${a.port}`).join(',');
    const listenerOf = (nodeId: number): BrokerListener => {
      const l = listeners[nodeId];
      if (!l) throw new StandinError('STANDIN_ERR_TWIN_ACTION_FAILED', { verb: 'broker', twin: ctx.name, detail: `no broker ${nodeId}` });
      return l;
    };
    const fail = (verb: string, detail: string): never => {
      throw new StandinError('STANDIN_ERR_TWIN_ACTION_FAILED', { verb, twin: ctx.name, detail });
    };

    return {
      endpoints: { bootstrap, brokers: bootstrap, ...(tls ? { caCert: tls.certFile } : {}) },
      env: {
        KAFKA_BROKERS: bootstrap,
        // Kafka's names for a client's settings (librdkafka, Java): the listener's protocol and CA;
        // NODE_EXTRA_CA_CERTS lets a Node client that verifies (kafkajs `ssl: true`) trust it too.
        ...(tls || config.sasl ? { KAFKA_SECURITY_PROTOCOL: `${config.sasl ? 'SASL_' : ''}${tls ? 'SSL' : 'PLAINTEXT'}` } : {}),
        ...(tls ? { KAFKA_SSL_CA_LOCATION: tls.certFile, NODE_EXTRA_CA_CERTS: tls.certFile } : {}),
      },
      inspect: async (query = {}) => inspectCluster(cluster, listeners.map((l) => l.fetchSessions), query as { topic?: string; group?: string; limit?: number }),
      actions: {
        produce: async (p) => {
          const topic = cluster.topic(p.topic) ?? fail('produce', `no topic ${p.topic}`);
          const key = p.key === undefined || p.key === null ? null : Buffer.from(p.key);
          const index = p.partition ?? (key ? partitionForKey(key, topic.partitions.length) : Math.floor(ctx.rng('produce', topic.name, topic.partitions.reduce((n, x) => n + x.log.nextOffset, 0)).next() * topic.partitions.length));
          const partition = topic.partitions[index] ?? fail('produce', `no partition ${index} in ${p.topic}`);
          const now = ctx.now();
          const batch = encodeBatch({
            baseOffset: 0,
            baseTimestamp: now,
            records: [
              {
                attributes: 0,
                timestampDelta: 0,
                offsetDelta: 0,
                key,
                value: p.value === null ? null : Buffer.from(p.value),
                headers: Object.entries(p.headers ?? {}).map(([k, v]) => ({ key: k, value: Buffer.from(v) })),
              },
            ],
          });
          if (cluster.logFull(batch.length)) fail('produce', `${errorName(ERR.KAFKA_STORAGE_ERROR)}: the twin's logs hold limits.kafkaLogBytes (--limit-kafka-log-bytes)`);
          const stored = partition.log.append(batch, now);
          ctx.journal.record({ type: 'action', summary: `produce to ${p.topic}/${index}@${stored.baseOffset}`, data: { topic: p.topic, partition: index, offset: stored.baseOffset } });
          return { topic: p.topic, partition: index, offset: stored.baseOffset };
        },
        'create-topic': async (p) => {
          const outcome = cluster.createTopic(p);
          if (outcome.errorCode !== ERR.NONE) fail('create-topic', `${errorName(outcome.errorCode)}: ${outcome.errorMessage}`);
          return { name: p.name, partitions: cluster.topics.get(p.name)?.partitions.length };
        },
        'delete-topic': async (params) => {
          const code = cluster.deleteTopic(params.name);
          if (code !== 0) fail('delete-topic', errorName(code));
          return { deleted: params.name };
        },
        'broker-down': async (params) => {
          await listenerOf(params.broker).down();
          return { broker: params.broker, up: false };
        },
        'broker-up': async (params) => {
          await listenerOf(params.broker).up();
          return { broker: params.broker, up: true };
        },
        'move-leader': async (params) => {
          const p = cluster.moveLeader(params.topic, params.partition, params.to);
          if (!p) fail('move-leader', `no partition ${params.topic}/${params.partition}`);
          return { topic: params.topic, partition: params.partition, leader: p?.leader, leaderEpoch: p?.leaderEpoch };
        },
        compact: async (params) => {
          const topic = cluster.topic(params.topic) ?? fail('compact', `no topic ${params.topic}`);
          if (!topic.logConfig.compacts) fail('compact', `topic ${params.topic} has no compact in cleanup.policy`);
          const chosen = params.partition === undefined ? topic.partitions : [topic.partitions[params.partition] ?? fail('compact', `no partition ${params.partition} in ${params.topic}`)];
          const now = ctx.now();
          const partitions = chosen.map((p) => ({ partition: p.index, removed: p.log.roll(now), logStartOffset: p.log.logStartOffset, highWatermark: p.log.highWatermark }));
          ctx.journal.record({ type: 'action', summary: `compact ${params.topic}: ${partitions.reduce((n, p) => n + p.removed, 0)} records removed`, data: { topic: params.topic, partitions } });
          return { topic: params.topic, partitions };
        },
        rebalance: async (params) => {
          if (!cluster.groups.forceRebalance(params.group)) fail('rebalance', `group ${params.group} has no members`);
          return { group: params.group };
        },
        'move-coordinator': async (params) => {
          cluster.coordinatorOverride.set(params.group, params.to);
          return { group: params.group, coordinator: cluster.coordinatorFor(params.group)?.nodeId };
        },
      },
      reset: async () => {
        cluster.groups.clear();
        cluster.producers.clear();
        cluster.coordinatorOverride.clear();
        configuredAcls();
        for (const name of [...cluster.topics.keys()]) cluster.deleteTopic(name);
        for (const l of listeners) l.fetchSessions.clear();
        await Promise.all(listeners.map((l) => l.up()));
        for (const t of config.topics ?? []) cluster.createTopic(t);
      },
      stop: async () => {
        faultTimers.stop();
        cluster.stop();
        await Promise.all(listeners.map((l) => l.stop()));
      },
    };
  },
});
