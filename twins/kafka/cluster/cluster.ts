// The shared state of one kafka twin: brokers (each its own port), topics with partitions and logs,
// the group coordinator and producer state. Every broker answers for the whole cluster; a partition's
// leader is the broker that accepts its Produce and Fetch.
import { longTimeout, type Limits, type LongTimer, type Rng } from '../../../src/core/index.ts';
import type { LogBudget } from './log.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import { ProducerState } from './producer-state.ts';
import { newPartition, retentionOf, validTopicName, type Partition, type Topic } from './topic.ts';
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
  /** The twin's seeded streams (ctx.rng): topic and member ids come from the environment seed. */
  rng: (...label: Array<string | number>) => Rng;
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
  private nextLeader = 0;
  /** Work the twin does later (a delayed produce's append), cancelled when it stops. */
  private readonly pending = new Set<LongTimer>();
  /** Partitions across all topics, kept as topics come and go so a check costs O(1). */
  private partitionCount = 0;
  /** Topics created so far under each name: a topic deleted and created again gets a new id. */
  private readonly incarnations = new Map<string, number>();

  constructor(readonly options: ClusterOptions) {
    this.producers = new ProducerState(options.limits.kafkaProducerIds);
    this.groups = new GroupCoordinator(options.now, options.onEvent, options.initialRebalanceDelayMs, {
      groups: options.limits.kafkaGroups,
      members: options.limits.kafkaGroupMembers,
    }, options.rng);
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
    const partitions = spec.partitions === undefined || spec.partitions === -1 ? this.options.defaultPartitions : spec.partitions;
    const replicationFactor = spec.replicationFactor === undefined || spec.replicationFactor === -1 ? 1 : spec.replicationFactor;
    const sized = { partitions, replicationFactor };
    if (!validTopicName(spec.name)) return { ...sized, ...refuse(ERR.INVALID_TOPIC_EXCEPTION, `Topic name '${spec.name}' is illegal: at most 249 of [a-zA-Z0-9._-], not '.' or '..'.`) };
    if (this.topics.has(spec.name)) return { ...sized, ...refuse(ERR.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`) };
    if (partitions <= 0) return { ...sized, ...refuse(ERR.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.') };
    if (replicationFactor <= 0) return { ...sized, ...refuse(ERR.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.') };
    if (replicationFactor > this.brokers.length) {
      return { ...sized, ...refuse(ERR.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${replicationFactor} time(s): only ${this.brokers.length} broker(s) are registered.`) };
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
    const topic: Topic = { name: spec.name, id, replicationFactor: checked.replicationFactor, config, partitions: [] };
    for (let i = 0; i < checked.partitions; i++) topic.partitions.push(this.newPartition(i, checked.replicationFactor, config));
    this.topics.set(spec.name, topic);
    this.partitionCount += checked.partitions;
    this.options.onEvent(`topic ${spec.name} created`, { topic: spec.name, partitions: checked.partitions });
    return OK;
  }

  /** CreatePartitions: grows a topic to `total` partitions. */
  checkAddPartitions(name: string, total: number): TopicOutcome {
    const topic = this.topics.get(name);
    if (!topic) return refuse(ERR.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    const current = topic.partitions.length;
    if (total <= current) return refuse(ERR.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${total}.`);
    return this.checkGrowth(name, total, total - current);
  }

  addPartitions(name: string, total: number): TopicOutcome {
    const checked = this.checkAddPartitions(name, total);
    if (checked.errorCode !== ERR.NONE) return checked;
    const topic = this.topics.get(name) as Topic;
    const added = total - topic.partitions.length;
    for (let i = topic.partitions.length; i < total; i++) topic.partitions.push(this.newPartition(i, topic.replicationFactor, topic.config));
    this.partitionCount += added;
    this.options.onEvent(`topic ${name} grown to ${total} partitions`, { topic: name, partitions: total });
    return OK;
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
    if (!p.replicas.includes(target)) p.replicas = [target, ...p.replicas.slice(0, Math.max(0, p.replicas.length - 1))];
    this.options.onEvent(`leader of ${topic}/${index} moved to broker ${target}`, { topic, partition: index, leader: target, leaderEpoch: p.leaderEpoch });
    return p;
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

  private newPartition(index: number, rf: number, config: Record<string, string>): Partition {
    const up = this.upBrokers();
    const pool = up.length > 0 ? up : this.brokers;
    const first = this.nextLeader++ % pool.length;
    const replicas: number[] = [];
    for (let r = 0; r < rf; r++) replicas.push((pool[(first + r) % pool.length] as BrokerInfo).nodeId);
    return newPartition(index, replicas[0] as number, replicas, retentionOf(config), this.logBytes);
  }
}
