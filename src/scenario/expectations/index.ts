// Every expectation type, by the key it is written with in a scenario file.
import type { ExpectationType } from '../scenario-schema.ts';
import type { Evaluate } from './expectation.ts';
import { journal } from './journal-expectation.ts';
import { exitCode, stderr, stdout } from './output-expectations.ts';
import { http, sql, stripe, topic } from './twin-state-expectations.ts';

export const expectations: Record<ExpectationType, Evaluate<never>> = { exitCode, stdout, stderr, journal, sql, topic, stripe, http };
export type { Verdict, ExpectationContext } from './expectation.ts';
