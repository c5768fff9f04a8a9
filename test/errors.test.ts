import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, StandinError } from '../src/core/index.ts';

describe('error table', () => {
  it('docs/errors.md lists every code with its status and template, and nothing else', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `(STANDIN_ERR_\w+)` \| (\d+) \| (.*) \|$/gm)].map(([, code, status, message]) => ({
      code,
      status: Number(status),
      message: message!.replace(/\\\|/g, '|'),
    }));
    const table = Object.entries(ERRORS).map(([code, e]) => ({ code, status: e.status, message: e.message }));
    expect(documented).toEqual(table);
  });

  it('codes name their area and fill their templates', () => {
    for (const code of Object.keys(ERRORS)) expect(code).toMatch(/^STANDIN_ERR_[A-Z]+_[A-Z_]+$/);
    const error = new StandinError('STANDIN_ERR_TWIN_PORT_IN_USE', { twin: 'db', host: '127.0.0.1', port: 5432 });
    expect(error.toJSON()).toEqual({
      code: 'STANDIN_ERR_TWIN_PORT_IN_USE',
      statusCode: 409,
      message: 'twin db cannot listen on 127.0.0.1:5432: the port is already in use',
    });
  });
});
