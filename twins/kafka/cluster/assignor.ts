// The server-side assignors of KIP-848 consumer groups, as a 4.0 broker offers them
// (group.consumer.assignors = uniform, range; the first is the default):
// - `uniform`: every member gets as many partitions as another, ±1, and keeps what it had where it can;
// - `range`: per topic, contiguous ranges in member-id order, the first members one more.
// An assignor sees topics by name and member ids only, so the same group gets the same assignment.
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-848 (Assignor)

/** Partitions by topic name. */
export type Assignment = Map<string, Set<number>>;

export interface AssignorMember {
  memberId: string;
  /** The topics it subscribes to that exist. */
  topics: ReadonlySet<string>;
  /** Its target assignment before this one (for stickiness). */
  current: Assignment;
}

/** Topic name → partition count, for the topics some member subscribes to. */
export type Assignor = (members: readonly AssignorMember[], topics: ReadonlyMap<string, number>) => Map<string, Assignment>;

export const ASSIGNOR_NAMES = ['uniform', 'range'] as const;
export type AssignorName = (typeof ASSIGNOR_NAMES)[number];

const byId = (a: AssignorMember, b: AssignorMember): number => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

function add(a: Assignment, topic: string, partition: number): void {
  let s = a.get(topic);
  if (!s) a.set(topic, (s = new Set()));
  s.add(partition);
}

export function assignmentSize(a: Assignment): number {
  let n = 0;
  for (const s of a.values()) n += s.size;
  return n;
}

const uniform: Assignor = (members, topics) => {
  const sorted = [...members].sort(byId);
  const result = new Map<string, Assignment>(sorted.map((m) => [m.memberId, new Map()]));
  const count = new Map<string, number>(sorted.map((m) => [m.memberId, 0]));
  const owner = new Map<string, string>();
  const key = (t: string, p: number): string => `${t}\u0000${p}`;
  const give = (memberId: string, t: string, p: number): void => {
    add(result.get(memberId) as Assignment, t, p);
    count.set(memberId, (count.get(memberId) as number) + 1);
    owner.set(key(t, p), memberId);
  };
  const names = [...topics.keys()].sort();
  const total = names.reduce((n, t) => n + (topics.get(t) as number), 0);
  // No member keeps more than an even share: the rest goes to those who have less.
  const ceiling = Math.ceil(total / Math.max(1, sorted.length));
  for (const m of sorted) {
    for (const t of [...m.current.keys()].sort()) {
      const n = topics.get(t);
      if (n === undefined || !m.topics.has(t)) continue;
      for (const p of [...(m.current.get(t) as Set<number>)].sort((a, b) => a - b)) {
        if (p < n && !owner.has(key(t, p)) && (count.get(m.memberId) as number) < ceiling) give(m.memberId, t, p);
      }
    }
  }
  for (const t of names) {
    const eligible = sorted.filter((m) => m.topics.has(t));
    if (eligible.length === 0) continue;
    for (let p = 0; p < (topics.get(t) as number); p++) {
      if (owner.has(key(t, p))) continue;
      const least = eligible.reduce((a, b) => ((count.get(b.memberId) as number) < (count.get(a.memberId) as number) ? b : a));
      give(least.memberId, t, p);
    }
  }
  // With different subscriptions the greedy pass can leave a member two or more ahead of one that
  // could take its partitions: move them one at a time (each move narrows the gap, so this ends).
  for (let moved = true; moved; ) {
    moved = false;
    for (const from of sorted) {
      for (const to of sorted) {
        if ((count.get(from.memberId) as number) <= (count.get(to.memberId) as number) + 1) continue;
        const fromA = result.get(from.memberId) as Assignment;
        const t = [...fromA.keys()].sort().find((x) => to.topics.has(x) && (fromA.get(x) as Set<number>).size > 0);
        if (t === undefined) continue;
        const ps = fromA.get(t) as Set<number>;
        const p = Math.max(...ps);
        ps.delete(p);
        if (ps.size === 0) fromA.delete(t);
        count.set(from.memberId, (count.get(from.memberId) as number) - 1);
        give(to.memberId, t, p);
        moved = true;
      }
    }
  }
  return result;
};

const range: Assignor = (members, topics) => {
  const sorted = [...members].sort(byId);
  const result = new Map<string, Assignment>(sorted.map((m) => [m.memberId, new Map()]));
  for (const t of [...topics.keys()].sort()) {
    const subscribers = sorted.filter((m) => m.topics.has(t));
    if (subscribers.length === 0) continue;
    const n = topics.get(t) as number;
    const each = Math.floor(n / subscribers.length);
    const extra = n % subscribers.length;
    let next = 0;
    subscribers.forEach((m, i) => {
      const share = each + (i < extra ? 1 : 0);
      for (let p = next; p < next + share; p++) add(result.get(m.memberId) as Assignment, t, p);
      next += share;
    });
  }
  return result;
};

export const ASSIGNORS: Readonly<Record<AssignorName, Assignor>> = { uniform, range };
