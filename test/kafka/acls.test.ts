// ACLs with an authorizer, for SASL principals: CreateAcls / DescribeAcls / DeleteAcls through the
// kafkajs admin client, enforced on produce, consume, group membership and the topic listing with
// TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED; a super user may do everything; kcat is refused too.
import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const users = { admin: 'root-pw', alice: 'alice-pw', bob: 'bob-pw' } as const;
let h: TwinHarness;

beforeAll(async () => {
  h = await startTwin(
    kafkaTwin,
    {
      topics: [{ name: 'orders' }, { name: 'payments' }],
      sasl: { mechanisms: ['PLAIN'], users },
      authorizer: { superUsers: ['User:admin'], acls: [{ resourceType: 'TOPIC', resourceName: 'orders', principal: 'User:bob', operation: 'READ' }] },
    },
    { seed: 50 },
  );
});
afterAll(async () => {
  await h?.stop();
});

const as = (user: keyof typeof users): Kafka =>
  new Kafka({
    clientId: `acl-${user}`,
    brokers: h.twin.endpoints.bootstrap!.split(','),
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: 'plain', username: user, password: users[user] },
    retry: { retries: 0 },
  });

async function produce(user: keyof typeof users, topic: string, value: string): Promise<void> {
  const producer = as(user).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: value, value }] });
  } finally {
    await producer.disconnect();
  }
}

async function consumeOne(user: keyof typeof users, topic: string, groupId: string): Promise<string> {
  const consumer = as(user).consumer({ groupId, retry: { retries: 0 } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('ACLs', () => {
  it('without an ACL, a principal may not write; only a principal with ALTER on the cluster may create ACLs', async () => {
    await expect(produce('alice', 'orders', 'nope')).rejects.toThrow(/authoriz/i);
    const alice = as('alice').admin();
    await alice.connect();
    const creation = { resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW };
    await expect(alice.createAcls({ acl: [creation] })).rejects.toMatchObject({ type: 'CLUSTER_AUTHORIZATION_FAILED' });
    await expect(alice.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY })).rejects.toMatchObject({
      type: 'CLUSTER_AUTHORIZATION_FAILED',
    });
    await alice.disconnect();
    // The super user may.
    await produce('admin', 'payments', 'paid');
  });

  it('ACLs created by the super user are listed by DescribeAcls and enforced at once: topic WRITE, prefixed READ, group READ', async () => {
    const admin = as('admin').admin();
    await admin.connect();
    await admin.createAcls({
      acl: [
        { resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW },
        { resourceType: AclResourceTypes.TOPIC, resourceName: 'pay', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:alice', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
        { resourceType: AclResourceTypes.GROUP, resourceName: 'alice-', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:alice', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
      ],
    });
    const described = await admin.describeAcls({ resourceType: AclResourceTypes.TOPIC, resourceName: 'payments', resourcePatternType: ResourcePatternTypes.MATCH, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
    expect(described.resources).toEqual([{ resourceType: AclResourceTypes.TOPIC, resourceName: 'pay', resourcePatternType: ResourcePatternTypes.PREFIXED, acls: [{ principal: 'User:alice', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW }] }]);
    const all = await admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
    expect(all.resources.flatMap((r) => r.acls.map((a) => `${a.principal} ${r.resourceName}`)).sort()).toEqual(['User:alice alice-', 'User:alice orders', 'User:alice pay', 'User:bob orders']);
    await admin.disconnect();

    await produce('alice', 'orders', 'o1');
    await expect(produce('alice', 'payments', 'p2')).rejects.toThrow(/authoriz/i);
    expect(await consumeOne('alice', 'payments', 'alice-readers')).toBe('paid');
    // No READ on the group: FindCoordinator is refused (kafkajs then reports no coordinator found).
    await expect(consumeOne('alice', 'payments', 'others')).rejects.toThrow(/group coordinator/);
    const refusals = h.journal.query({ type: 'request' }).events.filter((e) => e.data?.clientId === 'acl-alice' && e.data?.error === 'GROUP_AUTHORIZATION_FAILED');
    expect(refusals.map((e) => e.data?.api)).toContain('FindCoordinator');
  }, 60_000);

  it('the topic listing leaves out what the principal may not describe', async () => {
    const list = async (user: keyof typeof users): Promise<string[]> => {
      const admin = as(user).admin();
      await admin.connect();
      const topics = (await admin.listTopics()).sort();
      await admin.disconnect();
      return topics;
    };
    expect(await list('admin')).toEqual(['orders', 'payments']);
    expect(await list('alice')).toEqual(['orders', 'payments']);
    expect(await list('bob')).toEqual(['orders']);
  });

  it('DeleteAcls removes the bindings a filter matches, and the permission goes with them', async () => {
    const admin = as('admin').admin();
    await admin.connect();
    const deleted = await admin.deleteAcls({
      filters: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }],
    });
    expect(deleted.filterResponses[0]!.matchingAcls).toMatchObject([{ resourceName: 'orders', principal: 'User:alice', operation: AclOperationTypes.WRITE }]);
    await admin.disconnect();
    await expect(produce('alice', 'orders', 'o2')).rejects.toThrow(/authoriz/i);
    const state = (await h.twin.inspect({ topic: 'orders' })) as { topics: Array<{ partitions: Array<{ records: Array<{ value: string }> }> }> };
    expect(state.topics[0]!.partitions[0]!.records.map((r) => r.value)).toEqual(['o1']);
  });

  it.skipIf(spawnSync('kcat', ['-V']).status !== 0)('librdkafka (kcat): a principal without READ cannot consume; one with it can', async () => {
    const kcat = (user: keyof typeof users, topic: string): Promise<{ code: number | null; out: string; err: string }> =>
      new Promise((resolve) => {
        const args = ['-b', h.twin.endpoints.bootstrap!, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${user}`, '-X', `sasl.password=${users[user]}`, '-C', '-t', topic, '-o', 'beginning', '-e'];
        const child = execFile('kcat', args, { timeout: 20_000 }, () => {});
        let out = '';
        let err = '';
        child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        child.stdin?.end();
        child.on('close', (code) => resolve({ code, out, err }));
      });
    const refused = await kcat('bob', 'payments');
    expect(refused.out).toBe('');
    expect(refused.err).toMatch(/authoriz/i);
    expect((await kcat('bob', 'orders')).out.trim()).toBe('o1');
  }, 60_000);
});
