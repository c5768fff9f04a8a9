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

/** Members by (partitions held, member order): the least loaded first, in O(log n) a step. */
class LeastLoaded {
  private readonly heap: number[] = [];
  constructor(
    private readonly count: number[],
    members: Iterable<number>,
  ) {
    for (const m of members) this.push(m);
  }
  private less(a: number, b: number): boolean {
    const ca = this.count[a] as number;
    const cb = this.count[b] as number;
    return ca < cb || (ca === cb && a < b);
  }
  push(m: number): void {
    const h = this.heap;
    h.push(m);
    for (let i = h.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!this.less(h[i] as number, h[up] as number)) break;
      [h[i], h[up]] = [h[up] as number, h[i] as number];
      i = up;
    }
  }
  pop(): number | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l] as number, h[m] as number)) m = l;
        if (r < h.length && this.less(h[r] as number, h[m] as number)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as number, h[i] as number];
        i = m;
      }
    }
    return top;
  }
  peek(): number | undefined {
    return this.heap[0];
  }
}

const uniform: Assignor = (members, topics) => {
  const sorted = [...members].sort(byId);
  const n = sorted.length;
  const names = [...topics.keys()].sort();
  const count = new Array<number>(n).fill(0);
  // owner[t][p]: the index of the member holding partition p of topic t, or -1.
  const owner = new Map<string, Int32Array>(names.map((t) => [t, new Int32Array(topics.get(t) as number).fill(-1)]));
  const give = (m: number, t: string, p: number): void => {
    (owner.get(t) as Int32Array)[p] = m;
    count[m] = (count[m] as number) + 1;
  };
  const subscribers = (t: string): number[] => sorted.flatMap((m, i) => (m.topics.has(t) ? [i] : []));
  const first = sorted[0];
  const homogeneous = first !== undefined && sorted.every((m) => m.topics.size === first.topics.size && [...m.topics].every((t) => first.topics.has(t)));
  const total = names.reduce((sum, t) => sum + (first?.topics.has(t) ? (topics.get(t) as number) : 0), 0);
  // Every member the same subscription: each gets floor(total/n), and total % n of them one more;
  // a member keeps what it had up to that share (Kafka's optimized uniform assignment).
  const quota = homogeneous ? Math.floor(total / n) : Number.POSITIVE_INFINITY;
  let extras = homogeneous ? total % n : 0;
  const kept = (m: AssignorMember, i: number, limit: () => boolean): void => {
    for (const t of [...m.current.keys()].sort()) {
      const slots = owner.get(t);
      if (!slots || !m.topics.has(t)) continue;
      for (const p of [...(m.current.get(t) as Set<number>)].sort((a, b) => a - b)) {
        if (p < slots.length && slots[p] === -1 && limit()) give(i, t, p);
      }
    }
  };
  sorted.forEach((m, i) => kept(m, i, () => (count[i] as number) < quota));
  if (homogeneous) {
    sorted.forEach((m, i) =>
      kept(m, i, () => {
        if (extras === 0 || (count[i] as number) !== quota) return false;
        extras--;
        return true;
      }),
    );
  }
  for (const t of names) {
    const slots = owner.get(t) as Int32Array;
    const eligible = subscribers(t);
    if (eligible.length === 0) continue;
    const heap = new LeastLoaded(count, eligible);
    for (let p = 0; p < slots.length; p++) {
      if (slots[p] !== -1) continue;
      const m = heap.pop() as number;
      give(m, t, p);
      heap.push(m);
    }
  }
  // With different subscriptions the greedy pass can leave a member two or more ahead of another
  // that could take one of its partitions: move such partitions, topic by topic, to the least loaded.
  if (!homogeneous) {
    for (const t of names) {
      const slots = owner.get(t) as Int32Array;
      const eligible = subscribers(t);
      if (eligible.length < 2) continue;
      const heap = new LeastLoaded(count, eligible);
      for (let p = slots.length - 1; p >= 0; p--) {
        const from = slots[p] as number;
        const to = heap.peek() as number;
        if ((count[from] as number) <= (count[to] as number) + 1) continue;
        heap.pop();
        count[from] = (count[from] as number) - 1;
        give(to, t, p);
        heap.push(to);
      }
    }
  }
  const result = new Map<string, Assignment>(sorted.map((m) => [m.memberId, new Map()]));
  for (const t of names) {
    (owner.get(t) as Int32Array).forEach((m, p) => {
      if (m >= 0) add(result.get((sorted[m] as AssignorMember).memberId) as Assignment, t, p);
    });
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
