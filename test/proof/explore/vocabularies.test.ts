// Each twin kind's explore vocabulary, read against the journal of a real run of the checkout
// example (every kind but tcp, whose connections every twin's journal has too): the interactions
// it finds are the calls the service made, and every fault it offers at each is a rule the
// environment accepts on that kind — so explore never spends a run on a rule that cannot be added.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultEngine, Journal, checkSchema, silentLogger, type ExploreVocabulary, type JournalEvent, type TwinKind } from '../../../src/core/index.ts';
import { defaultRegistry } from '../../../src/environments/default-kinds.ts';
import type { Environment } from '../../../src/environments/environment.ts';
import { KeepingManager } from '../../support/keeping-manager.ts';
import { readScenarioFile } from '../../../src/scenario/scenario-file.ts';
import { runScenario, scenarioFileAccess } from '../../../src/scenario/scenario-runner.ts';
import { errorCode } from '../../../twins/kafka/protocol/error-codes.ts';
import { pathPattern } from '../../../twins/stripe/explore.ts';

const manager = new KeepingManager({ registry: defaultRegistry(), log: silentLogger });
afterAll(() => manager.close());

const KINDS = ['http', 'tcp', 'postgres', 'kafka', 'oidc', 'stripe'] as const;
const kinds = new Map<string, TwinKind>();
/** The happy path's journal and each of its twins' kind. */
let events: JournalEvent[] = [];
let kindOfTwin: Map<string, string>;

beforeAll(async () => {
  for (const name of KINDS) kinds.set(name, (await manager.registry.load(name)) as TwinKind);
  const file = new URL('../../../scenarios/checkout/happy-path.yaml', import.meta.url).pathname;
  const scenario = await readScenarioFile(file, manager.registry);
  const report = await runScenario(scenario, manager, { access: scenarioFileAccess(file) });
  expect(report.error).toBeUndefined();
  expect(report.status).toBe('passed');
  const env = manager.made.at(-1) as Environment;
  events = env.journal.query({ limit: Number.MAX_SAFE_INTEGER }).events;
  kindOfTwin = new Map(Object.entries(scenario.scenario.twins).map(([name, spec]) => [name, spec.kind]));
}, 300_000);

function vocabularyOf(kind: string): ExploreVocabulary {
  const vocabulary = kinds.get(kind)?.explore;
  if (!vocabulary) throw new Error(`${kind} declares no explore vocabulary`);
  return vocabulary;
}

/** Interaction labels per twin, each once, in the order the run first reached them. */
function labelsByTwin(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const event of events) {
    const interaction = vocabularyOf(kindOfTwin.get(event.twin) as string).interaction(event);
    if (!interaction) continue;
    const labels = (out[event.twin] ??= []);
    if (!labels.includes(interaction.label)) labels.push(interaction.label);
  }
  return out;
}

describe('explore vocabularies on the checkout example', { timeout: 300_000 }, () => {
  it('every kind declares one', () => {
    for (const kind of KINDS) expect(kinds.get(kind)?.explore, kind).toBeDefined();
  });

  it('the interactions are the calls the service made, each kind of call once', () => {
    const labels = labelsByTwin();
    expect(labels.idp).toEqual(['GET /.well-known/openid-configuration', 'GET /jwks']);
    expect(labels.rates).toEqual(['GET /rates/USD']);
    expect(labels.payments).toEqual(['POST /v1/payment_intents']);
    expect(labels.db).toEqual(expect.arrayContaining(['SELECT orders', 'BEGIN', 'INSERT orders', 'COMMIT', 'UPDATE orders']));
    expect(labels.bus).toContain('Produce');
    expect(labels.bus).not.toContain('ApiVersions');
  });

  it('the run reaches COMMIT twice: its second occurrence is the settling transaction’s', () => {
    const db = vocabularyOf('postgres');
    const commits = events.filter((e) => e.twin === 'db' && db.interaction(e)?.label === 'COMMIT');
    expect(commits).toHaveLength(2);
    expect(db.interaction(commits[1] as JournalEvent)?.match).toEqual({ kind: 'commit' });
  });

  it('every fault of every interaction is a rule the environment accepts on that twin, aimed at its Nth occurrence', () => {
    let checked = 0;
    for (const event of events) {
      const kind = kindOfTwin.get(event.twin) as string;
      const vocabulary = vocabularyOf(kind);
      const interaction = vocabulary.interaction(event);
      if (!interaction) continue;
      const engine = new FaultEngine({
        seed: 1,
        journal: new Journal(),
        twins: { kindOf: () => kinds.get(kind), names: () => [event.twin] },
      });
      for (const candidate of vocabulary.faults(interaction)) {
        const rule = { twin: event.twin, point: interaction.point, match: interaction.match, action: candidate.action, trigger: { after: 1, times: 1 } };
        expect(() => engine.check(rule), `${interaction.label}: ${candidate.label}`).not.toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('tcp: each connection opened is an interaction, and its faults are toxics the connection point accepts', () => {
    const tcp = vocabularyOf('tcp');
    const opened = events.filter((e) => e.type === 'connection' && e.data?.event === 'open');
    expect(opened.length).toBeGreaterThan(0);
    const closed = events.find((e) => e.type === 'connection' && e.data?.event === 'close') as JournalEvent;
    expect(tcp.interaction(closed)).toBeUndefined();
    const engine = new FaultEngine({ seed: 1, journal: new Journal(), twins: { kindOf: () => kinds.get('tcp'), names: () => ['proxy'] } });
    const interaction = tcp.interaction(opened[0] as JournalEvent);
    expect(interaction).toEqual({ point: 'connection', match: {}, label: 'connection' });
    const faults = tcp.faults(interaction as NonNullable<typeof interaction>);
    expect(faults.map((f) => f.class)).toEqual(['answer-lost', 'disconnect', 'hang']);
    for (const candidate of faults) expect(() => engine.check({ twin: 'proxy', point: 'connection', action: candidate.action })).not.toThrow();
  });

  it('kafka errors are codes the broker knows', () => {
    const bus = vocabularyOf('kafka');
    for (const api of ['Produce', 'Fetch', 'Metadata', 'ListOffsets', 'FindCoordinator', 'JoinGroup', 'SyncGroup', 'OffsetFetch', 'OffsetCommit', 'InitProducerId']) {
      for (const candidate of bus.faults({ point: 'request', match: { api }, label: api })) {
        const code = candidate.action.error?.code;
        if (code !== undefined) expect(errorCode(code as string), `${api}: ${String(code)}`).toBeGreaterThan(0);
      }
    }
  });

  it('the lost answer comes first where a payment is made; a card decline only there', () => {
    const payments = vocabularyOf('stripe');
    const paying = payments.faults({ point: 'request', match: { method: 'POST', path: '/v1/payment_intents' }, label: '' });
    expect(paying[0]?.class).toBe('answer-lost');
    expect(paying.some((f) => f.action.error?.type === 'card_error')).toBe(true);
    const reading = payments.faults({ point: 'request', match: { method: 'GET', path: '/v1/payment_intents/:id' }, label: '' });
    expect(reading.some((f) => f.action.error?.type === 'card_error')).toBe(false);
  });

  it('stripe object ids become path parameters; resource names and test tokens stay', () => {
    expect(pathPattern('/v1/payment_intents/pi_3QxAbCdEfGhIjKlMnOpQrStU/confirm')).toBe('/v1/payment_intents/:id/confirm');
    expect(pathPattern('/v1/customers/cus_N4xYz0123456ab/payment_methods/pm_1AbCdEfGhIjKlMnOpQrStUvW')).toBe('/v1/customers/:id/payment_methods/:id2');
    expect(pathPattern('/v1/payment_methods/pm_card_visa')).toBe('/v1/payment_methods/pm_card_visa');
    expect(pathPattern('/v1/payment_intents')).toBe('/v1/payment_intents');
  });

  it('oidc mint-token setups are varied into forged tokens the verb accepts; a forged setup is not varied again', () => {
    const vary = vocabularyOf('oidc').setupVariants?.['mint-token'];
    expect(vary).toBeDefined();
    const schema = kinds.get('oidc')?.actions?.['mint-token']?.params;
    expect(schema).toBeDefined();
    const variants = vary?.({ sub: 'alice' }) ?? [];
    expect(variants.map((v) => v.params.variant)).toEqual(['alg-none', 'foreign-key', 'alg-confusion', 'wrong-audience', 'expired']);
    for (const variant of variants) {
      expect(variant.class).toBe('forged-token');
      expect(variant.params.sub).toBe('alice');
      expect(checkSchema(schema as NonNullable<typeof schema>, variant.params), variant.label).toEqual([]);
    }
    expect(vary?.({ sub: 'alice', variant: 'alg-none' })).toEqual([]);
  });
});
