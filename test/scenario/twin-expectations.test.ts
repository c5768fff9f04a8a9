// Expectations that read twin state: topic contents and committed offsets, SQL rows, HTTP calls.
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/index.ts';
import { EnvironmentManager } from '../../src/environments/environment-manager.ts';
import { defaultRegistry } from '../../src/environments/default-kinds.ts';
import { parseScenario } from '../../src/scenario/scenario-file.ts';
import { runScenario } from '../../src/scenario/scenario-runner.ts';

const manager = new EnvironmentManager({ registry: defaultRegistry(), log: silentLogger });
afterAll(() => manager.close());
const fixtures = new URL('./fixtures/', import.meta.url).pathname;

describe('twin-state expectations', { timeout: 60_000 }, () => {
  it('topic values and committed offsets, passing and failing', async () => {
    const report = await runScenario(
      parseScenario(
        `${fixtures}inline.yaml`,
        `
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
`,
      ),
      manager,
    );
    expect(report.expectations.map((e) => e.passed)).toEqual([true, true, true, false, false]);
    expect(report.expectations[3]!.observed).toContain('committed 3');
  });

  it('sql rows and counts, http calls', async () => {
    const report = await runScenario(
      parseScenario(
        `${fixtures}inline.yaml`,
        `
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
  - http: { twin: api, path: /other, count: 0 }
  - sql: { twin: api, query: "select 1" }
`,
      ),
      manager,
    );
    expect(report.expectations.map((e) => e.passed)).toEqual([true, true, false, true, true, false]);
    expect(report.expectations[5]!.observed).toMatch(/api is a http twin, not postgres/);
  });
});
