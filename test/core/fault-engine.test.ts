import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { CommonActions, FaultEngine, Journal, StandinError, type FaultPointSpec } from '../../src/core/index.ts';

const points: FaultPointSpec[] = [
  {
    name: 'request',
    description: 'test point',
    match: Type.Object({ path: Type.Optional(Type.String()) }, { additionalProperties: false }),
    actions: { delay: CommonActions.delay, hang: CommonActions.hang },
  },
];

function engine(seed = 1, now = () => 0): { faults: FaultEngine; journal: Journal } {
  const journal = new Journal({ capacity: 1000 });
  const faults = new FaultEngine({
    seed,
    journal,
    now,
    twins: { kindOf: (n) => (n === 'api' ? { kind: 'test', points } : undefined), names: () => ['api'] },
  });
  return { faults, journal };
}

function fires(faults: FaultEngine, n: number, event: Record<string, unknown> = { path: '/a' }): boolean[] {
  return Array.from({ length: n }, () => faults.decide('api', 'request', event) !== undefined);
}

describe('fault engine triggers', () => {
  it('times fires at most N times', () => {
    const { faults } = engine();
    faults.add({ twin: 'api', point: 'request', action: { hang: {} }, trigger: { times: 2 } });
    expect(fires(faults, 5)).toEqual([true, true, false, false, false]);
  });

  it('after skips the first N matching events', () => {
    const { faults } = engine();
    faults.add({ twin: 'api', point: 'request', action: { hang: {} }, trigger: { after: 3 } });
    expect(fires(faults, 5)).toEqual([false, false, false, true, true]);
  });

  it('every fires on every Nth matching event, counted after the skipped ones', () => {
    const { faults } = engine();
    faults.add({ twin: 'api', point: 'request', action: { hang: {} }, trigger: { every: 3, after: 1 } });
    expect(fires(faults, 8)).toEqual([false, false, false, true, false, false, true, false]);
  });

  it('from/until bound the window in ms since the rule was added', () => {
    let t = 1000;
    const { faults } = engine(1, () => t);
    faults.add({ twin: 'api', point: 'request', action: { hang: {} }, trigger: { from: 100, until: 200 } });
    const at = (ms: number): boolean => {
      t = 1000 + ms;
      return fires(faults, 1)[0] as boolean;
    };
    expect([at(50), at(100), at(199), at(200), at(500)]).toEqual([false, true, true, false, false]);
  });

  it('only matching events count', () => {
    const { faults } = engine();
    faults.add({ twin: 'api', point: 'request', match: { path: '/a' }, action: { hang: {} }, trigger: { after: 1 } });
    expect(fires(faults, 2, { path: '/b' })).toEqual([false, false]);
    expect(fires(faults, 2, { path: '/a' })).toEqual([false, true]);
  });

  it('combined triggers must all hold', () => {
    const { faults } = engine();
    faults.add({ twin: 'api', point: 'request', action: { hang: {} }, trigger: { every: 2, times: 2 } });
    expect(fires(faults, 8)).toEqual([false, true, false, true, false, false, false, false]);
  });

  it('newest rule first; a rule whose trigger does not hold falls through to older ones', () => {
    const { faults } = engine();
    faults.add({ id: 'old', twin: 'api', point: 'request', action: { delay: { ms: 5 } } });
    faults.add({ id: 'new', twin: 'api', point: 'request', action: { hang: {} }, trigger: { times: 1 } });
    const ids = Array.from({ length: 3 }, () => faults.decide('api', 'request', {})?.rule.id);
    expect(ids).toEqual(['new', 'old', 'old']);
  });
});

describe('fault engine determinism', () => {
  const pattern = (seed: number): string =>
    (() => {
      const { faults } = engine(seed);
      faults.add({ twin: 'api', point: 'request', action: { hang: {} }, trigger: { probability: 0.3 } });
      return fires(faults, 200).map((f) => (f ? 'x' : '.')).join('');
    })();

  it('the same seed and traffic give the same decisions; another seed differs', () => {
    expect(pattern(42)).toEqual(pattern(42));
    expect(pattern(42)).not.toEqual(pattern(43));
    const hits = pattern(42).split('x').length - 1;
    expect(hits).toBeGreaterThan(30);
    expect(hits).toBeLessThan(90);
  });

  it('generated ids are r1, r2… and restart when every rule is cleared', () => {
    const { faults } = engine();
    expect(faults.add({ twin: 'api', point: 'request', action: { hang: {} } }).id).toBe('r1');
    expect(faults.add({ twin: 'api', point: 'request', action: { hang: {} } }).id).toBe('r2');
    faults.clear();
    expect(faults.add({ twin: 'api', point: 'request', action: { hang: {} } }).id).toBe('r1');
  });

  it('journals every fired rule with its id and action', () => {
    const { faults, journal } = engine();
    faults.add({ id: 'slow', twin: 'api', point: 'request', action: { delay: { ms: 10 } }, trigger: { times: 2 } });
    fires(faults, 3);
    const events = journal.query({ rule: 'slow' }).events;
    expect(events.map((e) => e.fault)).toEqual([
      { rule: 'slow', action: 'delay' },
      { rule: 'slow', action: 'delay' },
    ]);
    expect(events.map((e) => e.data?.index)).toEqual([0, 1]);
  });
});

describe('fault engine validation', () => {
  const problem = (rule: unknown): StandinError => {
    try {
      engine().faults.add(rule, 'body');
    } catch (error) {
      return error as StandinError;
    }
    throw new Error('expected an error');
  };

  it('names an unknown point and lists the valid ones', () => {
    const error = problem({ twin: 'api', point: 'qurey', action: { hang: {} } });
    expect(error.code).toBe('STANDIN_ERR_FAULT_UNKNOWN_POINT');
    expect(error.message).toContain('body.point');
    expect(error.message).toContain('qurey');
    expect(error.message).toContain('request');
  });

  it('names an unknown action and lists the valid ones', () => {
    const error = problem({ twin: 'api', point: 'request', action: { explode: {} } });
    expect(error.code).toBe('STANDIN_ERR_FAULT_UNKNOWN_ACTION');
    expect(error.message).toMatch(/body\.action: .*explode.*delay, hang/);
  });

  it('names a bad action parameter', () => {
    const error = problem({ twin: 'api', point: 'request', action: { delay: { ms: 'soon' } } });
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('body.action.delay.ms');
  });

  it('names an unknown twin, a bad match field and a bad trigger', () => {
    expect(problem({ twin: 'nope', point: 'request', action: { hang: {} } }).message).toContain('body.twin');
    expect(problem({ twin: 'api', point: 'request', match: { verb: 'GET' }, action: { hang: {} } }).message).toContain(
      'body.match.verb',
    );
    expect(problem({ twin: 'api', point: 'request', action: { hang: {} }, trigger: { probability: 2 } }).message).toContain(
      'body.trigger.probability',
    );
  });

  it('refuses a duplicate id', () => {
    const { faults } = engine();
    faults.add({ id: 'a', twin: 'api', point: 'request', action: { hang: {} } });
    expect(() => faults.add({ id: 'a', twin: 'api', point: 'request', action: { hang: {} } })).toThrow(/already exists/);
  });
});
