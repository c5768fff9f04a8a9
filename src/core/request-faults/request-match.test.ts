// The shared request matchers: every given field must hold; lists mean "any of"; header names in any case.
import { describe, expect, it } from 'vitest';
import { matchesRequest, type RequestEvent } from './request-match.ts';

const event: RequestEvent = {
  method: 'POST',
  path: '/v1/customers/cus_1',
  query: { expand: ['a', 'b'], page: '2' },
  headers: { 'idempotency-key': 'k1', 'content-type': 'application/x-www-form-urlencoded' },
  body: 'email=ada%40example.com&name=Ada',
};

describe('request matchers', () => {
  it('an empty match matches every request', () => {
    expect(matchesRequest({}, event)).toBe(true);
  });

  it('method: one or a list, in any case', () => {
    expect(matchesRequest({ method: 'post' }, event)).toBe(true);
    expect(matchesRequest({ method: ['GET', 'POST'] }, event)).toBe(true);
    expect(matchesRequest({ method: 'GET' }, event)).toBe(false);
  });

  it('path: one glob or any of several', () => {
    expect(matchesRequest({ path: '/v1/customers/:id' }, event)).toBe(true);
    expect(matchesRequest({ path: ['/v1/charges/*', '/v1/customers/*'] }, event)).toBe(true);
    expect(matchesRequest({ path: '/v1/customers' }, event)).toBe(false);
  });

  it('query and headers: value matchers, any element of a repeated value, header names in any case', () => {
    expect(matchesRequest({ query: { expand: 'b', page: { matches: '\\d+' } } }, event)).toBe(true);
    expect(matchesRequest({ query: { page: { absent: true } } }, event)).toBe(false);
    expect(matchesRequest({ headers: { 'Idempotency-Key': 'k1' } }, event)).toBe(true);
    expect(matchesRequest({ headers: { 'Content-Type': { contains: 'json' } } }, event)).toBe(false);
    expect(matchesRequest({ headers: { authorization: { absent: true } } }, event)).toBe(true);
  });

  it('body: a substring; every field must hold', () => {
    expect(matchesRequest({ body: 'name=Ada' }, event)).toBe(true);
    expect(matchesRequest({ body: 'name=Ada', method: 'GET' }, event)).toBe(false);
  });
});
