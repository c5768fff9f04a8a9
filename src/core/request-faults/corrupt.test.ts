// The corrupt action's payload changes (the same on every HTTP-speaking twin), over many bodies and seeds: truncate always gives a strict
// prefix, malformed-json never gives text a JSON parser accepts.
import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { corruptAnswer as corrupt } from './corrupt.ts';
import type { HttpAnswer } from './http-answer.ts';

function jsonResponse(status: number, value: unknown, headers: string[] = []): HttpAnswer {
  return { status, headers: [...headers, 'content-type', 'application/json'], body: Buffer.from(JSON.stringify(value)) };
}

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
        const out = corrupt(jsonResponse(200, body), 'malformed-json', createRng(seed));
        expect(() => JSON.parse(out.body.toString()), `${JSON.stringify(body)} seed ${seed}: ${out.body}`).toThrow(SyntaxError);
        expect(out.headers).toContain('application/json');
      }
    }
  });

  it('truncate gives a strict prefix of the body', () => {
    for (const body of BODIES) {
      const original = jsonResponse(200, body);
      for (let seed = 0; seed < 20; seed++) {
        const out = corrupt(original, 'truncate', createRng(seed));
        expect(out.body.length).toBeLessThan(original.body.length);
        expect(original.body.subarray(0, out.body.length).equals(out.body)).toBe(true);
      }
    }
  });

  it('wrong-content-type swaps only the content type', () => {
    const html: HttpAnswer = { status: 200, headers: ['content-type', 'text/html'], body: Buffer.from('<p>') };
    expect(corrupt(html, 'wrong-content-type', createRng(1)).headers).toEqual(['content-type', 'application/octet-stream']);
    const json = jsonResponse(200, { a: 1 }, ['x-a', '1']);
    const out = corrupt(json, 'wrong-content-type', createRng(1));
    expect(out.headers).toEqual(['x-a', '1', 'content-type', 'text/html; charset=utf-8']);
    expect(out.body.equals(json.body)).toBe(true);
  });

  it('empty answers 200 with no body, whatever the status was', () => {
    const out = corrupt(jsonResponse(503, { a: 1 }), 'empty', createRng(1));
    expect(out.status).toBe(200);
    expect(out.body.length).toBe(0);
  });
});
