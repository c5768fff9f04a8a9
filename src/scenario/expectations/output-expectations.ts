// exitCode, stdout, stderr: what the command itself did.
import { Type } from '@sinclair/typebox';
import { compilePattern, preview } from '../../core/index.ts';
import { defineRunnerExpectation } from './expectation.ts';

export const exitCode = defineRunnerExpectation({
  schema: Type.Integer({ description: 'the command exits with this code' }),
  async evaluate(expected, { sut }) {
    return {
      passed: !sut.timedOut && sut.exitCode === expected,
      expected: `exit code ${expected}`,
      observed: sut.timedOut
        ? `killed after the ${Math.round(sut.durationMs)} ms timeout`
        : sut.exitCode === null
          ? `ended by ${sut.signal ?? 'an error'}`
          : `exit code ${sut.exitCode}`,
    };
  },
});

const TextMatchSchema = Type.Union([
  Type.String({ description: 'the output contains this text' }),
  Type.Object(
    {
      contains: Type.Optional(Type.String()),
      notContains: Type.Optional(Type.String()),
      matches: Type.Optional(Type.String({ description: 'a regular expression' })),
    },
    { additionalProperties: false },
  ),
]);

function textExpectation(stream: 'stdout' | 'stderr') {
  return defineRunnerExpectation({
    schema: TextMatchSchema,
    check(spec) {
      if (typeof spec === 'string' || spec.matches === undefined) return [];
      try {
        compilePattern(spec.matches, { multiline: true });
        return [];
      } catch (error) {
        return [{ field: 'matches', detail: error instanceof Error ? error.message : String(error) }];
      }
    },
    async evaluate(spec, { sut }) {
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
    },
  });
}

export const stdout = textExpectation('stdout');
export const stderr = textExpectation('stderr');
