import { describe, expect, it } from 'vitest';
import { bindPolicy, loopbackOnly } from './bind-policy.ts';

describe('bindPolicy', () => {
  it('without an admin token: loopback literals in any spelling, localhost as 127.0.0.1', () => {
    expect(loopbackOnly.host(undefined, 'f')).toBe('127.0.0.1');
    expect(loopbackOnly.host('LocalHost', 'f')).toBe('127.0.0.1');
    for (const host of ['127.0.0.1', '127.255.0.9', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(loopbackOnly.host(host, 'f')).toBe(host);
  });

  it('without an admin token: refuses every other address, names and shorthand included, naming the field', () => {
    for (const host of ['', ' ', '0.0.0.0', '::', '::ffff:0.0.0.0', '10.0.0.1', 'fe80::1', '127.1', '0x7f.0.0.1', 'localhost.example', '127.0.0.1.nip.io']) {
      expect(() => loopbackOnly.host(host, 'twins.db.host'), JSON.stringify(host)).toThrow(
        expect.objectContaining({ code: 'STANDIN_ERR_TWIN_HOST_REFUSED', message: expect.stringMatching(/^twins\.db\.host: /) }),
      );
    }
  });

  it('without an admin token: ports 1-1023 are refused, 0 and 1024+ allowed', () => {
    expect(() => loopbackOnly.port(1023, 'twins.db.port')).toThrow(expect.objectContaining({ code: 'STANDIN_ERR_TWIN_PORT_REFUSED' }));
    expect(() => loopbackOnly.port(1, 'p')).toThrow();
    expect(() => loopbackOnly.port(0, 'p')).not.toThrow();
    expect(() => loopbackOnly.port(1024, 'p')).not.toThrow();
  });

  it('with an admin token: any IP and port, still no empty host and no names', () => {
    const open = bindPolicy({ open: true, defaultHost: '0.0.0.0' });
    expect(open.defaultHost).toBe('0.0.0.0');
    expect(open.host('::', 'f')).toBe('::');
    expect(() => open.port(80, 'f')).not.toThrow();
    expect(() => open.host('', 'f')).toThrow(expect.objectContaining({ code: 'STANDIN_ERR_TWIN_HOST_REFUSED' }));
    expect(() => open.host('db.internal', 'f')).toThrow(expect.objectContaining({ code: 'STANDIN_ERR_TWIN_HOST_REFUSED' }));
  });

  it('checks --twin-host when made', () => {
    expect(() => bindPolicy({ open: false, defaultHost: '0.0.0.0' })).toThrow(/^--twin-host: 0\.0\.0\.0 is not a loopback address/);
  });
});
