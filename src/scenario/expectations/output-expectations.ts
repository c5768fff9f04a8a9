// exitCode, stdout, stderr: what the command itself did.
import { compilePattern } from '../../core/index.ts';
import type { Evaluate } from './expectation.ts';
import { preview } from './expectation.ts';

type TextMatch = string | { contains?: string; notContains?: string; matches?: string };

export const exitCode: Evaluate<number> = async (expected, { sut }) => ({
  passed: !sut.timedOut && sut.exitCode === expected,
  expected: `exit code ${expected}`,
  observed: sut.timedOut
    ? `killed after the ${Math.round(sut.durationMs)} ms timeout`
    : sut.exitCode === null
      ? `ended by ${sut.signal ?? 'an error'}`
      : `exit code ${sut.exitCode}`,
});

function textExpectation(stream: 'stdout' | 'stderr'): Evaluate<TextMatch> {
  return async (spec, { sut }) => {
    const text = sut[stream];
    const match = typeof spec === 'string' ? { contains: spec } : spec;
    const wants: string[] = [];
    let passed = true;
    if (match.contains !== undefined) {
      wants.push(`contains ${JSON.stringify(match.contains)}`);
      passed &&= text.includes(match.contains);
    }
    if (match.notContains !== undefined) {
      wants.push(`does not contain ${JSON.stringify(match.notContains)}`);
      passed &&= !text.includes(match.notContains);
    }
    if (match.matches !== undefined) {
      wants.push(`matches /${match.matches}/`);
      passed &&= compilePattern(match.matches, { multiline: true }).test(text);
    }
    return { passed, expected: `${stream} ${wants.join(' and ')}`, observed: `${stream}: ${preview(text.trim() || '(empty)')}` };
  };
}

export const stdout = textExpectation('stdout');
export const stderr = textExpectation('stderr');
