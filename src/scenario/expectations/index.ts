// The runner's own expectations, by the key they are written with; the twin kinds add theirs
// (checked-expectations.ts).
import type { RunnerExpectation } from './expectation.ts';
import { journal } from './journal-expectation.ts';
import { exitCode, stderr, stdout } from './output-expectations.ts';

export const runnerExpectations: Readonly<Record<string, RunnerExpectation>> = { exitCode, stdout, stderr, journal };
export type { ExpectationContext, RunnerExpectation } from './expectation.ts';
