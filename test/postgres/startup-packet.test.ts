// The first packet of a connection, malformed in every way PostgreSQL's ProcessStartupPacket tells
// apart, sent to the twin and to the real server behind it (its directUrl): both must answer the
// same, or close without a word where PostgreSQL only logs.
// @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let h: TwinHarness;
let front: URL;
let direct: URL;

beforeAll(async () => {
  h = await startTwin(postgresTwin, {}, { seed: 14 });
  front = new URL(h.twin.endpoints.url as string);
  direct = new URL(h.twin.endpoints.directUrl as string);
});
afterAll(async () => {
  await h?.stop();
});

/** A startup-style packet: int32 length, int32 code, then `rest`; `length` overrides the true one. */
function packet(code: number, rest: Buffer | string = '', length?: number): Buffer {
  const tail = Buffer.from(rest);
  const b = Buffer.alloc(8 + tail.length);
  b.writeInt32BE(length ?? b.length, 0);
  b.writeInt32BE(code, 4);
  tail.copy(b, 8);
  return b;
}

/** Everything the server sends until it closes. */
function exchange(to: URL, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(Number(to.port), to.hostname, () => s.write(bytes));
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

/**
 * The answer as a client reads it: each message's type and, for an ErrorResponse, its fields less the
 * source file, line and routine (PostgreSQL's own C names, which the twin does not claim).
 */
function readable(answer: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < answer.length) {
    const type = String.fromCharCode(answer[at] as number);
    if (type === 'E' && answer[at + 1] !== 0) return [...out, `v2 ${answer.toString('latin1', at + 1).replace(/\0$/, '')}`];
    const end = at + 1 + answer.readInt32BE(at + 1);
    const body = answer.subarray(at + 5, end);
    if (type === 'E') {
      const fields = body.toString('utf8').split('\0').filter((f) => f !== '' && !'FLR'.includes(f[0] as string));
      out.push(`E ${fields.join(' | ')}`);
    } else out.push(`${type} ${body.toString('hex')}`);
    at = end;
  }
  return out;
}

const PROTOCOL_30 = 3 << 16;
const CANCEL = 80877102;

const cases: Record<string, { bytes: Buffer; answer: string[] }> = {
  // pg's connect() then end() at once: Terminate before any startup packet.
  'Terminate as the first message': { bytes: Buffer.from([0x58, 0, 0, 0, 4]), answer: [] },
  'an HTTP request': { bytes: Buffer.from('GET / HTTP/1.1\r\nHost: db\r\n\r\n'), answer: [] },
  'length 0': { bytes: Buffer.from([0, 0, 0, 0]), answer: [] },
  'length 4, no protocol version': { bytes: Buffer.from([0, 0, 0, 4, 0, 0, 0, 0]), answer: [] },
  'length 7': { bytes: Buffer.from([0, 0, 0, 7, 0, 3, 0]), answer: [] },
  // PostgreSQL's 10000 counts the packet less its length word.
  'length past 10004': { bytes: packet(PROTOCOL_30, 'user\0app\0\0', 10_005), answer: [] },
  'a cancel key of one byte': { bytes: packet(CANCEL, Buffer.from([0, 0, 0, 1, 9])), answer: [] },
  'a cancel for no session': { bytes: packet(CANCEL, Buffer.alloc(8)), answer: [] },
  'no parameters and no terminator': {
    bytes: packet(PROTOCOL_30),
    answer: ['E SFATAL | VFATAL | C08P01 | Minvalid startup packet layout: expected terminator as last byte'],
  },
  'a name without a value': {
    bytes: packet(PROTOCOL_30, 'user\0app\0application_name\0'),
    answer: ['E SFATAL | VFATAL | C08P01 | Minvalid startup packet layout: expected terminator as last byte'],
  },
  'a last value without its terminator': {
    bytes: packet(PROTOCOL_30, 'user\0app'),
    answer: ['E SFATAL | VFATAL | C08P01 | Minvalid startup packet layout: expected terminator as last byte'],
  },
  'bytes after the terminator': {
    bytes: packet(PROTOCOL_30, 'user\0app\0\0xyz'),
    answer: ['E SFATAL | VFATAL | C08P01 | Minvalid startup packet layout: expected terminator as last byte'],
  },
  'protocol 2.0': { bytes: packet(2 << 16), answer: ['v2 FATAL:  unsupported frontend protocol 2.0: server supports 3.0 to 3.2\n'] },
  'protocol 4.0': {
    bytes: packet(4 << 16),
    answer: ['E SFATAL | VFATAL | C0A000 | Munsupported frontend protocol 4.0: server supports 3.0 to 3.2'],
  },
  'no user': {
    bytes: packet(PROTOCOL_30, 'database\0app\0\0'),
    answer: ['E SFATAL | VFATAL | C28000 | Mno PostgreSQL user name specified in startup packet'],
  },
};

describe('a malformed first packet', () => {
  for (const [name, { bytes, answer }] of Object.entries(cases)) {
    it(`${name}: answered as PostgreSQL answers it`, async () => {
      const [twin, real] = await Promise.all([exchange(front, bytes), exchange(direct, bytes)]);
      expect(readable(real)).toEqual(answer);
      expect(readable(twin)).toEqual(readable(real));
    });
  }
});

describe('pg: connect() then end() at once', () => {
  /** What connect() came to by the time end() finished: PostgreSQL sends nothing, so it never settles. */
  async function connectAndEnd(url: URL): Promise<string> {
    const c = new pg.Client({ connectionString: url.href });
    c.on('error', () => {});
    let outcome = 'pending';
    void c.connect().then(
      () => (outcome = 'connected'),
      (e: Error) => (outcome = `refused: ${e.message}`),
    );
    await c.end();
    await new Promise((resolve) => setImmediate(resolve));
    return outcome;
  }

  it('leaves connect() pending with the twin as with PostgreSQL: no error from the server', async () => {
    expect(await connectAndEnd(direct)).toBe('pending');
    expect(await connectAndEnd(front)).toBe('pending');
  });
});
