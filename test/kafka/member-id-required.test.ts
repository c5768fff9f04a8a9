// Members that start together get one generation between them. Each is first told
// MEMBER_ID_REQUIRED (KIP-394); Kafka's coordinator then waits for every member it handed an id to
// (until the rebalance timeout, or the id lapsing) before it completes the join — it does not start
// a generation for the first member back and another for the next (the twin did).
import { describe, expect, it } from 'vitest';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { ERR } from '../../twins/kafka/protocol/error-codes.ts';
import { startTwin } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

interface Joined {
  errorCode: number;
  generationId: number;
  leader: string;
  memberId: string;
  members: Array<{ memberId: string }>;
}

describe('JoinGroup after MEMBER_ID_REQUIRED', () => {
  it('completes one generation with both members that were handed ids', async () => {
    await using h = await startTwin(kafkaTwin, { topics: [{ name: 't', partitions: 2 }] }, { seed: 3 });
    const bootstrap = h.twin.endpoints.bootstrap as string;
    const [a, b] = [await RawClient.connect(bootstrap), await RawClient.connect(bootstrap)];
    const join = (c: RawClient, memberId: string): Promise<Joined> =>
      c.request(11, 5, {
        groupId: 'together',
        sessionTimeoutMs: 30_000,
        rebalanceTimeoutMs: 60_000,
        memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
        reason: null,
      }) as Promise<unknown> as Promise<Joined>;
    const firstA = await join(a, '');
    const firstB = await join(b, '');
    expect([firstA.errorCode, firstB.errorCode]).toEqual([ERR.MEMBER_ID_REQUIRED, ERR.MEMBER_ID_REQUIRED]);
    const rejoinA = join(a, firstA.memberId);
    const rejoinB = join(b, firstB.memberId);
    const [ja, jb] = await Promise.all([rejoinA, rejoinB]);
    expect([ja.errorCode, jb.errorCode]).toEqual([ERR.NONE, ERR.NONE]);
    expect([ja.generationId, jb.generationId]).toEqual([1, 1]);
    const leader = ja.leader === ja.memberId ? ja : jb;
    expect(leader.members.map((m) => m.memberId).sort()).toEqual([firstA.memberId, firstB.memberId].sort());
    const generations = h.journal.query({ type: 'state' }).events.filter((e) => /^group together generation /.test(e.summary));
    expect(generations.map((e) => e.summary)).toEqual(['group together generation 1']);
    a.close();
    b.close();
  }, 30_000);
});
