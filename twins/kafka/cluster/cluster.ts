// The shared state of one kafka twin: brokers (each its own port), topics with partitions and logs,
// the group coordinator and producer state. Every broker answers for the whole cluster; a partition's
// leader is the broker that accepts its Produce and Fetch.
import { randomBytes } from 'node:crypto';
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

export interface ClusterOptions {
  clusterId: string;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  now: () => number;
  onEvent: (summary: string, data: Record<string, unknown>) => void;
  initialRebalanceDelayMs?: number;
}

export class Cluster {
  readonly brokers: BrokerInfo[] = [];
  readonly topics = new Map<string, Topic>();
  readonly groups: GroupCoordinator;
  readonly producers = new ProducerState();
  /** Groups moved to another coordinator by the `move-coordinator` action. */
  readonly coordinatorOverride = new Map<string, number>();
  private nextLeader = 0;

  constructor(readonly options: ClusterOptions) {
    this.groups = new GroupCoordinator(options.now, options.onEvent, options.initialRebalanceDelayMs);
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

  createTopic(spec: TopicSpec): number {
    if (!validTopicName(spec.name)) return ERR.INVALID_TOPIC_EXCEPTION;
    if (this.topics.has(spec.name)) return ERR.TOPIC_ALREADY_EXISTS;
    const count = spec.partitions === undefined || spec.partitions <= 0 ? this.options.defaultPartitions : spec.partitions;
    const rf = spec.replicationFactor === undefined || spec.replicationFactor <= 0 ? 1 : spec.replicationFactor;
    if (rf > this.brokers.length) return ERR.INVALID_REPLICATION_FACTOR;
    const config = spec.config ?? {};
    const topic: Topic = { name: spec.name, id: randomBytes(16), replicationFactor: rf, config, partitions: [] };
    for (let i = 0; i < count; i++) topic.partitions.push(this.newPartition(i, rf, config));
    this.topics.set(spec.name, topic);
    this.options.onEvent(`topic ${spec.name} created`, { topic: spec.name, partitions: count });
    return ERR.NONE;
  }

  addPartitions(name: string, total: number): number {
    const topic = this.topics.get(name);
    if (!topic) return ERR.UNKNOWN_TOPIC_OR_PARTITION;
    if (total <= topic.partitions.length) return ERR.INVALID_PARTITIONS;
    for (let i = topic.partitions.length; i < total; i++) topic.partitions.push(this.newPartition(i, topic.replicationFactor, topic.config));
    return ERR.NONE;
  }

  deleteTopic(name: string): number {
    const topic = this.topics.get(name);
    if (!topic) return ERR.UNKNOWN_TOPIC_OR_PARTITION;
    for (const p of topic.partitions) p.log.clear();
    this.topics.delete(name);
    this.options.onEvent(`topic ${name} deleted`, { topic: name });
    return ERR.NONE;
  }

  /** A topic, auto-created when allowed. */
  topic(name: string, autoCreate = this.options.autoCreateTopics): Topic | undefined {
    const t = this.topics.get(name);
    if (t || !autoCreate) return t;
    if (this.createTopic({ name }) !== ERR.NONE) return undefined;
    return this.topics.get(name);
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

  stop(): void {
    this.groups.stop();
  }

  private newPartition(index: number, rf: number, config: Record<string, string>): Partition {
    const up = this.upBrokers();
    const pool = up.length > 0 ? up : this.brokers;
    const first = this.nextLeader++ % pool.length;
    const replicas: number[] = [];
    for (let r = 0; r < rf; r++) replicas.push((pool[(first + r) % pool.length] as BrokerInfo).nodeId);
    return newPartition(index, replicas[0] as number, replicas, retentionOf(config));
  }
}
