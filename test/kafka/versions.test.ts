// Every advertised API answers at every advertised version — flexible ones included (compact
// strings and arrays, tagged fields, request header v2 / response header v1) — with a response that
// decodes exactly to its end, and the error or result Kafka would give.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { REGISTRY } from '../../twins/kafka/apis/registry.ts';
import { versionTable } from '../../twins/kafka/kafka-version.ts';
import { encodeBatch } from '../../twins/kafka/protocol/record-batch.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

let h: TwinHarness;
let raw: RawClient;

beforeAll(async () => {
  // With KIP-848's early access on, so that 3.9 serves every API the twin implements.
  h = await startTwin(kafkaTwin, { topics: [{ name: 'v', partitions: 1 }], groupCoordinatorRebalanceProtocols: ['classic', 'consumer'] }, { seed: 1 });
  raw = await RawClient.connect(h.twin.endpoints.bootstrap!);
  const meta = await raw.request(3, 12, { topics: [{ name: 'v' }], allowAutoTopicCreation: false });
  id = (meta.topics as Array<{ topicId: Buffer }>)[0]!.topicId;
});
afterAll(async () => {
  raw?.close();
  await h?.stop();
});

let id: Buffer | undefined;
/** Fetch v13+ names the topic by the id Metadata gave it. */
const topicId = (): Buffer => id ?? Buffer.alloc(16);

const record = encodeBatch({ baseOffset: 0, baseTimestamp: 1, records: [{ attributes: 0, timestampDelta: 0, offsetDelta: 0, key: null, value: Buffer.from('v'), headers: [] }] });

/** A minimal request per API and the error code expected back (topic-level or top-level). */
const cases: Record<number, { body: (v: number) => Record<string, unknown>; expect: (res: Record<string, unknown>, v: number) => void }> = {
  18: { body: () => ({ clientSoftwareName: 'versions', clientSoftwareVersion: '1' }), expect: (r) => expect(r.errorCode).toBe(0) },
  3: { body: () => ({ topics: [{ name: 'v' }], allowAutoTopicCreation: false }), expect: (r) => expect(r.topics).toMatchObject([{ name: 'v', errorCode: 0, partitions: [{ leaderId: 0 }] }]) },
  0: {
    body: () => ({ acks: -1, timeoutMs: 1000, topicData: [{ name: 'v', partitionData: [{ index: 0, records: record }] }] }),
    expect: (r) => expect(r.responses).toMatchObject([{ partitionResponses: [{ errorCode: 0 }] }]),
  },
  1: {
    body: () => ({ replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1e6, isolationLevel: 0, sessionEpoch: -1, topics: [{ topic: 'v', topicId: topicId(), partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1e6 }] }] }),
    expect: (r) => expect((r.responses as Array<{ partitions: Array<{ errorCode: number; records: Buffer }> }>)[0]!.partitions[0]!.records.length).toBeGreaterThan(0),
  },
  2: { body: () => ({ replicaId: -1, topics: [{ name: 'v', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] }), expect: (r) => expect(r.topics).toMatchObject([{ partitions: [{ errorCode: 0 }] }]) },
  10: { body: () => ({ key: 'g', coordinatorKeys: ['g'] }), expect: (r, v) => expect(v >= 4 ? (r.coordinators as Array<{ errorCode: number }>)[0]!.errorCode : r.errorCode).toBe(0) },
  11: {
    body: () => ({ groupId: 'g', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, memberId: 'nobody', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }),
    expect: (r) => expect(r.errorCode).toBe(25),
  },
  14: { body: () => ({ groupId: 'g', generationId: 1, memberId: 'nobody', assignments: [] }), expect: (r) => expect(r.errorCode).toBe(25) },
  12: { body: () => ({ groupId: 'g', generationId: 1, memberId: 'nobody' }), expect: (r) => expect(r.errorCode).toBe(25) },
  13: { body: () => ({ groupId: 'g', memberId: 'nobody', members: [{ memberId: 'nobody' }] }), expect: (r, v) => expect(v >= 3 ? (r.members as Array<{ errorCode: number }>)[0]!.errorCode : r.errorCode).toBe(25) },
  8: {
    body: () => ({ groupId: 'vg', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'v', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: '' }] }] }),
    expect: (r) => expect(r.topics).toMatchObject([{ partitions: [{ errorCode: 0 }] }]),
  },
  9: {
    body: () => ({ groupId: 'vg', topics: [{ name: 'v', partitionIndexes: [0] }], groups: [{ groupId: 'vg', topics: [{ name: 'v', partitionIndexes: [0] }] }] }),
    expect: (r, v) => expect(v >= 8 ? (r.groups as Array<{ topics: unknown }>)[0]!.topics : r.topics).toMatchObject([{ partitions: [{ committedOffset: 1 }] }]),
  },
  15: { body: () => ({ groups: ['vg'] }), expect: (r) => expect(r.groups).toMatchObject([{ groupId: 'vg', errorCode: 0 }]) },
  16: { body: () => ({}), expect: (r) => expect(r.errorCode).toBe(0) },
  42: { body: () => ({ groupsNames: ['none'] }), expect: (r) => expect(r.results).toMatchObject([{ errorCode: 69 }]) },
  19: { body: (v) => ({ topics: [{ name: `ct-${v}`, numPartitions: 2, replicationFactor: 1 }], timeoutMs: 1000 }), expect: (r) => expect(r.topics).toMatchObject([{ errorCode: 0 }]) },
  20: { body: (v) => ({ topicNames: [`ct-${v}`], topics: [{ name: `ct-${v}` }], timeoutMs: 1000 }), expect: (r) => expect(r.responses).toMatchObject([{ errorCode: 0 }]) },
  37: { body: () => ({ topics: [{ name: 'v', count: 3, assignments: null }], timeoutMs: 1000, validateOnly: true }), expect: (r) => expect(r.results).toMatchObject([{ errorCode: 0 }]) },
  22: { body: () => ({ transactionalId: null, transactionTimeoutMs: 1000, producerId: -1, producerEpoch: -1 }), expect: (r) => expect(r).toMatchObject({ errorCode: 0, producerEpoch: 0 }) },
  24: {
    body: () => ({ v3AndBelowTransactionalId: 'none', v3AndBelowProducerId: 1, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 'v', partitions: [0] }] }),
    expect: (r) => expect(r.resultsByTopicV3AndBelow).toMatchObject([{ resultsByPartition: [{ partitionErrorCode: 49 }] }]),
  },
  25: { body: () => ({ transactionalId: 'none', producerId: 1, producerEpoch: 0, groupId: 'g' }), expect: (r) => expect(r.errorCode).toBe(49) },
  26: { body: () => ({ transactionalId: 'none', producerId: 1, producerEpoch: 0, committed: true }), expect: (r) => expect(r.errorCode).toBe(49) },
  28: {
    body: () => ({ transactionalId: 'none', groupId: 'g', producerId: 1, producerEpoch: 0, generationId: -1, memberId: '', topics: [{ name: 'v', partitions: [{ partitionIndex: 0, committedOffset: 0 }] }] }),
    expect: (r) => expect(r.topics).toMatchObject([{ partitions: [{ errorCode: 49 }] }]),
  },
  32: { body: () => ({ resources: [{ resourceType: 2, resourceName: 'v', configurationKeys: null }] }), expect: (r) => expect(r.results).toMatchObject([{ errorCode: 0 }]) },
  17: { body: () => ({ mechanism: 'PLAIN' }), expect: (r) => expect(r.errorCode).toBe(33) },
  36: { body: () => ({ authBytes: Buffer.from('x') }), expect: (r) => expect(r.errorCode).toBe(34) },
  21: { body: () => ({ topics: [{ name: 'v', partitions: [{ partitionIndex: 0, offset: 0 }] }], timeoutMs: 1000 }), expect: (r) => expect(r.topics).toMatchObject([{ partitions: [{ errorCode: 0, lowWatermark: 0 }] }]) },
  23: {
    body: () => ({ replicaId: -1, topics: [{ topic: 'v', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] }),
    expect: (r) => expect(r.topics).toMatchObject([{ partitions: [{ errorCode: 0 }] }]),
  },
  33: {
    body: () => ({ resources: [{ resourceType: 2, resourceName: 'v', configs: [{ name: 'retention.bytes', value: '-1' }] }], validateOnly: true }),
    expect: (r) => expect(r.responses).toMatchObject([{ errorCode: 0 }]),
  },
  44: {
    body: () => ({ resources: [{ resourceType: 2, resourceName: 'v', configs: [{ name: 'retention.bytes', configOperation: 0, value: '-1' }] }], validateOnly: true }),
    expect: (r) => expect(r.responses).toMatchObject([{ errorCode: 0 }]),
  },
  45: {
    body: () => ({ timeoutMs: 1000, topics: [{ name: 'v', partitions: [{ partitionIndex: 0, replicas: null }] }] }),
    expect: (r) => expect(r.responses).toMatchObject([{ partitions: [{ errorCode: 85 }] }]),
  },
  46: { body: () => ({ timeoutMs: 1000, topics: null }), expect: (r) => expect(r).toMatchObject({ errorCode: 0, topics: [] }) },
  68: {
    body: () => ({ groupId: 'cg', memberId: 'versions', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['v'], topicPartitions: [] }),
    expect: (r) => expect(r).toMatchObject({ errorCode: 0, memberEpoch: 1 }),
  },
  69: { body: () => ({ groupIds: ['nobody'] }), expect: (r) => expect(r.groups).toMatchObject([{ groupId: 'nobody', errorCode: 69 }]) },
  // No authorizer on this twin: the ACL APIs answer SECURITY_DISABLED, as Kafka does.
  29: { body: () => ({ resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }), expect: (r) => expect(r.errorCode).toBe(54) },
  30: {
    body: () => ({ creations: [{ resourceType: 2, resourceName: 'v', resourcePatternType: 3, principal: 'User:a', host: '*', operation: 3, permissionType: 3 }] }),
    expect: (r) => expect(r.results).toMatchObject([{ errorCode: 54 }]),
  },
  31: { body: () => ({ filters: [{ resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }] }), expect: (r) => expect(r.filterResults).toMatchObject([{ errorCode: 54 }]) },
  60: { body: () => ({ includeClusterAuthorizedOperations: false, endpointType: 1 }), expect: (r) => expect(r).toMatchObject({ errorCode: 0, controllerId: 0 }) },
};

const served = versionTable('3.9', REGISTRY, ['classic', 'consumer']);
const matrix = [...REGISTRY.values()].flatMap((api) => {
  const out: Array<{ name: string; key: number; version: number }> = [];
  const [lo, hi] = served.served(api.spec.apiKey) ?? [0, -1];
  for (let v = lo; v <= hi; v++) out.push({ name: api.spec.name, key: api.spec.apiKey, version: v });
  return out;
});

describe('produce with acks=0', () => {
  it('gets no response, and the next request on the connection is answered', async () => {
    const c = await RawClient.connect(h.twin.endpoints.bootstrap!);
    const before = (await h.twin.inspect({ topic: 'v' })) as { topics: Array<{ partitions: Array<{ highWatermark: number }> }> };
    void c.request(0, 7, { acks: 0, timeoutMs: 1000, topicData: [{ name: 'v', partitionData: [{ index: 0, records: record }] }] }).catch(() => {});
    const meta = await c.request(3, 1, { topics: [{ name: 'v' }] });
    expect(meta.topics).toMatchObject([{ name: 'v' }]);
    const after = (await h.twin.inspect({ topic: 'v' })) as { topics: Array<{ partitions: Array<{ highWatermark: number }> }> };
    expect(after.topics[0]!.partitions[0]!.highWatermark).toBe(before.topics[0]!.partitions[0]!.highWatermark + 1);
    c.close();
  });
});

describe('every advertised API and version', () => {
  it('has a case for each advertised API', () => {
    expect(Object.keys(cases).map(Number).sort((a, b) => a - b)).toEqual([...REGISTRY.keys()].sort((a, b) => a - b));
  });

  it.each(matrix)('$name v$version', async ({ key, version }) => {
    const c = cases[key]!;
    // A failed SaslAuthenticate closes its connection (as Kafka does): give it its own.
    const client = key === 36 ? await RawClient.connect(h.twin.endpoints.bootstrap!) : raw;
    const res = await client.request(key, version, c.body(version), 'versions');
    c.expect(res, version);
    if (client !== raw) client.close();
  });
});
