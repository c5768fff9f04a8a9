// The one path syntax of rules and stubs: `:name` and `*` are one segment, `**` any number.
import { describe, expect, it } from 'vitest';
import { compilePathGlob, PathGlobError } from './path-glob.ts';

const matches = (glob: string, path: string): boolean => compilePathGlob(glob).match(path) !== undefined;

describe('path globs', () => {
  it('exact paths match only themselves', () => {
    expect(matches('/v1/customers', '/v1/customers')).toBe(true);
    expect(matches('/v1/customers', '/v1/customers/')).toBe(false);
    expect(matches('/v1/customers', '/v1/customers/cus_1')).toBe(false);
  });

  it(':name and * match exactly one segment', () => {
    for (const glob of ['/v1/customers/:id', '/v1/customers/*']) {
      expect(matches(glob, '/v1/customers/cus_1')).toBe(true);
      expect(matches(glob, '/v1/customers')).toBe(false);
      expect(matches(glob, '/v1/customers/')).toBe(false);
      expect(matches(glob, '/v1/customers/cus_1/sources')).toBe(false);
    }
    expect(compilePathGlob('/users/:id/orders/:order').match('/users/a%20b/orders/7')).toEqual({ id: 'a b', order: '7' });
  });

  it('* inside a segment stays inside it', () => {
    expect(matches('/files/*.png', '/files/cat.png')).toBe(true);
    expect(matches('/files/*.png', '/files/a/cat.png')).toBe(false);
  });

  it('** matches any number of segments, none included', () => {
    expect(matches('/v1/**', '/v1')).toBe(true);
    expect(matches('/v1/**', '/v1/customers')).toBe(true);
    expect(matches('/v1/**', '/v1/customers/cus_1/sources')).toBe(true);
    expect(matches('/v1/**', '/v2/customers')).toBe(false);
    expect(matches('/**/confirm', '/v1/payment_intents/pi_1/confirm')).toBe(true);
    expect(matches('/**', '/anything/at/all')).toBe(true);
  });

  it('refuses what it cannot mean', () => {
    expect(() => compilePathGlob('v1/customers')).toThrow(PathGlobError);
    expect(() => compilePathGlob('/v1/a**')).toThrow(PathGlobError);
    expect(() => compilePathGlob('/v1/:1d')).toThrow(PathGlobError);
    expect(() => compilePathGlob('/v1/:id/:id')).toThrow(PathGlobError);
  });
});
