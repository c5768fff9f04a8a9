// The frame splitter against byte fixtures: typed and startup packets, split across chunks, and
// the lengths that must be refused.
import { describe, expect, it } from 'vitest';
import { FrameError, WireReader, wholeMessages } from './wire-reader.ts';

// Query "SELECT 1": 'Q', int32 13, "SELECT 1\0"
const QUERY = Buffer.from('510000000d53454c454354203100', 'hex');
// Sync: 'S', int32 4
const SYNC = Buffer.from('5300000004', 'hex');
// SSLRequest: int32 8, int32 80877103
const SSL_REQUEST = Buffer.from('0000000804d2162f', 'hex');

describe('WireReader', () => {
  it('reads typed messages split at any byte', () => {
    const bytes = Buffer.concat([QUERY, SYNC]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const r = new WireReader(true, 1 << 20);
      r.push(bytes.subarray(0, cut));
      const first = r.next();
      r.push(bytes.subarray(cut));
      const frames = [first ?? r.next(), first ? r.next() : r.next()].filter(Boolean);
      const all = frames.length === 2 ? frames : [...frames, r.next()];
      expect(all.map((f) => f?.type)).toEqual(['Q'.charCodeAt(0), 'S'.charCodeAt(0)]);
      expect(all[0]?.body.toString()).toBe('SELECT 1\0');
      expect(all[0]?.raw.equals(QUERY)).toBe(true);
    }
  });

  it('reads an untyped startup packet', () => {
    const r = new WireReader(false, 10_000);
    r.push(SSL_REQUEST);
    expect(r.next()?.body.readInt32BE(0)).toBe(80877103);
  });

  it.each([-1, 0, 3, 1 << 21])('refuses length %i', (length) => {
    const r = new WireReader(true, 1 << 20);
    const bad = Buffer.from(QUERY);
    bad.writeInt32BE(length, 1);
    r.push(bad);
    expect(() => r.next()).toThrow(FrameError);
  });
});

describe('wholeMessages', () => {
  const any = new Uint8Array(256).fill(1);
  const bytes = Buffer.concat([QUERY, SYNC]);

  it('measures the prefix of whole messages, in place', () => {
    expect(wholeMessages(bytes, any, 1 << 20)).toBe(bytes.length);
    for (let cut = 0; cut < SYNC.length; cut++) expect(wholeMessages(bytes.subarray(0, QUERY.length + cut), any, 1 << 20)).toBe(QUERY.length);
    expect(wholeMessages(bytes.subarray(0, 3), any, 1 << 20)).toBe(0);
  });

  it('refuses a type outside the table and a bad length anywhere in the chunk', () => {
    const onlyQuery = new Uint8Array(256);
    onlyQuery['Q'.charCodeAt(0)] = 1;
    expect(wholeMessages(bytes, onlyQuery, 1 << 20)).toBe(-1);
    const bad = Buffer.from(bytes);
    bad.writeInt32BE(3, QUERY.length + 1);
    expect(wholeMessages(bad, any, 1 << 20)).toBe(-1);
    expect(wholeMessages(bytes, any, 8)).toBe(-1);
  });
});
