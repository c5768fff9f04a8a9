// Consumer groups with the classic rebalance protocol: members join (JoinGroup), the leader's
// assignment is handed out (SyncGroup), members heartbeat within their session timeout, and every
// join, leave or expiry starts a new generation.
//   Empty → PreparingRebalance → CompletingRebalance → Stable → PreparingRebalance …
// Groups of the new consumer protocol (KIP-848, consumer-group.ts) share the ids, the offsets and
// the limits: a group is of one type at a time, and changes type only while it has no members.
// @see https://cwiki.apache.org/confluence/display/KAFKA/Kafka+Client-side+Assignment+Proposal
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-394 (MEMBER_ID_REQUIRED)
import type { Rng } from '../../../src/core/index.ts';
import { ERR } from '../protocol/error-codes.ts';
import { ConsumerGroup, type HeartbeatInput, type HeartbeatOutput, type TopicView } from './consumer-group.ts';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  assignment: Buffer;
  lastSeen: number;
  join?: (r: JoinResult) => void;
  sync?: (r: SyncResult) => void;
}

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId = '';
  readonly members = new Map<string, Member>();
  /** Ids handed out with MEMBER_ID_REQUIRED, not yet joined → when they lapse (as Kafka, after the session timeout). */
  readonly pending = new Map<string, number>();
  /** Static members: group.instance.id → current member id. */
  readonly statics = new Map<string, string>();
  /** Member ids handed out so far per client id (or static instance id), each the index of its stream. */
  readonly issued = new Map<string, number>();
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  rebalanceTimer: NodeJS.Timeout | undefined;
  /** Set while the group is a consumer-protocol group (ConsumerGroupHeartbeat), not a classic one. */
  consumer: ConsumerGroup | undefined;
  constructor(readonly id: string) {}
}

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  /** JoinGroup v4+: an unknown member first gets MEMBER_ID_REQUIRED with its id. */
  requireKnownMemberId: boolean;
}

/** How many groups a twin keeps (limit kafkaGroups) and members one group may have (kafkaGroupMembers). */
export interface GroupLimits {
  groups: number;
  members: number;
}

/** Consumer-protocol groups: group.consumer.session.timeout.ms and the topics they may subscribe to. */
export interface ConsumerGroupOptions {
  sessionTimeoutMs: number;
  topics: () => TopicView;
}

export class GroupCoordinator {
  readonly groups = new Map<string, Group>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => number,
    private readonly onEvent: (summary: string, data: Record<string, unknown>) => void = () => {},
    private readonly initialRebalanceDelayMs = 0,
    private readonly limits: GroupLimits = { groups: Number.POSITIVE_INFINITY, members: Number.POSITIVE_INFINITY },
    private readonly rng: (...label: Array<string | number>) => Rng,
    private readonly consumerOptions: ConsumerGroupOptions = { sessionTimeoutMs: 45_000, topics: () => new Map() },
  ) {
    this.sweeper = setInterval(() => this.expireSessions(), 100);
    this.sweeper.unref();
  }

  group(id: string, create = false): Group | undefined {
    let g = this.groups.get(id);
    if (!g && create) {
      g = new Group(id);
      this.groups.set(id, g);
    }
    return g;
  }

  /**
   * A group to join or commit to, created if new — unless the twin already keeps kafkaGroups groups:
   * then COORDINATOR_NOT_AVAILABLE (what Kafka answers when a coordinator cannot take a group), journaled.
   */
  private groupToUse(id: string): Group | number {
    const g = this.groups.get(id);
    if (g) return g;
    if (this.groups.size >= this.limits.groups) {
      this.onEvent(`group ${id} refused: this twin already keeps ${this.limits.groups} groups (limit kafkaGroups)`, { group: id, limit: 'kafkaGroups' });
      return ERR.COORDINATOR_NOT_AVAILABLE;
    }
    return this.group(id, true) as Group;
  }

  join(req: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number, memberId = req.memberId): Promise<JoinResult> =>
      Promise.resolve({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] });
    const g = this.groupToUse(req.groupId);
    if (typeof g === 'number') return fail(g);
    if (g.state === 'Dead') return fail(ERR.COORDINATOR_NOT_AVAILABLE);
    if (g.consumer && g.consumer.members.size > 0) return fail(ERR.INCONSISTENT_GROUP_PROTOCOL);
    if (g.consumer) this.becomeClassic(g);
    if (g.members.size > 0 && g.protocolType !== null && req.protocolType !== g.protocolType) return fail(ERR.INCONSISTENT_GROUP_PROTOCOL);
    if (g.members.size > 0 && !req.protocols.some((p) => [...g.members.values()].every((m) => m.protocols.some((q) => q.name === p.name)))) {
      return fail(ERR.INCONSISTENT_GROUP_PROTOCOL);
    }
    const joined = this.identify(g, req);
    if (typeof joined === 'number') return fail(joined);
    const isNew = 'required' in joined || !(g.members.has(joined.memberId) || g.pending.has(joined.memberId));
    if (isNew && g.members.size + g.pending.size >= this.limits.members) {
      // Kafka's group.max.size: the member is refused, the group carries on.
      this.onEvent(`group ${g.id}: member refused, the group has ${this.limits.members} members (limit kafkaGroupMembers)`, { group: g.id, limit: 'kafkaGroupMembers' });
      return fail(ERR.GROUP_MAX_SIZE_REACHED, '');
    }
    if ('required' in joined) {
      g.pending.set(joined.required, this.now() + req.sessionTimeoutMs);
      return fail(ERR.MEMBER_ID_REQUIRED, joined.required);
    }
    const memberId = joined.memberId;
    g.pending.delete(memberId);
    const existing = g.members.get(memberId);
    const member: Member = existing ?? {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      assignment: Buffer.alloc(0),
      lastSeen: this.now(),
    };
    const unchanged = existing !== undefined && sameProtocols(existing, req);
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.protocols = req.protocols;
    member.lastSeen = this.now();
    g.members.set(memberId, member);
    g.protocolType ??= req.protocolType;
    if (member.join) member.join(failure(ERR.UNKNOWN_MEMBER_ID, memberId));
    const result = new Promise<JoinResult>((resolve) => (member.join = resolve));
    const follower = memberId !== g.leaderId;
    if (unchanged && (g.state === 'CompletingRebalance' || (g.state === 'Stable' && follower))) {
      // Rejoining with nothing new (a follower, or a restarted static member) gets the current
      // generation back without a rebalance, as Kafka does.
      this.resolveJoin(g, member);
    } else {
      this.prepareRebalance(g, existing ? 'member rejoined' : 'member joined');
      this.maybeCompleteJoin(g);
    }
    return result;
  }

  /**
   * The member id a JoinGroup joins as: a new dynamic member first gets MEMBER_ID_REQUIRED (v4+);
   * a static member (group.instance.id, KIP-345) joining without an id takes over the identity of
   * its previous instance, whose pending calls are fenced.
   */
  private identify(g: Group, req: JoinRequest): { memberId: string } | { required: string } | number {
    const instance = req.groupInstanceId;
    if (instance !== null) {
      const known = g.statics.get(instance);
      if (req.memberId !== '') return known !== undefined && known !== req.memberId ? ERR.FENCED_INSTANCE_ID : this.known(g, req.memberId);
      const memberId = this.newMemberId(g, instance);
      const old = known === undefined ? undefined : g.members.get(known);
      if (old) {
        g.members.delete(old.memberId);
        old.join?.(failure(ERR.FENCED_INSTANCE_ID, old.memberId));
        old.sync?.({ errorCode: ERR.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
        old.join = undefined;
        old.sync = undefined;
        if (g.leaderId === old.memberId) g.leaderId = memberId;
        old.memberId = memberId;
        g.members.set(memberId, old);
        this.onEvent(`group ${g.id}: static member ${instance} rejoined as ${memberId}`, { group: g.id, instance, member: memberId });
      }
      g.statics.set(instance, memberId);
      return { memberId };
    }
    if (req.memberId !== '') return this.known(g, req.memberId);
    const memberId = this.newMemberId(g, req.clientId);
    return req.requireKnownMemberId ? { required: memberId } : { memberId };
  }

  /**
   * `<prefix>-<uuid>` as Kafka makes them, the uuid seeded per group and client id: the same joins
   * give the same ids, so an assigner that sorts members (kafkajs round-robin) assigns the same way.
   */
  private newMemberId(g: Group, prefix: string): string {
    const n = (g.issued.get(prefix) ?? 0) + 1;
    g.issued.set(prefix, n);
    return `${prefix}-${this.rng('member-id', g.id, prefix, n).uuid()}`;
  }

  private known(g: Group, memberId: string): { memberId: string } | number {
    return g.members.has(memberId) || g.pending.has(memberId) ? { memberId } : ERR.UNKNOWN_MEMBER_ID;
  }

  /** FENCED_INSTANCE_ID when a static instance id now belongs to another member id. */
  fenced(groupId: string, memberId: string, instance: string | null): boolean {
    if (instance === null) return false;
    const known = this.groups.get(groupId)?.statics.get(instance);
    return known !== undefined && known !== memberId;
  }

  /** The member id of a static instance (LeaveGroup v3+ may name only the instance). */
  memberOfInstance(groupId: string, instance: string | null): string | undefined {
    return instance === null ? undefined : this.groups.get(groupId)?.statics.get(instance);
  }

  sync(groupId: string, memberId: string, generationId: number, assignments: Array<{ memberId: string; assignment: Buffer }>): Promise<SyncResult> {
    const g = this.groups.get(groupId);
    const fail = (errorCode: number): Promise<SyncResult> =>
      Promise.resolve({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    if (!g) return fail(ERR.UNKNOWN_MEMBER_ID);
    const member = g.members.get(memberId);
    if (!member) return fail(ERR.UNKNOWN_MEMBER_ID);
    if (generationId !== g.generationId) return fail(ERR.ILLEGAL_GENERATION);
    member.lastSeen = this.now();
    if (g.state === 'PreparingRebalance') return fail(ERR.REBALANCE_IN_PROGRESS);
    if (g.state === 'Stable') return Promise.resolve(this.syncResult(g, member));
    const result = new Promise<SyncResult>((resolve) => (member.sync = resolve));
    if (memberId === g.leaderId) {
      for (const m of g.members.values()) m.assignment = assignments.find((a) => a.memberId === m.memberId)?.assignment ?? Buffer.alloc(0);
      g.state = 'Stable';
      this.onEvent(`group ${g.id} stable at generation ${g.generationId}`, { group: g.id, generation: g.generationId, members: g.members.size });
      for (const m of g.members.values()) {
        const resolve = m.sync;
        m.sync = undefined;
        resolve?.(this.syncResult(g, m));
      }
    }
    return result;
  }

  heartbeat(groupId: string, memberId: string, generationId: number): number {
    const g = this.groups.get(groupId);
    const member = g?.members.get(memberId);
    if (!g || !member) return ERR.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generationId) return ERR.ILLEGAL_GENERATION;
    member.lastSeen = this.now();
    if (g.state === 'PreparingRebalance') return ERR.REBALANCE_IN_PROGRESS;
    return ERR.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const g = this.groups.get(groupId);
    const member = g?.members.get(memberId);
    if (!g || !member) return ERR.UNKNOWN_MEMBER_ID;
    this.removeMember(g, member, 'member left');
    return ERR.NONE;
  }

  /**
   * Offsets may be committed by a member of the current generation (a consumer group: at its member
   * epoch, OffsetCommit v9+), or by anyone to an empty group.
   */
  commitAllowed(groupId: string, memberId: string, generationId: number, version = 0): number {
    const g = this.groupToUse(groupId);
    if (typeof g === 'number') return g;
    if (g.state === 'Dead') return ERR.COORDINATOR_NOT_AVAILABLE;
    if (g.consumer) return g.consumer.commitAllowed(memberId, generationId, version);
    if (generationId < 0 && memberId === '') return g.state === 'Empty' ? ERR.NONE : ERR.ILLEGAL_GENERATION;
    const member = g.members.get(memberId);
    if (!member) return ERR.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generationId) return ERR.ILLEGAL_GENERATION;
    if (g.state === 'CompletingRebalance') return ERR.REBALANCE_IN_PROGRESS;
    member.lastSeen = this.now();
    return ERR.NONE;
  }

  commit(groupId: string, topic: string, partition: number, offset: CommittedOffset): void {
    const g = this.group(groupId, true) as Group;
    let t = g.offsets.get(topic);
    if (!t) g.offsets.set(topic, (t = new Map()));
    t.set(partition, offset);
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.offsets.get(topic)?.get(partition);
  }

  /**
   * A ConsumerGroupHeartbeat. A group id that a classic group with members holds is GROUP_ID_NOT_FOUND,
   * as on Kafka 4.0; an empty classic group (offsets only) becomes a consumer group. Only a joining
   * member (epoch 0) creates a group.
   */
  consumerHeartbeat(groupId: string, req: HeartbeatInput): HeartbeatOutput {
    const refuse = (errorCode: number, errorMessage: string | null): HeartbeatOutput => ({ errorCode, errorMessage, memberId: req.memberId, memberEpoch: -1, assignment: null });
    const existing = this.groups.get(groupId);
    if (!existing && req.memberEpoch !== 0) return refuse(ERR.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`);
    const g = existing ?? this.groupToUse(groupId);
    if (typeof g === 'number') return refuse(g, null);
    if (!g.consumer) {
      if (g.members.size > 0 || g.pending.size > 0) return refuse(ERR.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
      clearTimeout(g.rebalanceTimer);
      g.consumer = new ConsumerGroup(groupId, {
        now: this.now,
        onEvent: this.onEvent,
        newMemberId: () => this.newConsumerMemberId(g),
        maxMembers: this.limits.members,
      });
      this.onEvent(`group ${groupId} is a consumer group`, { group: groupId, type: 'consumer' });
    }
    return g.consumer.heartbeat(req, this.consumerOptions.topics());
  }

  /** A 4.0 coordinator's member id (a base64 Kafka Uuid), seeded per group: the same joins, the same ids. */
  private newConsumerMemberId(g: Group): string {
    const n = (g.issued.get('') ?? 0) + 1;
    g.issued.set('', n);
    return this.rng('consumer-member-id', g.id, n).bytes(16).toString('base64url');
  }

  /** An empty consumer group that a classic member joins becomes a classic group, its offsets kept. */
  private becomeClassic(g: Group): void {
    g.consumer = undefined;
    g.state = 'Empty';
    this.onEvent(`group ${g.id} is a classic group`, { group: g.id, type: 'classic' });
  }

  /** Starts a new generation now (cluster action `rebalance`); a consumer group, a new group epoch. */
  forceRebalance(groupId: string): boolean {
    const g = this.groups.get(groupId);
    if (g?.consumer) return g.consumer.forceRebalance(this.consumerOptions.topics());
    if (!g || g.members.size === 0) return false;
    this.prepareRebalance(g, 'forced');
    return true;
  }

  delete(groupId: string): number {
    const g = this.groups.get(groupId);
    if (!g) return ERR.GROUP_ID_NOT_FOUND;
    if (g.members.size > 0 || (g.consumer?.members.size ?? 0) > 0) return ERR.NON_EMPTY_GROUP;
    this.groups.delete(groupId);
    return ERR.NONE;
  }

  clear(): void {
    for (const g of this.groups.values()) {
      clearTimeout(g.rebalanceTimer);
      for (const m of g.members.values()) {
        m.join?.(failure(ERR.UNKNOWN_MEMBER_ID, m.memberId));
        m.sync?.({ errorCode: ERR.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
      }
    }
    this.groups.clear();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.clear();
  }

  private prepareRebalance(g: Group, reason: string): void {
    if (g.state === 'CompletingRebalance') {
      // Members waiting in SyncGroup must rejoin.
      for (const m of g.members.values()) {
        const resolve = m.sync;
        m.sync = undefined;
        resolve?.({ errorCode: ERR.REBALANCE_IN_PROGRESS, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
      }
    }
    if (g.state === 'PreparingRebalance') return;
    const wasEmpty = g.state === 'Empty';
    g.state = 'PreparingRebalance';
    this.onEvent(`group ${g.id} rebalancing: ${reason}`, { group: g.id, reason, generation: g.generationId });
    const timeout = Math.max(0, ...[...g.members.values()].map((m) => m.rebalanceTimeoutMs));
    clearTimeout(g.rebalanceTimer);
    g.rebalanceTimer = setTimeout(() => this.completeJoin(g, true), wasEmpty ? this.initialRebalanceDelayMs || timeout : timeout);
    g.rebalanceTimer.unref();
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    // A member told MEMBER_ID_REQUIRED is expected back: the join waits for it (or the rebalance
    // timeout, or its id lapsing), as Kafka's does, so members starting together share a generation.
    if (g.pending.size === 0 && [...g.members.values()].every((m) => m.join) && !(this.initialRebalanceDelayMs > 0 && g.generationId === 0)) {
      this.completeJoin(g, false);
    }
  }

  private completeJoin(g: Group, timedOut: boolean): void {
    if (g.state !== 'PreparingRebalance') return;
    clearTimeout(g.rebalanceTimer);
    if (timedOut) {
      for (const m of [...g.members.values()]) {
        if (m.join) continue;
        g.members.delete(m.memberId);
        this.onEvent(`group ${g.id}: member did not rejoin within the rebalance timeout (${m.memberId})`, { group: g.id, member: m.memberId, reason: 'rebalance timeout' });
      }
    }
    g.generationId++;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocolName = null;
      g.leaderId = '';
      return;
    }
    const members = [...g.members.values()];
    if (!g.members.has(g.leaderId)) g.leaderId = (members[0] as Member).memberId;
    const leader = g.members.get(g.leaderId) as Member;
    g.protocolName = leader.protocols.find((p) => members.every((m) => m.protocols.some((q) => q.name === p.name)))?.name ?? null;
    g.protocolType = leader.protocolType;
    g.state = 'CompletingRebalance';
    this.onEvent(`group ${g.id} generation ${g.generationId}`, { group: g.id, generation: g.generationId, leader: g.leaderId, members: members.map((m) => m.memberId) });
    for (const m of members) this.resolveJoin(g, m);
  }

  private resolveJoin(g: Group, m: Member): void {
    const resolve = m.join;
    m.join = undefined;
    m.lastSeen = this.now();
    const isLeader = m.memberId === g.leaderId;
    resolve?.({
      errorCode: ERR.NONE,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leader: g.leaderId,
      memberId: m.memberId,
      members: isLeader
        ? [...g.members.values()].map((x) => ({
            memberId: x.memberId,
            groupInstanceId: x.groupInstanceId,
            metadata: x.protocols.find((p) => p.name === g.protocolName)?.metadata ?? Buffer.alloc(0),
          }))
        : [],
    });
  }

  private syncResult(g: Group, m: Member): SyncResult {
    return { errorCode: ERR.NONE, protocolType: g.protocolType, protocolName: g.protocolName, assignment: m.assignment };
  }

  private removeMember(g: Group, m: Member, reason: string): void {
    g.members.delete(m.memberId);
    if (m.groupInstanceId !== null && g.statics.get(m.groupInstanceId) === m.memberId) g.statics.delete(m.groupInstanceId);
    m.join?.(failure(ERR.UNKNOWN_MEMBER_ID, m.memberId));
    m.sync?.({ errorCode: ERR.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    this.onEvent(`group ${g.id}: ${reason} (${m.memberId})`, { group: g.id, member: m.memberId, reason });
    if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
    else if (g.members.size === 0) {
      clearTimeout(g.rebalanceTimer);
      g.state = 'Empty';
      g.generationId++;
      g.leaderId = '';
      g.protocolName = null;
    } else this.prepareRebalance(g, reason);
  }

  private expireSessions(): void {
    const now = this.now();
    for (const g of this.groups.values()) {
      for (const [id, lapses] of g.pending) {
        if (lapses >= now) continue;
        g.pending.delete(id);
        this.maybeCompleteJoin(g);
      }
      g.consumer?.expire(this.consumerOptions.sessionTimeoutMs, this.consumerOptions.topics);
      for (const m of [...g.members.values()]) {
        if (!m.join && now - m.lastSeen > m.sessionTimeoutMs) this.removeMember(g, m, 'session timed out');
      }
    }
  }
}

function failure(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

function sameProtocols(m: Member, req: JoinRequest): boolean {
  return (
    m.protocols.length === req.protocols.length &&
    m.protocols.every((p, i) => p.name === req.protocols[i]?.name && p.metadata.equals(req.protocols[i]?.metadata ?? Buffer.alloc(0)))
  );
}
