// Expectations that read twin state: topic contents and committed offsets, SQL rows, HTTP calls —
// each declared by its twin kind, found by the runner only through those declarations.
import { Type } from '@sinclair/typebox';
import { afterAll, describe, expect, it } from 'vitest';
import { defineExpectation, inspectAs, silentLogger, type TwinKind } from '../../src/core/index.ts';
import { defaultKinds, defaultRegistry } from '../../src/environments/default-kinds.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { TwinRegistry } from '../../src/environments/twin-registry.ts';
import { parseScenario } from '../../src/scenario/scenario-file.ts';
import { runScenario } from '../../src/scenario/scenario-runner.ts';
import { echoTwin } from '../support/echo-twin.ts';

const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger });
afterAll(() => manager.close());
const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const parse = (text: string, registry = manager.registry) => parseScenario(`${fixtures}inline.yaml`, text, registry);

/** The default kinds, each load recorded. */
function countingRegistry(): { registry: TwinRegistry; loaded: string[] } {
  const loaded: string[] = [];
  const kinds = defaultKinds.map((entry) => ('load' in entry ? { kind: entry.kind, load: () => (loaded.push(entry.kind), entry.load()) } : entry));
  return { registry: new TwinRegistry(kinds), loaded };
}

describe('twin-state expectations', { timeout: 60_000 }, () => {
  it('topic values and committed offsets, passing and failing', async () => {
    const report = await runScenario(
      await parse(`
name: consumer commits what it read
twins:
  bus: { kind: kafka, topics: [{ name: events, partitions: 1 }] }
setup:
  - { twin: bus, verb: produce, params: { topic: events, value: '{"n":1}' } }
  - { twin: bus, verb: produce, params: { topic: events, value: '{"n":2}' } }
  - { twin: bus, verb: produce, params: { topic: events, value: plain } }
run: { command: node consume-and-commit.mjs, timeoutMs: 40000 }
expect:
  - exitCode: 0
  - topic: { twin: bus, topic: events, count: 3, values: [{ n: 1 }, { n: 2 }, plain] }
  - topic: { twin: bus, topic: events, committed: { group: g, offset: 3 } }
  - topic: { twin: bus, topic: events, committed: { group: g, offset: 5 } }
  - topic: { twin: bus, topic: events, values: [{ n: 2 }] }
`),
      manager,
    );
    expect(report.expectations.map((e) => e.passed)).toEqual([true, true, true, false, false]);
    expect(report.expectations[3]!.observed).toContain('committed 3');
    expect(report.expectations.map((e) => e.type)).toEqual(['exitCode', 'topic', 'topic', 'topic', 'topic']);
  });

  it('sql rows and counts, http calls', async () => {
    const report = await runScenario(
      await parse(`
name: sql and http
twins:
  db: { kind: postgres, init: ["create table t (id int, name text)", "insert into t values (1, 'a'), (2, 'b')"] }
  api: { kind: http, stubs: [{ request: { method: GET, path: /ping }, response: { status: 200, body: pong } }] }
run: { command: 'curl -s "$HTTP_API_URL/ping" && curl -s "$HTTP_API_URL/ping"' }
expect:
  - sql: { twin: db, query: "select id, name from t order by id", rows: [{ id: 1, name: a }, { id: 2, name: b }] }
  - sql: { twin: db, query: "select * from t", count: { min: 2, max: 2 } }
  - sql: { twin: db, query: "select * from t where id = 3" }
  - http: { twin: api, method: get, path: /ping, count: 2 }
  - { name: nothing else, http: { twin: api, path: /other, count: 0 } }
  - sql: { twin: db, query: "select * from missing_table" }
`),
      manager,
    );
    expect(report.expectations.map((e) => e.passed)).toEqual([true, true, false, true, true, false]);
    expect(report.expectations[4]!.name).toBe('nothing else');
    expect(report.expectations[5]!.observed).toMatch(/^error: .*missing_table/);
  });
});

describe('twin expectations in a scenario file', { timeout: 60_000 }, () => {
  it('are checked against their kind’s declaration with file, line and field', async () => {
    const twins = 'twins:\n  db: { kind: postgres }\n  api: { kind: http }\n';
    const cases: Array<[string, RegExp]> = [
      [`name: x\n${twins}expect:\n  - sql: { twin: api, query: "select 1" }\n`, /inline\.yaml:6:\d+: expect\[0\]\.sql\.twin: api is a http twin; sql reads a postgres twin/],
      [`name: x\n${twins}expect:\n  - sql: { twin: nope, query: "select 1" }\n`, /inline\.yaml:6:\d+: expect\[0\]\.sql\.twin: no twin nope/],
      [`name: x\n${twins}expect:\n  - sql: { twin: db, query: 5 }\n`, /inline\.yaml:6:\d+: expect\[0\]\.sql\.query: expected string/],
      [`name: x\n${twins}expect:\n  - sql: { twin: db, query: q, rowz: [] }\n`, /inline\.yaml:6:\d+: expect\[0\]\.sql\.rowz: unknown field/],
      [`name: x\n${twins}expect:\n  - sql: { query: q }\n`, /inline\.yaml:6:\d+: expect\[0\]\.sql\.twin: is required/],
      [`name: x\n${twins}expect:\n  - topic: { twin: db, topic: t }\n`, /inline\.yaml:6:5: expect\[0\]\.topic: topic reads a kafka twin and this scenario has none/],
      [`name: x\n${twins}expect:\n  - sqll: {}\n`, /inline\.yaml:6:5: expect\[0\]\.sqll: unknown expectation sqll; each expectation has exactly one of: exitCode, stdout, stderr, journal, .*sql \(postgres\)/],
      [`name: x\n${twins}expect:\n  - { name: 3, exitCode: 0 }\n`, /inline\.yaml:6:\d+: expect\[0\]\.name: expected string/],
    ];
    const { registry } = countingRegistry();
    for (const [text, pattern] of cases) await expect(parse(text, registry), text).rejects.toThrow(pattern);
  });

  it('validating loads only the kinds of the scenario’s own twins', async () => {
    const { registry, loaded } = countingRegistry();
    const file = await parse('name: x\ntwins:\n  db: { kind: postgres }\nexpect:\n  - sql: { twin: db, query: "select 1", count: 1 }\n', registry);
    expect(file.expectations.map((e) => e.key)).toEqual(['sql']);
    expect(loaded).toEqual(['postgres']);
  });

  it('a kind brings its own expectation: the runner needs nothing else to check and evaluate it', async () => {
    const lines = defineExpectation({
      name: 'echoed',
      description: 'how many lines an echo twin answered',
      fields: { lines: Type.Integer({ minimum: 0 }) },
      async evaluate(spec, { twin }) {
        const state = await inspectAs(twin, {}, Type.Object({ lines: Type.Integer() }));
        return { passed: state.lines === spec.lines, expected: `${spec.lines} lines`, observed: `${state.lines} lines` };
      },
    });
    // Reads a shape the echo twin's inspect() does not have: the verdict says so instead of guessing.
    const rows = defineExpectation({
      name: 'rows',
      description: 'rows an echo twin does not have',
      fields: {},
      async evaluate(_spec, { twin }) {
        const state = await inspectAs(twin, {}, Type.Object({ rows: Type.Array(Type.Unknown()) }));
        return { passed: true, expected: 'rows', observed: `${state.rows.length} rows` };
      },
    });
    const echo: TwinKind = { ...echoTwin, expectations: [lines, rows] };
    const own = new EnvironmentManager({ registry: new TwinRegistry([echo]), log: silentLogger });
    try {
      const client = `node ${fixtures}echo-client.mjs`;
      const text = `name: echo\ntwins: { a: { kind: echo } }\nrun: { command: '${client} one two' }\nexpect:\n  - echoed: { twin: a, lines: 2 }\n  - echoed: { twin: a, lines: 3 }\n  - rows: { twin: a }\n`;
      const report = await runScenario(await parse(text, own.registry), own);
      expect(report.expectations.map((e) => [e.type, e.passed, e.observed])).toEqual([
        ['echoed', true, '2 lines'],
        ['echoed', false, '2 lines'],
        ['rows', false, "error: the twin's state is not what this expectation reads (inspect.rows: is required)"],
      ]);
      await expect(parse(text.replace('lines: 3', 'lines: -1'), own.registry)).rejects.toThrow(/expect\[1\]\.echoed\.lines/);
    } finally {
      await own.close();
    }
  });
});
