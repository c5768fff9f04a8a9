// ACLs on transactional ids, idempotent producers and configs, for SASL principals through kafkajs:
// a transaction needs WRITE on its transactional id (for its transactional Produce too, checked
// before the topic) and READ on the group whose offsets it commits, an idempotent producer
// IDEMPOTENT_WRITE on the cluster or WRITE on some topic, and DescribeConfigs / AlterConfigs /
// IncrementalAlterConfigs (@platformatic/kafka, which kafkajs lacks) DESCRIBE_CONFIGS /
// ALTER_CONFIGS on the topic or the cluster — each refusal with Kafka's error code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { Admin as PltAdmin, Connection, createRecordsBatch, produceV9, ResponseError, Writer } from '@platformatic/kafka';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const users = { admin: 'root-pw', alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw', dave: 'dave-pw', erin: 'erin-pw' } as const;
type User = keyof typeof users;
let h: TwinHarness;

beforeAll(async () => {
  h = await startTwin(
    kafkaTwin,
    {
      topics: [{ name: 'ledger' }],
      sasl: { mechanisms: ['PLAIN'], users },
      authorizer: {
        superUsers: ['User:admin'],
        acls: [
          { resourceType: 'TOPIC', resourceName: 'ledger', principal: 'User:alice', operation: 'WRITE' },
          { resourceType: 'TOPIC', resourceName: 'ledger', principal: 'User:alice', operation: 'READ' },
        ],
      },
    },
    { seed: 71 },
  );
});
afterAll(async () => {
  await h?.stop();
});

const as = (user: User): Kafka =>
  new Kafka({ clientId: `acl-${user}`, brokers: h.twin.endpoints.bootstrap!.split(','), logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: user, password: users[user] }, retry: { retries: 0 } });

/** The Kafka error name a client call failed with (kafkajs `type`, looking through its causes), or 'ok'. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    let err = e as { type?: string; cause?: unknown; originalError?: unknown; message: string };
    while (!err.type && (err.cause || err.originalError)) err = (err.cause ?? err.originalError) as typeof err;
    return err.type ?? err.message;
  }
}

async function grant(acl: { resourceType: AclResourceTypes; resourceName: string; principal: string; operation: AclOperationTypes }): Promise<void> {
  const admin = as('admin').admin();
  await admin.connect();
  await admin.createAcls({ acl: [{ ...acl, resourcePatternType: ResourcePatternTypes.LITERAL, host: '*', permissionType: AclPermissionTypes.ALLOW }] });
  await admin.disconnect();
}

/** A transaction of alice's: one record to ledger, offsets of `group`, committed. */
async function transaction(transactionalId: string, group: string): Promise<void> {
  // kafkajs refuses an idempotent producer without retries; refusals are not retriable anyway.
  const producer = as('alice').producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
  await producer.connect();
  try {
    const txn = await producer.transaction();
    try {
      await txn.send({ topic: 'ledger', messages: [{ value: `${transactionalId}-entry` }] });
      await txn.sendOffsets({ consumerGroupId: group, topics: [{ topic: 'ledger', partitions: [{ partition: 0, offset: '1' }] }] });
      await txn.commit();
    } catch (e) {
      await txn.abort().catch(() => {});
      throw e;
    }
  } finally {
    await producer.disconnect();
  }
}

const refusedApis = (clientId: string, error: string): string[] =>
  h.journal
    .query({ type: 'request' })
    .events.filter((e) => e.data?.clientId === clientId && e.data?.error === error)
    .map((e) => String(e.data?.api));

describe('ACLs on transactional ids', () => {
  it('kafkajs: a transaction without WRITE on its transactional id is refused; with it, it commits; its offsets need READ on the group', async () => {
    // kafkajs asks for the transaction coordinator first, which needs DESCRIBE (implied by WRITE) on
    // the id; it reports the refusal as a coordinator it cannot find.
    expect(await outcome(transaction('alice-tx', 'alice-group'))).toMatch(/coordinator/);
    expect(refusedApis('acl-alice', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED')).toEqual(['FindCoordinator']);

    // DESCRIBE finds the coordinator, but InitProducerId needs WRITE.
    await grant({ resourceType: AclResourceTypes.TRANSACTIONAL_ID, resourceName: 'alice-tx', principal: 'User:alice', operation: AclOperationTypes.DESCRIBE });
    expect(await outcome(transaction('alice-tx', 'alice-group'))).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
    expect(refusedApis('acl-alice', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED')).toEqual(['FindCoordinator', 'InitProducerId']);

    await grant({ resourceType: AclResourceTypes.TRANSACTIONAL_ID, resourceName: 'alice-tx', principal: 'User:alice', operation: AclOperationTypes.WRITE });
    // Now the transaction gets as far as its offsets: alice may not READ the group.
    expect(await outcome(transaction('alice-tx', 'alice-group'))).toBe('GROUP_AUTHORIZATION_FAILED');
    expect(refusedApis('acl-alice', 'GROUP_AUTHORIZATION_FAILED')).toContain('AddOffsetsToTxn');

    await grant({ resourceType: AclResourceTypes.GROUP, resourceName: 'alice-group', principal: 'User:alice', operation: AclOperationTypes.READ });
    expect(await outcome(transaction('alice-tx', 'alice-group'))).toBe('ok');
    const state = (await h.twin.inspect({ group: 'alice-group' })) as { groups: Array<{ offsets: Array<{ offset: number }> }> };
    expect(state.groups[0]!.offsets[0]!.offset).toBe(1);
    // Another transactional id is still refused.
    expect(await outcome(transaction('alice-other-tx', 'alice-group'))).toMatch(/coordinator/);
    expect(refusedApis('acl-alice', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED')).toEqual(['FindCoordinator', 'InitProducerId', 'FindCoordinator']);
  }, 60_000);

  it('kafkajs: WRITE on the transactional id taken away mid-transaction — the next Produce is TRANSACTIONAL_ID_AUTHORIZATION_FAILED, nothing of it stored', async () => {
    await grant({ resourceType: AclResourceTypes.TOPIC, resourceName: 'ledger', principal: 'User:erin', operation: AclOperationTypes.WRITE });
    await grant({ resourceType: AclResourceTypes.TRANSACTIONAL_ID, resourceName: 'erin-tx', principal: 'User:erin', operation: AclOperationTypes.WRITE });
    const producer = as('erin').producer({ transactionalId: 'erin-tx', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic: 'ledger', messages: [{ value: 'erin-1' }] });
      const admin = as('admin').admin();
      await admin.connect();
      await admin.deleteAcls({
        filters: [{ resourceType: AclResourceTypes.TRANSACTIONAL_ID, resourceName: 'erin-tx', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:erin', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }],
      });
      await admin.disconnect();
      // The partition is in the transaction already, so kafkajs goes straight to Produce: Kafka
      // checks the id there too, before the topic (erin may still WRITE on ledger).
      expect(await outcome(txn.send({ topic: 'ledger', messages: [{ value: 'erin-2' }] }))).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
      await txn.abort().catch(() => {});
    } finally {
      await producer.disconnect();
    }
    // Then kafkajs's abort cannot find the coordinator either: DESCRIBE went with WRITE.
    expect(refusedApis('acl-erin', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED')).toEqual(['Produce', 'FindCoordinator']);
    const state = (await h.twin.inspect({ topic: 'ledger' })) as { topics: Array<{ partitions: Array<{ records: Array<{ value: string | null }> }> }> };
    const values = state.topics[0]!.partitions[0]!.records.map((r) => r.value);
    expect(values).toContain('erin-1');
    expect(values).not.toContain('erin-2');
  }, 60_000);

  it('@platformatic/kafka Produce v9: a transactional batch is refused for its transactional id before its topic is looked at', async () => {
    // bob may WRITE neither ledger nor bob-tx: the answer names the transactional id, on every partition.
    const [host, port] = h.twin.endpoints.bootstrap!.split(':') as [string, string];
    const c = new Connection('acl-bob-raw', { sasl: { mechanism: 'PLAIN', username: 'bob', password: users.bob } });
    await c.connect(host, Number(port));
    try {
      const send = async (transactionalId: string | undefined): Promise<number[]> => {
        const options = { transactionalId, producerId: 7n, producerEpoch: 0 };
        const answer = await produceV9.api.async(c, -1, 5000, [{ topic: 'ledger', partition: 0, value: Buffer.from('bob') }], options).catch((e: unknown) => {
          if (e instanceof ResponseError) return (e as unknown as { response: produceV9.ProduceResponse }).response;
          throw e;
        });
        return (answer as produceV9.ProduceResponse).responses.flatMap((t) => t.partitionResponses.map((p) => p.errorCode));
      };
      expect(await send('bob-tx')).toEqual([53]); // TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      // Without a transactional id the batch is not transactional: only the topic is checked.
      expect(await send(undefined)).toEqual([29]); // TOPIC_AUTHORIZATION_FAILED
    } finally {
      await c.close();
    }
  }, 60_000);

  it('Produce v9 written by hand: a transactional batch without a transactional id is refused; an id beside a plain batch is not looked at', async () => {
    // alice may WRITE ledger but no transactional id. @platformatic/kafka's Writer and batch codec
    // write the request, as its produceV9 does, with the id and the batch's flag set apart.
    const [host, port] = h.twin.endpoints.bootstrap!.split(':') as [string, string];
    const c = new Connection('acl-alice-raw', { sasl: { mechanism: 'PLAIN', username: 'alice', password: users.alice } });
    await c.connect(host, Number(port));
    const send = (transactionalId: string | null, transactionalBatch: boolean): Promise<number> => {
      const batch = createRecordsBatch([{ topic: 'ledger', partition: 0, value: Buffer.from('raw') }], transactionalBatch ? { transactionalId: 'in-batch', producerId: 9n, producerEpoch: 0 } : { producerId: -1n, producerEpoch: -1 });
      const payload = (): Writer =>
        Writer.create()
          .appendString(transactionalId) // transactional_id (nullable)
          .appendInt16(-1) // acks
          .appendInt32(5000) // timeout_ms
          .appendArray([0], (w) => w.appendString('ledger').appendArray([0], (w) => w.appendInt32(0).appendUnsignedVarInt(batch.length + 1).appendFrom(batch)))
          .appendTaggedFields();
      return new Promise<produceV9.ProduceResponse>((resolve, reject) =>
        c.send(0, 9, payload, produceV9.parseResponse as never, true, true, (e: Error | null, r: unknown) => {
          if (e instanceof ResponseError) resolve((e as unknown as { response: produceV9.ProduceResponse }).response);
          else if (e) reject(e);
          else resolve(r as produceV9.ProduceResponse);
        }),
      ).then((r) => r.responses[0]!.partitionResponses[0]!.errorCode);
    };
    try {
      expect(await send(null, true)).toBe(53); // TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      expect(await send('alice-may-not', false)).toBe(0);
    } finally {
      await c.close();
    }
  }, 60_000);

  it('kafkajs: an idempotent producer needs IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (KIP-679)', async () => {
    const idempotent = async (user: User): Promise<string> => {
      const producer = as(user).producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
      return outcome(
        (async () => {
          await producer.connect();
          try {
            await producer.send({ topic: 'ledger', messages: [{ value: `${user}-idempotent` }] });
          } finally {
            await producer.disconnect();
          }
        })(),
      );
    };
    // bob may write nowhere: InitProducerId is refused.
    expect(await idempotent('bob')).toBe('CLUSTER_AUTHORIZATION_FAILED');
    expect(refusedApis('acl-bob', 'CLUSTER_AUTHORIZATION_FAILED')).toContain('InitProducerId');
    // alice has WRITE on ledger: enough.
    expect(await idempotent('alice')).toBe('ok');
    // IDEMPOTENT_WRITE gets bob a producer id; writing to ledger still needs WRITE on it.
    await grant({ resourceType: AclResourceTypes.CLUSTER, resourceName: 'kafka-cluster', principal: 'User:bob', operation: AclOperationTypes.IDEMPOTENT_WRITE });
    expect(await idempotent('bob')).toBe('TOPIC_AUTHORIZATION_FAILED');
  }, 60_000);
});

describe('ACLs on configs', () => {
  const describeTopic = async (user: User): Promise<string> => {
    const admin = as(user).admin();
    await admin.connect();
    try {
      return await outcome(admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'ledger' }], includeSynonyms: false }));
    } finally {
      await admin.disconnect();
    }
  };
  const describeBroker = async (user: User): Promise<string> => {
    const admin = as(user).admin();
    await admin.connect();
    try {
      return await outcome(admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '0' }], includeSynonyms: false }));
    } finally {
      await admin.disconnect();
    }
  };
  const alterTopic = async (user: User, value: string): Promise<string> => {
    const admin = as(user).admin();
    await admin.connect();
    try {
      return await outcome(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'ledger', configEntries: [{ name: 'retention.ms', value }] }] }));
    } finally {
      await admin.disconnect();
    }
  };

  it('kafkajs DescribeConfigs and AlterConfigs: TOPIC_/CLUSTER_AUTHORIZATION_FAILED without the ACL; ALTER_CONFIGS implies DESCRIBE_CONFIGS', async () => {
    // WRITE and READ on a topic do not reach its configs.
    expect(await describeTopic('alice')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await describeBroker('carol')).toBe('CLUSTER_AUTHORIZATION_FAILED');
    expect(await alterTopic('carol', '3600000')).toBe('TOPIC_AUTHORIZATION_FAILED');

    await grant({ resourceType: AclResourceTypes.TOPIC, resourceName: 'ledger', principal: 'User:carol', operation: AclOperationTypes.ALTER_CONFIGS });
    expect(await alterTopic('carol', '3600000')).toBe('ok');
    expect(await describeTopic('carol')).toBe('ok');
    const admin = as('carol').admin();
    await admin.connect();
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'ledger' }], includeSynonyms: false });
    await admin.disconnect();
    expect(described.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('3600000');
    // The topic's grant says nothing of the cluster's configs.
    expect(await describeBroker('carol')).toBe('CLUSTER_AUTHORIZATION_FAILED');
    await grant({ resourceType: AclResourceTypes.CLUSTER, resourceName: 'kafka-cluster', principal: 'User:carol', operation: AclOperationTypes.DESCRIBE_CONFIGS });
    expect(await describeBroker('carol')).toBe('ok');
  }, 60_000);

  it("kafkajs AlterConfigs of a broker's configs needs ALTER_CONFIGS on the cluster; DESCRIBE_CONFIGS is not enough", async () => {
    const admin = as('carol').admin();
    await admin.connect();
    try {
      const raise = (): Promise<unknown> =>
        admin.alterConfigs({ validateOnly: true, resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configEntries: [{ name: 'log.retention.ms', value: '7200000' }] }] });
      expect(await outcome(raise())).toBe('CLUSTER_AUTHORIZATION_FAILED');
      await grant({ resourceType: AclResourceTypes.CLUSTER, resourceName: 'kafka-cluster', principal: 'User:carol', operation: AclOperationTypes.ALTER_CONFIGS });
      expect(await outcome(raise())).toBe('ok');
    } finally {
      await admin.disconnect();
    }
  });

  it('@platformatic/kafka IncrementalAlterConfigs: TOPIC_AUTHORIZATION_FAILED without ALTER_CONFIGS on the topic, the change made with it', async () => {
    const plt = new PltAdmin({ clientId: 'acl-dave', bootstrapBrokers: h.twin.endpoints.bootstrap!.split(','), sasl: { mechanism: 'PLAIN', username: 'dave', password: users.dave }, retries: 0 });
    const SET = 0;
    const raise = (): Promise<void> => plt.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'ledger', configs: [{ name: 'retention.bytes', configOperation: SET, value: '1000000' }] }] });
    try {
      await expect(raise()).rejects.toThrow();
      expect(refusedApis('acl-dave', 'TOPIC_AUTHORIZATION_FAILED')).toEqual(['IncrementalAlterConfigs']);
      await grant({ resourceType: AclResourceTypes.TOPIC, resourceName: 'ledger', principal: 'User:dave', operation: AclOperationTypes.ALTER_CONFIGS });
      await raise();
    } finally {
      await plt.close();
    }
    const admin = as('admin').admin();
    await admin.connect();
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'ledger' }], includeSynonyms: false });
    await admin.disconnect();
    expect(described.resources[0]!.configEntries.find((e) => e.configName === 'retention.bytes')?.configValue).toBe('1000000');
  });
});
