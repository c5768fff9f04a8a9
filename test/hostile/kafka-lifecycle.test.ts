// Issue 11 items 15 and 16 (kafka part): an environment destroyed while its kafka client is still
// disconnecting — what the scenario runner does after every run — must give back every file
// descriptor, and a stopped kafka twin must hold no socket or timer that keeps the process alive.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { silentLogger } from '../../src/core/index.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { TwinRegistry } from '../../src/environments/twin-registry.ts';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { settledFds } from '../support/fds.ts';

const manager = new EnvironmentManager({ registry: new TwinRegistry([kafkaTwin]), log: silentLogger });
afterAll(() => manager.close());

/** One scenario-runner-like cycle: create, produce with a real client, then destroy racing its disconnect. */
async function cycle(i: number): Promise<void> {
  const env = await manager.create({ twins: { bus: { kind: 'kafka', topics: [{ name: 'events', partitions: 1 }] } } });
  const brokers = [String(env.view().twins.bus?.endpoints.bootstrap)];
  const kafka = new Kafka({ clientId: `cycle-${i}`, brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'events', messages: [{ value: `m${i}` }] });
  const disconnecting = producer.disconnect();
  await Promise.all([manager.destroy(env.id), disconnecting.catch(() => {})]);
}

describe('kafka environment lifecycle', { timeout: 120_000 }, () => {
  it('200 create → produce → destroy-racing-disconnect cycles end at the baseline fd count', async () => {
    // Two warm-up cycles load modules and open whatever a first run opens once.
    await cycle(-2);
    await cycle(-1);
    const baseline = await settledFds(0, 500);
    for (let i = 0; i < 200; i++) await cycle(i);
    const after = await settledFds(baseline + 4);
    expect(after - baseline).toBeLessThanOrEqual(4);
  });
});

/**
 * A process that starts a kafka twin, leaves clients in every waiting state — idle, half-closed,
 * a Fetch long poll, a JoinGroup held by the initial rebalance delay, an open transaction, a
 * request under a 10-minute delay fault — then stops the twin and does nothing else: it must exit
 * on its own.
 */
const STOP_CHILD = `
import { kafkaTwin } from ${JSON.stringify(new URL('../../twins/kafka/index.ts', import.meta.url).pathname)};
import { startTwin } from ${JSON.stringify(new URL('../support/twin-harness.ts', import.meta.url).pathname)};
import { RawClient } from ${JSON.stringify(new URL('../kafka/support/raw-client.ts', import.meta.url).pathname)};
const h = await startTwin(kafkaTwin, { topics: [{ name: 't', partitions: 1 }], groupInitialRebalanceDelayMs: 600000 });
const broker = h.twin.endpoints.bootstrap;
const idle = await RawClient.connect(broker);
const halfClosed = await RawClient.connect(broker);
halfClosed.socket.end();
const poller = await RawClient.connect(broker);
void poller.request(1, 11, { replicaId: -1, maxWaitMs: 600000, minBytes: 1, maxBytes: 1000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] }], forgottenTopicsData: [], rackId: '' }).catch(() => {});
const joiner = await RawClient.connect(broker);
void joiner.request(11, 3, { groupId: 'g', sessionTimeoutMs: 600000, rebalanceTimeoutMs: 600000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }).catch(() => {});
const txn = await RawClient.connect(broker);
const pid = await txn.request(22, 1, { transactionalId: 'tx', transactionTimeoutMs: 600000 });
await txn.request(24, 1, { v3AndBelowTransactionalId: 'tx', v3AndBelowProducerId: pid.producerId, v3AndBelowProducerEpoch: pid.producerEpoch, v3AndBelowTopics: [{ name: 't', partitions: [0] }] });
h.addRule({ point: 'request', match: { api: 'Metadata' }, action: { delay: { ms: 600000 } } });
const delayed = await RawClient.connect(broker);
void delayed.request(3, 1, { topics: null }).catch(() => {});
await new Promise((r) => setTimeout(r, 200));
await h.stop();
process.stdout.write('stopped\\n');
`;

describe('kafka twin stop', { timeout: 60_000 }, () => {
  it('closes every client socket and timer: a process with waiting clients exits by itself after stop()', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', STOP_CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const stopped = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('stopped') && resolve(true));
      void exited.then(() => resolve(false));
    });
    expect(stopped, stderr).toBe(true);
    const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 15_000))]); // before: a delayed request held it for minutes
    if (code === 'still running') child.kill('SIGKILL');
    expect(code, stderr).toBe(0);
  });
});
