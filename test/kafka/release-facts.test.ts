// `kafkaVersion` beyond the API ranges: the configs DescribeConfigs lists and their defaults, the
// values AlterConfigs accepts, and TxnOffsetCommit's check of the transaction differ between 2.8,
// 3.9 and 4.0 as those releases differ (kafka-version.ts RELEASE_FACTS) — seen through kafkajs,
// and kafka-python (the upgrade scenario of scenarios/kafka-upgrade).
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { silentLogger } from '../../src/core/index.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { defaultRegistry } from '../../src/environments/default-kinds.ts';
import { readScenarioFile } from '../../src/scenario/scenario-file.ts';
import { runScenario, scenarioFileAccess, type ScenarioReport } from '../../src/scenario/scenario-runner.ts';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { RawClient } from './support/raw-client.ts';

const VERSIONS = ['2.8', '3.9', '4.0'] as const;
type Version = (typeof VERSIONS)[number];
const MAX_LONG = '9223372036854775807';
// The python that has kafka-python (a pyenv shim may come first on PATH without it).
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import kafka']).status === 0);

const twins = {} as Record<Version, TwinHarness>;
const bootstrap = (v: Version): string => twins[v].twin.endpoints.bootstrap!;
const admin = (v: Version) => new Kafka({ clientId: `facts-${v}`, brokers: [bootstrap(v)], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();

beforeAll(async () => {
  for (const [i, v] of VERSIONS.entries()) twins[v] = await startTwin(kafkaTwin, { kafkaVersion: v, topics: [{ name: 'facts' }] }, { seed: 60 + i });
});
afterAll(async () => {
  for (const h of Object.values(twins)) await h.stop();
});

/** name → value of every config kafkajs reads for a resource (2 topic, 4 broker). */
async function configsOf(v: Version, type: 2 | 4, name: string): Promise<Map<string, string | null>> {
  const a = admin(v);
  await a.connect();
  try {
    const res = await a.describeConfigs({ resources: [{ type, name }], includeSynonyms: false });
    return new Map(res.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  } finally {
    await a.disconnect();
  }
}

describe('configs of the release', () => {
  it('kafkajs DescribeConfigs of a topic: 2.8 lacks what 3.x added, 4.0 dropped the message format and bounds timestamps an hour ahead', async () => {
    const [t28, t39, t40] = await Promise.all(VERSIONS.map((v) => configsOf(v, 2, 'facts')));
    expect(t28!.get('message.format.version')).toBe('2.8-IV1');
    expect(t39!.get('message.format.version')).toBe('3.0-IV1');
    expect(t40!.has('message.format.version')).toBe(false);

    for (const name of ['compression.gzip.level', 'message.timestamp.after.max.ms', 'local.retention.ms', 'remote.storage.enable']) expect(t28!.has(name), name).toBe(false);
    expect(t39!.get('message.timestamp.after.max.ms')).toBe(MAX_LONG);
    expect(t40!.get('message.timestamp.after.max.ms')).toBe('3600000');
    expect(t39!.has('message.timestamp.difference.max.ms')).toBe(true);
    expect(t40!.has('message.timestamp.difference.max.ms')).toBe(false);
    expect(t40!.has('message.downconversion.enable')).toBe(false);
    // What every release has is the same.
    for (const t of [t28, t39, t40]) expect(t!.get('segment.bytes')).toBe('1073741824');
  });

  it('kafkajs DescribeConfigs of a broker: 2.8 is a ZooKeeper-mode broker, 4.0 has the consumer protocol on and no inter.broker.protocol.version', async () => {
    const [b28, b39, b40] = await Promise.all(VERSIONS.map((v) => configsOf(v, 4, '0')));
    expect(b28!.get('inter.broker.protocol.version')).toBe('2.8-IV1');
    expect(b28!.get('zookeeper.session.timeout.ms')).toBe('18000');
    expect(b28!.get('process.roles')).toBe('');
    expect(b28!.has('group.coordinator.rebalance.protocols')).toBe(false);
    expect(b39!.get('inter.broker.protocol.version')).toBe('3.9-IV0');
    expect(b39!.get('process.roles')).toBe('broker,controller');
    expect(b39!.has('zookeeper.session.timeout.ms')).toBe(false);
    expect(b40!.has('inter.broker.protocol.version')).toBe(false);
    expect(b40!.has('log.message.format.version')).toBe(false);
    expect(b40!.get('group.coordinator.rebalance.protocols')).toBe('classic,consumer');
    expect(b40!.get('num.recovery.threads.per.data.dir')).toBe('2');
    // Every name is listed once, sorted as Kafka sorts them.
    for (const b of [b28, b39, b40]) expect([...b!.keys()]).toEqual([...b!.keys()].sort());
  });

  it('kafkajs AlterConfigs: segment.bytes below 1 MiB is refused by 4.0 (KIP-1030), accepted by 3.9; 2.8 refuses a config it does not have', async () => {
    const alter = async (v: Version, name: string, value: string): Promise<string | undefined> => {
      const a = admin(v);
      await a.connect();
      try {
        await a.alterConfigs({ validateOnly: true, resources: [{ type: 2, name: 'facts', configEntries: [{ name, value }] }] });
        return undefined;
      } catch (e) {
        return (e as { type?: string }).type ?? String(e);
      } finally {
        await a.disconnect();
      }
    };
    expect(await alter('3.9', 'segment.bytes', '100000')).toBeUndefined();
    expect(await alter('4.0', 'segment.bytes', '100000')).toBe('INVALID_CONFIG');
    expect(await alter('4.0', 'segment.bytes', '1048576')).toBeUndefined();
    expect(await alter('2.8', 'compression.gzip.level', '5')).toBe('INVALID_CONFIG');
    expect(await alter('3.9', 'compression.gzip.level', '5')).toBeUndefined();
  });
});

describe('errors of the release', () => {
  it('TxnOffsetCommit with an unknown producer id: 3.9 and 4.0 verify it (INVALID_PRODUCER_ID_MAPPING), 2.8 answers NONE and applies nothing', async () => {
    const codes: Partial<Record<Version, number>> = {};
    for (const v of VERSIONS) {
      const raw = await RawClient.connect(bootstrap(v));
      try {
        const res = (await raw.request(28, 3, {
          transactionalId: 'ghost',
          groupId: 'ghost-group',
          producerId: 999_999,
          producerEpoch: 0,
          generationId: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [{ name: 'facts', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }],
        })) as { topics: Array<{ partitions: Array<{ errorCode: number }> }> };
        codes[v] = res.topics[0]!.partitions[0]!.errorCode;
      } finally {
        raw.close();
      }
    }
    expect(codes).toEqual({ '2.8': 0, '3.9': 49, '4.0': 49 });
    const state = (await twins['2.8'].twin.inspect({ group: 'ghost-group' })) as { groups: Array<{ offsets: unknown[] }> };
    expect(state.groups.flatMap((g) => g.offsets)).toEqual([]);
  });
});

describe.skipIf(!python)('upgrade scenario (scenarios/kafka-upgrade)', { timeout: 120_000 }, () => {
  const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger });
  afterAll(() => manager.close());
  const dir = new URL('../../scenarios/kafka-upgrade/', import.meta.url).pathname;
  const run = async (file: string): Promise<ScenarioReport> =>
    runScenario(await readScenarioFile(`${dir}${file}`, manager.registry), manager, { access: scenarioFileAccess(`${dir}${file}`) });
  const failedOf = (report: ScenarioReport) => report.expectations.filter((e) => !e.passed).map((e) => `${e.name}: ${e.observed}`);

  it('kafka-python pinned to api_version (0,10) sends its orders to 2.8, and loses them all on 4.0', async () => {
    // The scenario runs `python3`: the one with kafka-python comes first.
    const path = process.env.PATH;
    process.env.PATH = python!.includes('/') ? `${dirname(python!)}:${path}` : path;
    try {
      const old = await run('legacy-producer-on-2-8.yaml');
      expect(failedOf(old)).toEqual([]);
      const upgraded = await run('naive-upgrade-kafka-4.yaml');
      expect(upgraded.status).toBe('passed'); // passed = the expected failure happened
      expect(failedOf(upgraded)).toEqual(['exitCode: exit code 1', 'topic: 0 records']);
    } finally {
      process.env.PATH = path;
    }
  });
});
