// The server-side assignors: every subscribed partition to exactly one subscriber, uniform's shares
// even and sticky, range's contiguous per topic.
import { describe, expect, it } from 'vitest';
import { ASSIGNORS, assignmentSize, type Assignment, type AssignorMember } from './assignor.ts';

const member = (memberId: string, topics: string[], current: Assignment = new Map()): AssignorMember => ({ memberId, topics: new Set(topics), current });

function owners(result: Map<string, Assignment>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, a] of result) {
    for (const [t, ps] of a) {
      for (const p of ps) {
        expect(out.has(`${t}:${p}`), `${t}:${p} assigned twice`).toBe(false);
        out.set(`${t}:${p}`, id);
      }
    }
  }
  return out;
}

describe('uniform', () => {
  it('gives each member an even share, and a member that stays keeps what it had up to it', () => {
    const topics = new Map([['t', 9]]);
    const three = ASSIGNORS.uniform([member('a', ['t']), member('b', ['t']), member('c', ['t'])], topics);
    expect(owners(three).size).toBe(9);
    expect([...three.values()].map(assignmentSize)).toEqual([3, 3, 3]);
    // A fourth joins: 9 over 4 is 3, 2, 2, 2 — one keeps three, the others give one each to the newcomer.
    const four = ASSIGNORS.uniform([...['a', 'b', 'c'].map((id) => member(id, ['t'], three.get(id))), member('d', ['t'])], topics);
    expect(owners(four).size).toBe(9);
    expect([...four.values()].map(assignmentSize).sort()).toEqual([2, 2, 2, 3]);
    for (const id of ['a', 'b', 'c']) for (const p of four.get(id)?.get('t') ?? []) expect(three.get(id)?.get('t')?.has(p)).toBe(true);
  });

  it('assigns a topic only to its subscribers, and evens out what it can', () => {
    const topics = new Map([['x', 4], ['y', 4]]);
    const r = ASSIGNORS.uniform([member('a', ['x', 'y']), member('b', ['x']), member('c', ['y'])], topics);
    const o = owners(r);
    expect(o.size).toBe(8);
    for (const [tp, id] of o) expect(tp.startsWith('x') ? ['a', 'b'] : ['a', 'c']).toContain(id);
    expect(Math.max(...[...r.values()].map(assignmentSize)) - Math.min(...[...r.values()].map(assignmentSize))).toBeLessThanOrEqual(1);
  });
});

describe('range', () => {
  it('splits each topic into contiguous ranges in member-id order, the first ones one more', () => {
    const r = ASSIGNORS.range([member('b', ['t', 'u']), member('a', ['t', 'u'])], new Map([['t', 3], ['u', 2]]));
    owners(r);
    expect([...(r.get('a')?.get('t') ?? [])]).toEqual([0, 1]);
    expect([...(r.get('b')?.get('t') ?? [])]).toEqual([2]);
    expect([...(r.get('a')?.get('u') ?? [])]).toEqual([0]);
    expect([...(r.get('b')?.get('u') ?? [])]).toEqual([1]);
  });
});
