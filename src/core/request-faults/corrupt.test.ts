// The corrupt action's payload changes, over many bodies and seeds: truncate always gives a strict
// prefix, malformed-json never gives text a JSON parser accepts.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/index.ts';
import { corrupt } from '../../twins/http/faults/corrupt.ts';
import { jsonResponse, type WireResponse } from '../../twins/http/wire-response.ts';

const BODIES: unknown[] = [
  { id: 1, name: 'a "quoted" \\ name', tags: ['x', 'y'] },
  [1, 2, 3],
  [],
  {},
  'a plain string',
  12345,
  true,
  null,
  { nested: { deep: [{ a: 1 }, { b: [null] }] } },
];

describe('corrupt', () => {
  it('malformed-json makes every JSON body unparseable, keeping application/json', () => {
    for (const body of BODIES) {
      for (let seed = 0; seed < 50; seed++) {
        const out = corrupt(jsonResponse(200, body), { how: 'malformed-json' }, createRng(seed));
        expect(() => JSON.parse(out.body.toString()), `${JSON.stringify(body)} seed ${seed}: ${out.body}`).toThrow(SyntaxError);
        expect(out.headers).toContain('application/json');
      }
    }
  });

  it('truncate gives a strict prefix of the body', () => {
    for (const body of BODIES) {
      const original = jsonResponse(200, body);
      for (let seed = 0; seed < 20; seed++) {
        const out = corrupt(original, { how: 'truncate' }, createRng(seed));
        expect(out.body.length).toBeLessThan(original.body.length);
        expect(original.body.subarray(0, out.body.length).equals(out.body)).toBe(true);
      }
    }
  });

  it('wrong-content-type swaps only the content type', () => {
    const html: WireResponse = { status: 200, headers: ['content-type', 'text/html'], body: Buffer.from('<p>') };
    expect(corrupt(html, { how: 'wrong-content-type' }, createRng(1)).headers).toEqual(['content-type', 'application/octet-stream']);
    const json = jsonResponse(200, { a: 1 }, ['x-a', '1']);
    const out = corrupt(json, { how: 'wrong-content-type' }, createRng(1));
    expect(out.headers).toEqual(['x-a', '1', 'content-type', 'text/html; charset=utf-8']);
    expect(out.body.equals(json.body)).toBe(true);
  });
});
