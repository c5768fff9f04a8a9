// The shared state of one kafka twin: brokers (each its own port), topics with partitions and logs,
// the group coordinator and producer state. Every broker answers for the whole cluster; a partition's
// leader is the broker that accepts its Produce and Fetch.
import { longTimeout, type Limits, type LongTimer, type Rng } from '../../../src/core/index.ts';
import { AclStore, type AuthorizerOptions } from './acls.ts';
import { DEFAULT_LOG_CONFIG, type LogBudget, type LogConfig } from './log.ts';
import { ClusterConfigs, SOURCE } from './configs.ts';
import type { KafkaVersion } from '../kafka-version.ts';
import { topicConfigDef, type TopicConfigDef } from './topic-configs.ts';
import { checkAssignment, type ReplicaAssignment } from './replica-assignment.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import { ProducerState } from './producer-state.ts';
import { newPartition, validTopicName, type Partition, type Topic } from './topic.ts';
import { ERR } from '../protocol/error-codes.ts';

export interface BrokerInfo {
  nodeId: number;
  /** Where it listens. */
  host: string;
  port: number;
  /** What Metadata and FindCoordinator announce (advertised.listeners); defaults to host:port. */
  advertised?: { host: string; port: number };
  up: boolean;
}

export function advertisedAddress(b: BrokerInfo): { host: string; port: number } {
  return b.advertised ?? { host: b.host, port: b.port };
}

export interface TopicSpec {
  name: string;
  partitions?: number;
  replicationFactor?: number;
  config?: Record<string, string>;
  /** Replicas chosen by the client (CreateTopics assignments), partition by partition. */
  assignments?: ReplicaAssignment[];
}

/** A per-topic answer of CreateTopics or CreatePartitions: the code and, when it fails, why. */
export interface TopicOutcome {
  errorCode: number;
  errorMessage: string | null;
}

const OK: TopicOutcome = { errorCode: ERR.NONE, errorMessage: null };
const refuse = (errorCode: number, errorMessage: string): TopicOutcome => ({ errorCode, errorMessage });

export interface ClusterOptions {
  clusterId: string;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  /** The server's limits: partitions per topic and per twin, groups and their members. */
  limits: Limits;
  now: () => number;
  onEvent: (summary: string, data: Record<string, unknown>) => void;
  initialRebalanceDelayMs?: number;
  /** group.consumer.session.timeout.ms: a consumer-protocol member unheard of this long is fenced. */
  consumerSessionTimeoutMs?: number;
  /** The twin's seeded streams (ctx.rng): topic and member ids come from the environment seed. */
  rng: (...label: Array<string | number>) => Rng;
  /** The authorizer (ACLs enforced), when the twin configures one. */
  authorizer?: AuthorizerOptions;
  /** The Kafka release whose configs and defaults DescribeConfigs answers with (3.9 when absent). */
  kafkaVersion?: KafkaVersion;
}

export class Cluster {
  readonly brokers: BrokerInfo[] = [];
  readonly topics = new Map<string, Topic>();
  /** Bytes held by all partition logs, bounded by limits.kafkaLogBytes. */
  readonly logBytes: LogBudget = { used: 0 };
  readonly groups: GroupCoordinator;
  readonly producers: ProducerState;
  /** Groups moved to another coordinator by the `move-coordinator` action. */
  readonly coordinatorOverride = new Map<string, number>();
  /** Broker and topic config values (DescribeConfigs, AlterConfigs) and where each comes from. */
  readonly configs: ClusterConfigs;
  /** ACL bindings and the authorizer that applies them. */
  readonly acls: AclStore;
  private nextLeader = 0;
  /** Work the twin does later (a delayed produce's append), cancelled when it stops. */
  private readonly pending = new Set<LongTimer>();
  /** Partitions across all topics, kept as topics come and go so a check costs O(1). */
  private partitionCount = 0;
  /** Topics created so far under each name: a topic deleted and created again gets a new id. */
  private readonly incarnations = new Map<string, number>();

  constructor(readonly options: ClusterOptions) {
    this.configs = new ClusterConfigs((nodeId) => this.staticBrokerConfig(nodeId), options.kafkaVersion);
    this.acls = new AclStore(options.authorizer);
    this.producers = new ProducerState(options.limits.kafkaProducerIds);
    this.groups = new GroupCoordinator(options.now, options.onEvent, options.initialRebalanceDelayMs, {
      groups: options.limits.kafkaGroups,
      members: options.limits.kafkaGroupMembers,
    }, options.rng, { sessionTimeoutMs: options.consumerSessionTimeoutMs ?? 45_000, topics: () => new Map([...this.topics.values()].map((t) => [t.name, t.partitions.length])) });
  }

  get clusterId(): string {
    return this.options.clusterId;
  }

  upBrokers(): BrokerInfo[] {
    return this.brokers.filter((b) => b.up);
  }

  /** The controller: the first broker that is up. */
  get controllerId(): number {
    return this.upBrokers()[0]?.nodeId ?? -1;
  }

  /**
   * Checks a new topic as Kafka's controller does, plus this twin's partition limits (each
   * partition holds a log, so a client-chosen count must not size memory without bound).
   * -1 (or an absent value) means the default; 0 and other negatives are refused.
   */
  checkNewTopic(spec: TopicSpec): TopicOutcome & { partitions: number; replicationFactor: number } {
    const assigned = spec.assignments && spec.assignments.length > 0 ? spec.assignments : undefined;
    const partitions = assigned ? assigned.length : spec.partitions === undefined || spec.partitions === -1 ? this.options.defaultPartitions : spec.partitions;
    const replicationFactor = assigned ? (assigned[0] as ReplicaAssignment).brokerIds.length : spec.replicationFactor === undefined || spec.replicationFactor === -1 ? 1 : spec.replicationFactor;
    const sized = { partitions, replicationFactor };
    const no = (code: number, message: string): TopicOutcome & typeof sized => ({ ...sized, ...refuse(code, message) });
    if (!validTopicName(spec.name)) return no(ERR.INVALID_TOPIC_EXCEPTION, `Topic name '${spec.name}' is illegal: at most 249 of [a-zA-Z0-9._-], not '.' or '..'.`);
    if (this.topics.has(spec.name)) return no(ERR.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`);
    // '.' and '_' collide in metric names, so Kafka refuses a name that differs from another only there.
    const collides = [...this.topics.keys()].find((n) => n.replaceAll('.', '_') === spec.name.replaceAll('.', '_'));
    if (collides) return no(ERR.INVALID_TOPIC_EXCEPTION, `Topic '${spec.name}' collides with existing topic: ${collides}`);
    if (assigned) {
      if (spec.replicationFactor !== undefined && spec.replicationFactor !== -1) {
        return no(ERR.INVALID_REPLICATION_FACTOR, 'A manual partition assignment was specified, but replication factor was not set to -1.');
      }
      if (spec.partitions !== undefined && spec.partitions !== -1) return no(ERR.INVALID_PARTITIONS, 'A manual partition assignment was specified, but numPartitions was not set to -1.');
      const seen = new Set<number>();
      for (const a of assigned) {
        if (seen.has(a.partitionIndex)) return no(ERR.INVALID_REPLICA_ASSIGNMENT, `Found multiple manual partition assignments for partition ${a.partitionIndex}`);
        seen.add(a.partitionIndex);
        const why = checkAssignment(a.brokerIds, a.partitionIndex, replicationFactor, this.brokers);
        if (why) return no(ERR.INVALID_REPLICA_ASSIGNMENT, why);
      }
      for (let i = 0; i < assigned.length; i++) if (!seen.has(i)) return no(ERR.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence');
    } else {
      if (partitions <= 0) return no(ERR.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
      if (replicationFactor <= 0) return no(ERR.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
      const registered = this.upBrokers().length;
      if (replicationFactor > registered) {
        return no(
          ERR.INVALID_REPLICATION_FACTOR,
          `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${registered} broker(s) are registered.`,
        );
      }
    }
    for (const [name, value] of Object.entries(spec.config ?? {})) {
      const refusal = this.configs.checkTopicConfig(name, value);
      if (refusal) return no(ERR[refusal.error], refusal.message);
    }
    return { ...sized, ...this.checkGrowth(spec.name, partitions, partitions) };
  }

  createTopic(spec: TopicSpec): TopicOutcome {
    const checked = this.checkNewTopic(spec);
    if (checked.errorCode !== ERR.NONE) return { errorCode: checked.errorCode, errorMessage: checked.errorMessage };
    const config = spec.config ?? {};
    // One stream per name and incarnation: the id does not depend on what other topics were made.
    const incarnation = (this.incarnations.get(spec.name) ?? 0) + 1;
    this.incarnations.set(spec.name, incarnation);
    const id = this.options.rng('topic-id', spec.name, incarnation).bytes(16);
    const topic: Topic = { name: spec.name, id, replicationFactor: checked.replicationFactor, config, logConfig: { ...DEFAULT_LOG_CONFIG }, partitions: [] };
    this.refreshLogConfig(topic);
    const assigned = [...(spec.assignments ?? [])].sort((a, b) => a.partitionIndex - b.partitionIndex);
    for (let i = 0; i < checked.partitions; i++) topic.partitions.push(this.newPartition(topic, i, assigned[i]?.brokerIds));
    this.topics.set(spec.name, topic);
    this.partitionCount += checked.partitions;
    this.options.onEvent(`topic ${spec.name} created`, { topic: spec.name, partitions: checked.partitions });
    return OK;
  }

  /** CreatePartitions: grows a topic to `total` partitions, on the replicas `assignments` name if given. */
  checkAddPartitions(name: string, total: number, assignments: number[][] | null = null): TopicOutcome {
    const topic = this.topics.get(name);
    if (!topic) return refuse(ERR.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    const current = topic.partitions.length;
    if (total === current) return refuse(ERR.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
    if (total < current) return refuse(ERR.INVALID_PARTITIONS, `The topic ${name} currently has ${current} partition(s); ${total} would not be an increase.`);
    if (assignments) {
      const added = total - current;
      if (assignments.length !== added) {
        return refuse(ERR.INVALID_REPLICA_ASSIGNMENT, `Attempted to add ${added} additional partition(s), but only ${assignments.length} assignment(s) were specified.`);
      }
      for (const [i, brokerIds] of assignments.entries()) {
        const why = checkAssignment(brokerIds, current + i, topic.replicationFactor, this.brokers);
        if (why) return refuse(ERR.INVALID_REPLICA_ASSIGNMENT, why);
      }
    }
    return this.checkGrowth(name, total, total - current);
  }

  addPartitions(name: string, total: number, assignments: number[][] | null = null): TopicOutcome {
    const checked = this.checkAddPartitions(name, total, assignments);
    if (checked.errorCode !== ERR.NONE) return checked;
    const topic = this.topics.get(name) as Topic;
    const current = topic.partitions.length;
    for (let i = current; i < total; i++) topic.partitions.push(this.newPartition(topic, i, assignments?.[i - current]));
    this.partitionCount += total - current;
    this.options.onEvent(`topic ${name} grown to ${total} partitions`, { topic: name, partitions: total });
    return OK;
  }

  /**
   * A topic's configs changed (AlterConfigs, IncrementalAlterConfigs) or the broker defaults they
   * fall back to: its logs follow at once (retention runs, the next append sees the new limits).
   */
  refreshLogConfig(topic: Topic): void {
    const value = (name: string): string => this.configs.topicConfig(topic, name);
    const positive = (n: number): number | undefined => (n > 0 ? n : undefined);
    const policy = value('cleanup.policy').split(',').map((p) => p.trim());
    const retentionMs = this.configs.topicValue(topic, topicConfigDef('retention.ms') as TopicConfigDef);
    const logConfig: LogConfig = {
      records: positive(Number(topic.config['retention.records'] ?? -1)),
      bytes: positive(Number(value('retention.bytes'))),
      // Kafka applies retention at its check, every log.retention.check.interval.ms; the twin applies
      // a retention.ms someone set at once (so a test sees it), and the default at those checks.
      ms: retentionMs.source === SOURCE.DEFAULT ? undefined : Number(retentionMs.value),
      defaultMs: retentionMs.source === SOURCE.DEFAULT ? Number(retentionMs.value) : undefined,
      retentionCheckMs: Number(this.configs.brokerValue('log.retention.check.interval.ms').value),
      segmentBytes: Number(value('segment.bytes')),
      segmentMs: Number(value('segment.ms')),
      deleteRetentionMs: Number(value('delete.retention.ms')),
      minCompactionLagMs: Number(value('min.compaction.lag.ms')),
      deletes: policy.includes('delete'),
      compacts: policy.includes('compact'),
      logAppendTime: value('message.timestamp.type') === 'LogAppendTime',
      maxMessageBytes: Number(value('max.message.bytes')),
    };
    Object.assign(topic.logConfig, logConfig);
    const now = this.options.now();
    for (const p of topic.partitions) p.log.enforceRetention(now);
  }

  /** A topic reaching `total` partitions by adding `added`, against both partition limits. */
  private checkGrowth(name: string, total: number, added: number): TopicOutcome {
    const { kafkaPartitionsPerTopic: perTopic, kafkaPartitionsPerCluster: perCluster } = this.options.limits;
    if (total > perTopic) {
      return refuse(ERR.INVALID_PARTITIONS, `Topic '${name}': ${total} partitions is more than this twin allows per topic (${perTopic}, limit kafkaPartitionsPerTopic).`);
    }
    if (this.partitionCount + added > perCluster) {
      return refuse(
        ERR.POLICY_VIOLATION,
        `Topic '${name}': ${added} more partitions would exceed this twin's ${perCluster} partitions across all topics (limit kafkaPartitionsPerCluster; ${this.partitionCount} exist).`,
      );
    }
    return OK;
  }

  /** Whether `bytes` more would take this twin's logs past limits.kafkaLogBytes (a full disk). */
  logFull(bytes: number): boolean {
    return this.logBytes.used + bytes > this.options.limits.kafkaLogBytes;
  }

  deleteTopic(name: string): number {
    const topic = this.topics.get(name);
    if (!topic) return ERR.UNKNOWN_TOPIC_OR_PARTITION;
    for (const p of topic.partitions) p.log.clear();
    this.topics.delete(name);
    this.partitionCount -= topic.partitions.length;
    this.options.onEvent(`topic ${name} deleted`, { topic: name });
    return ERR.NONE;
  }

  /** A topic, auto-created when allowed. */
  topic(name: string, autoCreate = this.options.autoCreateTopics): Topic | undefined {
    const t = this.topics.get(name);
    if (t || !autoCreate) return t;
    const outcome = this.createTopic({ name });
    if (outcome.errorCode === ERR.NONE) return this.topics.get(name);
    // A limit refusal is journaled: the client only sees UNKNOWN_TOPIC_OR_PARTITION, as from Kafka.
    if (outcome.errorCode === ERR.POLICY_VIOLATION || outcome.errorCode === ERR.INVALID_PARTITIONS) {
      this.options.onEvent(`auto-creation of topic ${name} refused: ${outcome.errorMessage}`, { topic: name, error: outcome.errorCode });
    }
    return undefined;
  }

  topicById(id: Buffer): Topic | undefined {
    for (const t of this.topics.values()) if (t.id.equals(id)) return t;
    return undefined;
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  /** Coordinator of a group or transactional id: a stable choice among the brokers that are up. */
  coordinatorFor(key: string): BrokerInfo | undefined {
    const up = this.upBrokers();
    if (up.length === 0) return undefined;
    const pinned = this.coordinatorOverride.get(key);
    const byPin = up.find((b) => b.nodeId === pinned);
    if (byPin) return byPin;
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
    return up[Math.abs(h) % up.length];
  }

  /** Moves a partition's leader (to `to`, or the next broker that is up) and bumps its epoch. */
  moveLeader(topic: string, index: number, to?: number): Partition | undefined {
    const p = this.partition(topic, index);
    if (!p) return undefined;
    const up = this.upBrokers();
    const target = to ?? up.find((b) => b.nodeId !== p.leader)?.nodeId ?? p.leader;
    p.leader = target;
    p.leaderEpoch++;
    p.log.startEpoch(p.leaderEpoch);
    if (!p.replicas.includes(target)) p.replicas = [target, ...p.replicas.slice(0, Math.max(0, p.replicas.length - 1))];
    this.options.onEvent(`leader of ${topic}/${index} moved to broker ${target}`, { topic, partition: index, leader: target, leaderEpoch: p.leaderEpoch });
    return p;
  }

  /**
   * AlterPartitionReassignments: the partition's replicas become `replicas` at once (the twin's
   * brokers share one log, so every new replica is in sync); a leader no longer among them hands
   * over to the first one that is up. Returns why not, or undefined.
   */
  reassign(topic: string, index: number, replicas: number[]): string | undefined {
    const p = this.partition(topic, index);
    if (!p) return `The partition ${topic}-${index} does not exist.`;
    const why = checkAssignment(replicas, index, replicas.length, this.brokers);
    if (why) return why;
    p.replicas = [...replicas];
    this.options.onEvent(`replicas of ${topic}/${index} reassigned to ${replicas.join(',')}`, { topic, partition: index, replicas });
    if (!replicas.includes(p.leader)) {
      const next = replicas.find((r) => this.brokers.some((b) => b.nodeId === r && b.up)) as number;
      this.moveLeader(topic, index, next);
    }
    return undefined;
  }

  /** Marks a broker down or up; partitions it led move to brokers that are up. */
  setBrokerUp(nodeId: number, up: boolean): void {
    const broker = this.brokers.find((b) => b.nodeId === nodeId);
    if (!broker) return;
    broker.up = up;
    if (up) return;
    const alive = this.upBrokers();
    for (const topic of this.topics.values()) {
      for (const p of topic.partitions) {
        if (p.leader !== nodeId || alive.length === 0) continue;
        const next = p.replicas.find((r) => alive.some((b) => b.nodeId === r && r !== nodeId)) ?? (alive[p.index % alive.length] as BrokerInfo).nodeId;
        this.moveLeader(topic.name, p.index, next);
      }
    }
  }

  /** Runs `fn` after `ms`, unless the twin stops first; never keeps the process alive. */
  later(ms: number, fn: () => void): void {
    const timer = longTimeout(() => {
      this.pending.delete(timer);
      fn();
    }, ms).unref();
    this.pending.add(timer);
  }

  stop(): void {
    this.groups.stop();
    this.producers.clear();
    for (const timer of this.pending) timer.cancel();
    this.pending.clear();
  }

  /** A partition on the replicas a client chose, or spread over the brokers that are up. */
  private newPartition(topic: Topic, index: number, assigned?: number[]): Partition {
    let replicas = assigned;
    if (!replicas) {
      const up = this.upBrokers();
      const pool = up.length > 0 ? up : this.brokers;
      const first = this.nextLeader++ % pool.length;
      replicas = [];
      for (let r = 0; r < topic.replicationFactor; r++) replicas.push((pool[(first + r) % pool.length] as BrokerInfo).nodeId);
    }
    // The leader is the first replica that is up (a manual assignment may name a stopped broker).
    const leader = replicas.find((r) => this.brokers.some((b) => b.nodeId === r && b.up)) ?? (replicas[0] as number);
    return newPartition(index, leader, replicas, topic.logConfig, this.logBytes, this.options.limits.kafkaBatchBytes);
  }

  /**
   * What the twin's own settings make of a broker's server.properties: reported as
   * STATIC_BROKER_CONFIG where they differ from Kafka's defaults, as a configured broker's are.
   */
  private staticBrokerConfig(nodeId: number): Record<string, string> {
    const broker = this.brokers.find((b) => b.nodeId === nodeId);
    const adv = broker ? advertisedAddress(broker) : undefined;
    const { limits } = this.options;
    return {
      'node.id': String(nodeId),
      'broker.id': String(nodeId),
      'process.roles': 'broker,controller',
      'controller.listener.names': 'CONTROLLER',
      ...(broker ? { listeners: `PLAINTEXT://${broker.host}:${broker.port}` } : {}),
      ...(adv ? { 'advertised.listeners': `PLAINTEXT://${adv.host}:${adv.port}` } : {}),
      ...(this.options.autoCreateTopics ? {} : { 'auto.create.topics.enable': 'false' }),
      ...(this.options.defaultPartitions !== 1 ? { 'num.partitions': String(this.options.defaultPartitions) } : {}),
      'group.initial.rebalance.delay.ms': String(this.options.initialRebalanceDelayMs ?? 0),
      'group.max.size': String(limits.kafkaGroupMembers),
      'fetch.max.bytes': String(limits.kafkaFetchBytes),
      'max.incremental.fetch.session.cache.slots': String(limits.kafkaFetchSessions),
      'socket.request.max.bytes': String(limits.kafkaRequestBytes),
      // One replica of each internal topic: the twin's brokers share one state.
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
    };
  }
}
