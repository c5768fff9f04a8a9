import { describe, expect, it } from 'vitest';
import { formatHostPort, HOST_PORT_PATTERN, parseHostPort } from './upstream-address.ts';

describe('upstream address', () => {
  it('parses host:port, IPv6 in brackets, and prints it back', () => {
    expect(parseHostPort('db.internal:5432')).toEqual({ host: 'db.internal', port: 5432 });
    expect(parseHostPort('[::1]:6379')).toEqual({ host: '::1', port: 6379 });
    expect(formatHostPort({ host: '::1', port: 6379 })).toBe('[::1]:6379');
    expect(formatHostPort(parseHostPort('127.0.0.1:80'))).toBe('127.0.0.1:80');
  });

  it('rejects what is not host:port, in the parser and in the config pattern alike', () => {
    for (const bad of ['localhost', ':80', 'host:', 'host:99999', 'a b:1']) {
      expect(() => parseHostPort(bad)).toThrow(/host:port/);
    }
    for (const bad of ['localhost', ':80', 'host:', 'a b:1']) expect(new RegExp(HOST_PORT_PATTERN).test(bad)).toBe(false);
  });
});
