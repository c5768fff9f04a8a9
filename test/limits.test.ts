import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, ERRORS, LIMITS, limitsTable, resolveLimits } from '../src/core/index.ts';

describe('limits table', () => {
  it('docs/limits.md shows every limit of src/core/limits.ts', () => {
    const doc = readFileSync(new URL('../docs/limits.md', import.meta.url), 'utf8');
    expect(doc).toContain(limitsTable());
  });

  it('every API answer is a code of the error table', () => {
    for (const spec of Object.values(LIMITS)) {
      for (const code of spec.answer.split(' / ').filter((a) => a.startsWith('STANDIN_ERR_'))) expect(ERRORS).toHaveProperty(code);
    }
  });

  it('flags win over env vars, env vars over defaults; a bad value names its source', () => {
    const env = { STANDIN_LIMIT_RULES_PER_ENVIRONMENT: '50', STANDIN_LIMIT_ENVIRONMENTS: '7' };
    const limits = resolveLimits({ environments: '9' }, env);
    expect(limits.environments).toBe(9);
    expect(limits.rulesPerEnvironment).toBe(50);
    expect(limits.journalBytes).toBe(DEFAULT_LIMITS.journalBytes);
    expect(() => resolveLimits({}, { STANDIN_LIMIT_ENVIRONMENTS: 'lots' })).toThrow('STANDIN_LIMIT_ENVIRONMENTS: lots is not a positive integer');
    expect(() => resolveLimits({ environments: '0' }, {})).toThrow('--limit-environments: 0');
  });
});
