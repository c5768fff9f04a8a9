// A client that sends a new header value on every request (ids, timestamps, junk) cannot grow the
// stripe twin's table of shared header values: it stays bounded, and every request's journaled
// headers are still exactly what it sent, the API key left out.
import { describe, expect, it } from 'vitest';
import { JournaledHeaders, TABLE_SIZE } from '../../twins/stripe/request-headers.ts';

describe('stripe journaled headers under hostile input', () => {
  it('keeps the shared-value table bounded and each request its own values', () => {
    const headers = new JournaledHeaders();
    for (let i = 0; i < 5 * TABLE_SIZE; i++) {
      const junk = `${i}-${'x'.repeat(i % 600)}`;
      const journaled = headers.of({ 'x-junk': junk, authorization: `Bearer sk_test_${i}`, 'user-agent': 'same' });
      expect(journaled).toEqual({ 'x-junk': junk, 'user-agent': 'same' });
      expect(headers.size).toBeLessThanOrEqual(TABLE_SIZE);
    }
  });
});
