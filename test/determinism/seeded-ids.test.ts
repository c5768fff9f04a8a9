// Ids from the seed come from streams of their own: a topic's id depends on its name and on how
// many times it was created, a member id on its group and client id, a Stripe id on its prefix and
// count, never on what else the twin drew before. (The end-to-end runs are in determinism.test.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { createRng, DEFAULT_LIMITS } from '../../src/core/index.ts';
import { Cluster } from '../../twins/kafka/cluster/cluster.ts';
import type { JoinRequest } from '../../twins/kafka/cluster/group-coordinator.ts';
import { IdGenerator } from '../../twins/stripe/ids.ts';

const clusters: Cluster[] = [];
afterEach(() => clusters.splice(0).forEach((c) => c.stop()));

function cluster(seed: number): Cluster {
  const made = new Cluster({
    clusterId: 'ids',
    autoCreateTopics: false,
    defaultPartitions: 1,
    limits: DEFAULT_LIMITS,
    now: Date.now,
    onEvent: () => {},
    rng: (...label) => createRng(seed, 'twin', 'bus', ...label),
  });
  made.brokers.push({ nodeId: 0, host: '127.0.0.1', port: 1, up: true });
  clusters.push(made);
  return made;
}

function topicId(c: Cluster, name: string): string {
  const topic = c.topic(name);
  if (!topic) throw new Error(`no topic ${name}`);
  return topic.id.toString('hex');
}

/** A JoinGroup v4+ of a new member: answered at once with MEMBER_ID_REQUIRED and the id it is to use. */
async function newMemberId(c: Cluster, groupId: string, clientId: string): Promise<string> {
  const req: JoinRequest = {
    groupId,
    memberId: '',
    groupInstanceId: null,
    clientId,
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }],
    requireKnownMemberId: true,
  };
  return (await c.groups.join(req)).memberId;
}

describe('seeded ids', () => {
  it('a topic id follows its name and incarnation, not the topics made before it', () => {
    const a = cluster(7);
    a.createTopic({ name: 'orders' });
    const b = cluster(7);
    b.createTopic({ name: 'audit' });
    b.createTopic({ name: 'orders' });
    expect(topicId(b, 'orders')).toBe(topicId(a, 'orders'));
    expect(topicId(b, 'audit')).not.toBe(topicId(b, 'orders'));

    // Created again, a topic is another topic to its clients: a new id.
    const first = topicId(a, 'orders');
    a.deleteTopic('orders');
    a.createTopic({ name: 'orders' });
    expect(topicId(a, 'orders')).not.toBe(first);
    const otherSeed = cluster(8);
    otherSeed.createTopic({ name: 'orders' });
    expect(topicId(otherSeed, 'orders')).not.toBe(first);
  });

  it('a member id follows its group and client id, not the joins of other groups', async () => {
    const a = cluster(7);
    const alone = await newMemberId(a, 'readers', 'app');
    const b = cluster(7);
    await newMemberId(b, 'writers', 'app');
    await newMemberId(b, 'readers', 'other');
    expect(await newMemberId(b, 'readers', 'app')).toBe(alone);
    expect(alone).toMatch(/^app-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The next new member of that client id gets the next id of its stream.
    expect(await newMemberId(a, 'readers', 'app')).not.toBe(alone);
    expect(await newMemberId(cluster(8), 'readers', 'app')).not.toBe(alone);
  });

  it('a Stripe id follows its prefix and count, not the objects made before it', () => {
    const streams = (seed: number) => (...label: Array<string | number>) => createRng(seed, 'twin', 'payments', 'ids', ...label);
    const pi = new IdGenerator(streams(7)).next('pi');
    expect(pi).toMatch(/^pi_[0-9A-Za-z]{24}$/);
    const busier = new IdGenerator(streams(7));
    busier.next('cus');
    busier.next('evt');
    busier.random(40);
    expect(busier.next('pi')).toBe(pi);
    expect(busier.next('pi')).not.toBe(pi);
    expect(new IdGenerator(streams(8)).next('pi')).not.toBe(pi);
  });
});
