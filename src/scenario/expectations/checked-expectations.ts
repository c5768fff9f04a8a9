// A scenario's `expect:` items, each checked against its declaration and bound to its evaluator.
// An item is one of the runner's own expectations or one a twin kind declares: those are found in
// the kinds of the scenario's own twins, which are loaded (not started) to read their declarations,
// so validating a file costs no twin and a server pays for no kind the file does not use.
import { Type } from '@sinclair/typebox';
import {
  checkSchema,
  conforms,
  joinField,
  type FieldProblem,
  type TwinExpectation,
  type TwinKind,
  type Verdict,
} from '../../core/index.ts';
import type { TwinRegistry } from '../../environments/twin-registry.ts';
import type { ExpectationContext } from './expectation.ts';
import { runnerExpectations } from './index.ts';

const TwinNamed = Type.Object({ twin: Type.String() });

/** An item ready to run: its key, its name in reports, and its evaluation. */
export interface CheckedExpectation {
  key: string;
  name: string;
  evaluate(ctx: ExpectationContext): Promise<Verdict>;
}

/** Where the kinds' declarations come from: a server's registry. */
export type KindSource = Pick<TwinRegistry, 'load' | 'names'>;

/** A kind's expectation with the kind that declares it. */
export interface KindExpectation {
  kind: string;
  expectation: TwinExpectation;
}

/**
 * Every kind's expectations by key. Keys are one namespace with the runner's own: a kind that
 * reuses one would make a scenario item mean two things, so it is refused here (and by the schema test).
 */
export function kindExpectations(kinds: readonly TwinKind[]): Map<string, KindExpectation> {
  const out = new Map<string, KindExpectation>();
  for (const kind of kinds) {
    for (const expectation of kind.expectations ?? []) {
      const taken = Object.hasOwn(runnerExpectations, expectation.name) ? 'the runner' : out.get(expectation.name)?.kind;
      if (taken !== undefined) throw new Error(`expectation ${expectation.name} of twin kind ${kind.kind} is already declared by ${taken}`);
      out.set(expectation.name, { kind: kind.kind, expectation });
    }
  }
  return out;
}

async function loadKinds(kinds: KindSource, names: Iterable<string>): Promise<TwinKind[]> {
  const loaded = await Promise.all([...new Set(names)].map((name) => kinds.load(name)));
  return loaded.filter((kind) => kind !== undefined);
}

/** An item's problem, at a field of the scenario. */
export class ExpectationProblem extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

/**
 * Checks each item and binds it. `twins` are the scenario's twins (name → kind); a twin expectation
 * must name one of them of the kind that declares it. Throws an ExpectationProblem for the first bad item;
 * `list` is the field the items sit in (`expect`, `invariants`).
 */
export async function checkExpectations(
  items: ReadonlyArray<Record<string, unknown>>,
  twins: Readonly<Record<string, { kind: string }>>,
  kinds: KindSource,
  list = 'expect',
): Promise<CheckedExpectation[]> {
  const own = kindExpectations(await loadKinds(kinds, Object.values(twins).map((t) => t.kind)));
  /** Every kind's keys, for the message about a key this scenario cannot use: only loaded on that path. */
  const all = async () => kindExpectations(await loadKinds(kinds, kinds.names()));
  const checked: CheckedExpectation[] = [];
  const unknownKey = async (i: number, key: string): Promise<ExpectationProblem> => {
    const owner = (await all()).get(key);
    if (owner) return new ExpectationProblem(`${list}[${i}].${key}`, `${key} reads a ${owner.kind} twin and this scenario has none`);
    return new ExpectationProblem(`${list}[${i}].${key}`, `unknown expectation ${key}; ${await oneOf(all)}`);
  };
  for (const [i, item] of items.entries()) {
    const keys = Object.keys(item).filter((k) => k !== 'name');
    const [key] = keys;
    if (key === undefined || keys.length !== 1) {
      const unknown = keys.find((k) => !Object.hasOwn(runnerExpectations, k) && !own.has(k));
      throw unknown === undefined ? new ExpectationProblem(`${list}[${i}]`, await oneOf(all)) : await unknownKey(i, unknown);
    }
    if (item.name !== undefined && typeof item.name !== 'string') throw new ExpectationProblem(`${list}[${i}].name`, 'expected string');
    const field = `${list}[${i}].${key}`;
    const spec = item[key];
    const name = item.name ?? key;
    const runner = Object.hasOwn(runnerExpectations, key) ? runnerExpectations[key] : undefined;
    if (runner) {
      if (!conforms(runner.schema, spec)) throw firstProblem(checkSchema(runner.schema, spec, field));
      const problem = runner.check?.(spec)[0];
      if (problem) throw new ExpectationProblem(joinField(field, problem.field), problem.detail);
      checked.push({ key, name, evaluate: (ctx) => runner.evaluate(spec, ctx) });
      continue;
    }
    const owned = own.get(key);
    if (!owned) throw await unknownKey(i, key);
    const { kind, expectation } = owned;
    // The kind's schema requires `twin`; TwinNamed only tells the compiler so.
    const problems = checkSchema(expectation.schema, spec, field);
    if (problems.length > 0 || !conforms(TwinNamed, spec)) throw firstProblem(problems);
    const twin = twins[spec.twin];
    if (!Object.hasOwn(twins, spec.twin) || twin === undefined) {
      throw new ExpectationProblem(`${field}.twin`, `no twin ${spec.twin} in this scenario's twins`);
    }
    if (twin.kind !== kind) throw new ExpectationProblem(`${field}.twin`, `${spec.twin} is a ${twin.kind} twin; ${key} reads a ${kind} twin`);
    checked.push({
      key,
      name,
      evaluate: ({ env }) =>
        expectation.evaluate(spec, {
          name: spec.twin,
          twin: env.twin(spec.twin).running,
          events: (filter = {}) => env.journal.query({ ...filter, twin: spec.twin, limit: Number.MAX_SAFE_INTEGER }).events,
        }),
    });
  }
  return checked;
}

function firstProblem(problems: FieldProblem[]): ExpectationProblem {
  const [problem = { field: '(root)', detail: 'is not valid' }] = problems;
  return new ExpectationProblem(problem.field, problem.detail);
}

async function oneOf(all: () => Promise<Map<string, KindExpectation>>): Promise<string> {
  const kinds = [...(await all())].map(([key, { kind }]) => (key === kind ? key : `${key} (${kind})`));
  return `each expectation has exactly one of: ${[...Object.keys(runnerExpectations), ...kinds].join(', ')}`;
}
