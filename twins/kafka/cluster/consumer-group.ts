// A consumer group of the new consumer rebalance protocol (KIP-848), as a Kafka 4.0 group
// coordinator keeps one. Members only heartbeat (ConsumerGroupHeartbeat); the coordinator assigns:
// - the group epoch grows when membership, a subscription or a subscribed topic's partitions change;
// - the target assignment (assignor.ts) is computed for the group epoch and becomes the assignment epoch;
// - each member reconciles towards its target through its heartbeats: partitions it must give up are
//   revoked first (its epoch stays until it reports them gone), and a partition still held by another
//   member is given only once that member has released it. A member then takes the assignment epoch.
// Member epochs fence zombies: a heartbeat with an epoch the coordinator did not give is FENCED_MEMBER_EPOCH.
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-848
import { compilePattern, PatternError, type UserPattern } from '../../../src/core/index.ts';
import { ERR } from '../protocol/error-codes.ts';
import { ASSIGNORS, ASSIGNOR_NAMES, assignmentSize, type Assignment, type AssignorName } from './assignor.ts';

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

/** Where a member is in its reconciliation (Kafka's MemberState). */
type MemberState = 'stable' | 'unrevoked-partitions' | 'unreleased-partitions';

/** Leaving for good, and a static member's leave that keeps its partitions for its next instance. */
export const LEAVE_EPOCH = -1;
export const STATIC_LEAVE_EPOCH = -2;

export interface ConsumerMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  regex: UserPattern | null;
  serverAssignor: string | null;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  /** Partitions it may use now. */
  assigned: Assignment;
  /** Partitions it must give up before it moves on; they stay its own until it does. */
  pendingRevocation: Assignment;
  lastSeen: number;
  /** When an unrevoked partition makes the coordinator fence it (its rebalance timeout). */
  revokeBy: number;
}

/** A heartbeat as the handler decoded it, topic ids turned into names. */
export interface HeartbeatInput {
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** The partitions the member says it owns; null when unchanged since its last heartbeat. */
  owned: Assignment | null;
  clientId: string;
  clientHost: string;
  /** v1+: the member id is the client's own (KIP-1082); v0: the coordinator makes it. */
  version: number;
}

export interface HeartbeatOutput {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  /** The member's assignment, when it changed or the member sent its whole state. */
  assignment: Assignment | null;
}

/** Topic name → partition count, of the topics a group may subscribe to. */
export type TopicView = ReadonlyMap<string, number>;

/** What a group hands to its coordinator to journal and to make a member id. */
export interface ConsumerGroupHooks {
  now: () => number;
  onEvent: (summary: string, data: Record<string, unknown>) => void;
  newMemberId: () => string;
  maxMembers: number;
}

const fail = (errorCode: number, errorMessage: string, memberId: string | null = null): HeartbeatOutput => ({ errorCode, errorMessage, memberId, memberEpoch: -1, assignment: null });

/** INVALID_REQUEST's message for a malformed heartbeat, as Kafka words them; undefined when well formed. */
export function invalidHeartbeat(req: HeartbeatInput & { groupId: string; topicPartitionsCount: number | null }): string | undefined {
  if (req.groupId === '') return 'GroupId can\'t be empty.';
  if (req.rackId === '') return 'RackId can\'t be empty.';
  if (req.memberEpoch < STATIC_LEAVE_EPOCH) return `MemberEpoch ${req.memberEpoch} is invalid.`;
  if (req.memberEpoch === 0) {
    if (req.version >= 1 && req.memberId === '') return 'MemberId can\'t be empty.';
    if (req.rebalanceTimeoutMs === -1) return 'RebalanceTimeoutMs must be provided in first request.';
    if (req.topicPartitionsCount !== 0) return 'TopicPartitions must be empty when (re-)joining.';
    if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) return 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.';
  } else if (req.memberId === '') return 'MemberId can\'t be empty.';
  if (req.memberEpoch === STATIC_LEAVE_EPOCH && req.instanceId === null) return 'InstanceId can\'t be null.';
  return undefined;
}

export class ConsumerGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerMember>();
  /** Static members: instance id → member id. */
  readonly statics = new Map<string, string>();
  /** Each member's target assignment, for the assignment epoch. */
  readonly target = new Map<string, Assignment>();
  assignor: AssignorName = ASSIGNOR_NAMES[0];
  /** The subscribed topics and their partition counts the target was computed from. */
  private subscribed = '';
  /** Grows with every change of members or subscriptions: the subscribed topics are resolved again. */
  private membership = 0;
  /** The last resolution, for the topics as they were (their names and partition counts). */
  private resolved: { topics: string; membership: number; subscription: string } | undefined;

  constructor(
    readonly id: string,
    private readonly hooks: ConsumerGroupHooks,
  ) {}

  get state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (m.memberEpoch !== this.assignmentEpoch || m.state !== 'stable') return 'Reconciling';
    return 'Stable';
  }

  heartbeat(req: HeartbeatInput, topics: TopicView): HeartbeatOutput {
    const now = this.hooks.now();
    if (req.memberEpoch === LEAVE_EPOCH || req.memberEpoch === STATIC_LEAVE_EPOCH) return this.leave(req, topics);
    const found = this.memberFor(req);
    if ('errorCode' in found) return found;
    const { member, joined } = found;
    let regex = member.regex;
    if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== member.subscribedTopicRegex) {
      try {
        regex = req.subscribedTopicRegex === '' ? null : compilePattern(req.subscribedTopicRegex, { whole: true });
      } catch (error) {
        if (!(error instanceof PatternError)) throw error;
        return fail(ERR.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex ${req.subscribedTopicRegex} is not a valid regular expression: ${error.detail}`, member.memberId);
      }
    }
    if (joined) this.members.set(member.memberId, member);
    let changed = joined;
    if (req.subscribedTopicNames !== null && !sameNames(req.subscribedTopicNames, member.subscribedTopicNames)) {
      member.subscribedTopicNames = [...req.subscribedTopicNames];
      changed = true;
    }
    if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== member.subscribedTopicRegex) {
      member.subscribedTopicRegex = req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex;
      member.regex = regex;
      changed = true;
    }
    if (req.serverAssignor !== null && req.serverAssignor !== member.serverAssignor) {
      member.serverAssignor = req.serverAssignor;
      changed = true;
    }
    if (req.rackId !== null) member.rackId = req.rackId;
    if (req.rebalanceTimeoutMs !== -1) member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    member.lastSeen = now;
    if (changed) this.membership++;
    if (joined) this.hooks.onEvent(`group ${this.id}: member ${member.memberId} joined`, { group: this.id, member: member.memberId, instance: member.instanceId });
    if (changed || this.subscriptionOf(topics) !== this.subscribed) this.bump(changed ? (joined ? 'member joined' : 'subscription changed') : 'subscribed topics changed');
    if (this.groupEpoch > this.assignmentEpoch) this.assign(topics);
    const before = member.assigned;
    this.reconcile(member, req.owned, now);
    const full = req.rebalanceTimeoutMs !== -1 && (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null) && req.owned !== null;
    const send = req.memberEpoch === 0 || full || !sameAssignment(before, member.assigned);
    return { errorCode: ERR.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: member.memberEpoch, assignment: send ? member.assigned : null };
  }

  /** The member a heartbeat is from, or why it is refused. */
  private memberFor(req: HeartbeatInput): { member: ConsumerMember; joined: boolean } | HeartbeatOutput {
    const existing = req.memberId === '' ? undefined : this.members.get(req.memberId);
    if (req.memberEpoch !== 0) {
      if (!existing) return fail(ERR.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${this.id}.`, req.memberId);
      if (req.instanceId !== null && this.statics.get(req.instanceId) !== existing.memberId) {
        return fail(ERR.FENCED_INSTANCE_ID, `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by another member.`, req.memberId);
      }
      if (req.memberEpoch === existing.memberEpoch) return { member: existing, joined: false };
      // A heartbeat whose answer was lost: the previous epoch is fine while it owns nothing it should not.
      const lostAnswer = req.memberEpoch === existing.previousMemberEpoch && req.owned !== null && within(req.owned, existing.assigned);
      if (req.memberEpoch > existing.memberEpoch || !lostAnswer) {
        return fail(ERR.FENCED_MEMBER_EPOCH, `The consumer group member has a member epoch (${req.memberEpoch}) that is ${req.memberEpoch > existing.memberEpoch ? 'larger' : 'smaller'} than its current member epoch (${existing.memberEpoch}).`, req.memberId);
      }
      return { member: existing, joined: false };
    }
    // Epoch 0: a new member, a member rejoining after it was fenced, or a static member's new instance.
    if (req.instanceId !== null) {
      const previousId = this.statics.get(req.instanceId);
      const previous = previousId === undefined ? undefined : this.members.get(previousId);
      if (previous && previous.memberEpoch !== STATIC_LEAVE_EPOCH && previous.memberId !== req.memberId) {
        return fail(ERR.UNRELEASED_INSTANCE_ID, `Static member ${previous.memberId} with instance id ${req.instanceId} is not released yet.`, req.memberId);
      }
      if (previous && previous.memberEpoch === STATIC_LEAVE_EPOCH) {
        // The new instance takes over the identity's partitions and epoch, without a rebalance.
        const memberId = this.memberIdFor(req);
        this.members.delete(previous.memberId);
        const target = this.target.get(previous.memberId);
        this.target.delete(previous.memberId);
        if (target) this.target.set(memberId, target);
        const member: ConsumerMember = { ...previous, memberId, memberEpoch: previous.previousMemberEpoch, lastSeen: this.hooks.now() };
        this.members.set(memberId, member);
        this.statics.set(req.instanceId, memberId);
        this.hooks.onEvent(`group ${this.id}: static member ${req.instanceId} rejoined as ${memberId}`, { group: this.id, instance: req.instanceId, member: memberId });
        return { member, joined: false };
      }
    }
    if (existing) this.remove(existing, 'member rejoined with epoch 0');
    if (this.members.size >= this.hooks.maxMembers) {
      this.hooks.onEvent(`group ${this.id}: member refused, the group has ${this.hooks.maxMembers} members (limit kafkaGroupMembers)`, { group: this.id, limit: 'kafkaGroupMembers' });
      return fail(ERR.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.hooks.maxMembers} members.`, req.memberId);
    }
    const memberId = this.memberIdFor(req);
    if (req.instanceId !== null) this.statics.set(req.instanceId, memberId);
    const member: ConsumerMember = {
      memberId,
      instanceId: req.instanceId,
      rackId: null,
      clientId: req.clientId,
      clientHost: req.clientHost,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      subscribedTopicNames: [],
      subscribedTopicRegex: null,
      regex: null,
      serverAssignor: null,
      memberEpoch: 0,
      previousMemberEpoch: 0,
      state: 'stable',
      assigned: new Map(),
      pendingRevocation: new Map(),
      lastSeen: this.hooks.now(),
      revokeBy: 0,
    };
    return { member, joined: true };
  }

  private memberIdFor(req: HeartbeatInput): string {
    return req.version >= 1 || req.memberId !== '' ? req.memberId : this.hooks.newMemberId();
  }

  private leave(req: HeartbeatInput, topics: TopicView): HeartbeatOutput {
    const member = this.members.get(req.memberId);
    if (!member) return fail(ERR.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${this.id}.`, req.memberId);
    if (req.memberEpoch === STATIC_LEAVE_EPOCH && member.instanceId !== null) {
      // Its partitions wait for the instance's return (until the session timeout), no rebalance.
      member.previousMemberEpoch = member.memberEpoch;
      member.memberEpoch = STATIC_LEAVE_EPOCH;
      member.lastSeen = this.hooks.now();
      this.hooks.onEvent(`group ${this.id}: static member ${member.instanceId} left for now (${member.memberId})`, { group: this.id, member: member.memberId, instance: member.instanceId });
      return { errorCode: ERR.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: STATIC_LEAVE_EPOCH, assignment: null };
    }
    this.remove(member, 'member left');
    if (this.groupEpoch > this.assignmentEpoch) this.assign(topics);
    return { errorCode: ERR.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: LEAVE_EPOCH, assignment: null };
  }

  /** Fences a member: it loses its partitions at once, and the group assigns again. */
  remove(member: ConsumerMember, reason: string): void {
    this.membership++;
    this.members.delete(member.memberId);
    this.target.delete(member.memberId);
    if (member.instanceId !== null && this.statics.get(member.instanceId) === member.memberId) this.statics.delete(member.instanceId);
    this.hooks.onEvent(`group ${this.id}: ${reason} (${member.memberId})`, { group: this.id, member: member.memberId, reason });
    this.bump(reason);
  }

  /** Members whose session lapsed, or who did not revoke within their rebalance timeout, are fenced. */
  expire(sessionTimeoutMs: number, topics: () => TopicView): void {
    const now = this.hooks.now();
    let removed = false;
    for (const m of [...this.members.values()]) {
      if (now - m.lastSeen > sessionTimeoutMs) this.remove(m, 'session timed out');
      else if (m.state === 'unrevoked-partitions' && now > m.revokeBy) this.remove(m, 'did not revoke its partitions within the rebalance timeout');
      else continue;
      removed = true;
    }
    // The topics are read only when a member went: the sweep runs often over every group.
    if (removed && this.groupEpoch > this.assignmentEpoch && this.members.size > 0) this.assign(topics());
  }

  /** A new group epoch and target assignment now (cluster action `rebalance`); false when empty. */
  forceRebalance(topics: TopicView): boolean {
    if (this.members.size === 0) return false;
    this.bump('forced');
    this.assign(topics);
    return true;
  }

  /** Offsets may be committed by a member at its current epoch, or by anyone to an empty group. */
  commitAllowed(memberId: string, memberEpoch: number, version: number): number {
    if (memberEpoch < 0 && this.members.size === 0) return ERR.NONE;
    const member = this.members.get(memberId);
    if (!member) return ERR.UNKNOWN_MEMBER_ID;
    if (version < 9) return ERR.UNSUPPORTED_VERSION;
    return memberEpoch === member.memberEpoch ? ERR.NONE : ERR.STALE_MEMBER_EPOCH;
  }

  /** OffsetFetch v9 from a member is checked like a commit; without a member id it is an admin's. */
  fetchAllowed(memberId: string | null, memberEpoch: number): number {
    if (memberId === null || (memberId === '' && memberEpoch < 0)) return ERR.NONE;
    const member = this.members.get(memberId);
    if (!member) return ERR.UNKNOWN_MEMBER_ID;
    return memberEpoch === member.memberEpoch ? ERR.NONE : ERR.STALE_MEMBER_EPOCH;
  }

  /** The topics a member subscribes to that exist: its names, and those its regex matches. */
  topicsOf(m: ConsumerMember, topics: TopicView): Set<string> {
    const out = new Set<string>();
    for (const t of m.subscribedTopicNames) if (topics.has(t)) out.add(t);
    // Internal topics are never matched by a regex, as Kafka keeps them from consumers.
    if (m.regex) for (const t of topics.keys()) if (!t.startsWith('__') && m.regex.test(t)) out.add(t);
    return out;
  }

  /**
   * The subscribed topics with their partition counts, as one string. Resolved again only when the
   * topics or the subscriptions changed: each heartbeat asks, and regexes over every topic for every
   * member would cost members × topics each time.
   */
  private subscriptionOf(topics: TopicView): string {
    const key = [...topics].map(([t, n]) => `${t}:${n}`).join(',');
    if (this.resolved?.topics === key && this.resolved.membership === this.membership) return this.resolved.subscription;
    const names = new Set<string>();
    for (const m of this.members.values()) for (const t of this.topicsOf(m, topics)) names.add(t);
    const subscription = [...names].sort().map((t) => `${t}:${topics.get(t)}`).join(',');
    this.resolved = { topics: key, membership: this.membership, subscription };
    return subscription;
  }

  private bump(reason: string): void {
    this.groupEpoch++;
    this.hooks.onEvent(`group ${this.id} epoch ${this.groupEpoch}: ${reason}`, { group: this.id, groupEpoch: this.groupEpoch, reason });
  }

  /** A new target assignment for the group epoch, by the assignor most members ask for. */
  private assign(topics: TopicView): void {
    const votes = new Map<AssignorName, number>();
    for (const m of this.members.values()) {
      const a = ASSIGNOR_NAMES.find((n) => n === m.serverAssignor);
      if (a) votes.set(a, (votes.get(a) ?? 0) + 1);
    }
    this.assignor = [...ASSIGNOR_NAMES].sort((a, b) => (votes.get(b) ?? 0) - (votes.get(a) ?? 0))[0] as AssignorName;
    const members = [...this.members.values()].map((m) => ({ memberId: m.memberId, topics: this.topicsOf(m, topics), current: this.target.get(m.memberId) ?? new Map() }));
    const subscribed = new Map<string, number>();
    for (const m of members) for (const t of m.topics) subscribed.set(t, topics.get(t) as number);
    const result = ASSIGNORS[this.assignor](members, subscribed);
    this.target.clear();
    for (const [memberId, a] of result) this.target.set(memberId, a);
    this.subscribed = this.subscriptionOf(topics);
    this.assignmentEpoch = this.groupEpoch;
    this.hooks.onEvent(`group ${this.id} target assignment at epoch ${this.assignmentEpoch} (${this.assignor})`, {
      group: this.id,
      assignmentEpoch: this.assignmentEpoch,
      assignor: this.assignor,
      target: Object.fromEntries([...result].map(([id, a]) => [id, assignmentSize(a)])),
    });
  }

  /** One step of a member towards its target (Kafka's CurrentAssignmentBuilder). */
  private reconcile(m: ConsumerMember, owned: Assignment | null, now: number): void {
    if (m.memberEpoch === STATIC_LEAVE_EPOCH) return;
    if (m.state === 'unrevoked-partitions') {
      // It moves on only once it reports that it no longer owns what it had to give up.
      if (owned === null || !within(owned, m.assigned)) return;
      m.pendingRevocation = new Map();
    } else if (m.state === 'stable' && m.memberEpoch === this.assignmentEpoch) return;
    const target = this.target.get(m.memberId) ?? new Map<string, Set<number>>();
    const keep = intersect(m.assigned, target);
    const revoke = minus(m.assigned, target);
    if (assignmentSize(revoke) > 0) {
      m.assigned = keep;
      m.pendingRevocation = revoke;
      m.state = 'unrevoked-partitions';
      m.revokeBy = now + m.rebalanceTimeoutMs;
      return;
    }
    const held = this.heldByOthers(m.memberId);
    const next: Assignment = new Map();
    let unreleased = 0;
    for (const [t, ps] of target) {
      for (const p of ps) {
        if (keep.get(t)?.has(p) || !held.has(`${t}\u0000${p}`)) add(next, t, p);
        else unreleased++;
      }
    }
    m.assigned = next;
    m.previousMemberEpoch = m.memberEpoch;
    m.memberEpoch = this.assignmentEpoch;
    m.state = unreleased > 0 ? 'unreleased-partitions' : 'stable';
  }

  /** Partitions another member still has, assigned or waiting to be revoked. */
  private heldByOthers(memberId: string): Set<string> {
    const held = new Set<string>();
    for (const o of this.members.values()) {
      if (o.memberId === memberId) continue;
      for (const a of [o.assigned, o.pendingRevocation]) for (const [t, ps] of a) for (const p of ps) held.add(`${t}\u0000${p}`);
    }
    return held;
  }
}

function add(a: Assignment, t: string, p: number): void {
  let s = a.get(t);
  if (!s) a.set(t, (s = new Set()));
  s.add(p);
}

function intersect(a: Assignment, b: Assignment): Assignment {
  const out: Assignment = new Map();
  for (const [t, ps] of a) for (const p of ps) if (b.get(t)?.has(p)) add(out, t, p);
  return out;
}

function minus(a: Assignment, b: Assignment): Assignment {
  const out: Assignment = new Map();
  for (const [t, ps] of a) for (const p of ps) if (!b.get(t)?.has(p)) add(out, t, p);
  return out;
}

function within(a: Assignment, b: Assignment): boolean {
  for (const [t, ps] of a) for (const p of ps) if (!b.get(t)?.has(p)) return false;
  return true;
}

function sameAssignment(a: Assignment, b: Assignment): boolean {
  return assignmentSize(a) === assignmentSize(b) && within(a, b);
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}
