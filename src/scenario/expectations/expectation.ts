// The runner's own expectations (exitCode, stdout, stderr, journal): what the command did and what
// the journal holds, for any twin. Expectations about one kind's state are the kinds' own
// (src/core/expectation.ts); both are written `- <key>: <spec>` in a scenario's `expect:`.
import type { Static, TSchema } from '@sinclair/typebox';
import type { FieldProblem, Verdict } from '../../core/index.ts';
import type { Environment } from '../../environments/environment.ts';
import type { SutResult } from '../sut-process.ts';

export interface ExpectationContext {
  sut: SutResult;
  env: Environment;
}

export interface RunnerExpectation<S extends TSchema = TSchema> {
  schema: S;
  /** Checks the schema cannot express (a pattern that must compile); fields relative to the spec. */
  check?(spec: Static<S>): FieldProblem[];
  /** Declared as a method so expectations of different specs sit in one record. */
  evaluate(spec: Static<S>, ctx: ExpectationContext): Promise<Verdict>;
}

/** Keeps the spec type of one expectation while the record holds them side by side. */
export function defineRunnerExpectation<S extends TSchema>(expectation: RunnerExpectation<S>): RunnerExpectation<S> {
  return expectation;
}
