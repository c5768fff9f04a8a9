// Protocol 3.2 (PostgreSQL 18): accepted as asked, its 32-byte cancel keys issued and honoured;
// 3.0 unchanged. What the server says before authentication is compared with the real server's.
// @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let h: TwinHarness;
let trust: TwinHarness;

beforeAll(async () => {
  h = await startTwin(postgresTwin, {}, { seed: 32 });
  trust = await startTwin(postgresTwin, { auth: 'trust' }, { seed: 32, name: 'trusting' });
});
afterAll(async () => {
  await h?.stop();
  await trust?.stop();
});

function startupPacket(minor: number, params: Record<string, string>): Buffer {
  const body = Buffer.from(Object.entries(params).map(([k, v]) => `${k}\0${v}\0`).join('') + '\0');
  const b = Buffer.alloc(8 + body.length);
  b.writeInt32BE(b.length, 0);
  b.writeInt32BE((3 << 16) | minor, 4);
  body.copy(b, 8);
  return b;
}

/** Backend messages as [type, body], read from a socket until `until` returns true. */
class Conn {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  readonly socket: net.Socket;
  constructor(url: URL) {
    this.socket = net.connect(Number(url.port), url.hostname);
    this.socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    this.socket.on('close', () => this.wake?.());
  }
  async next(): Promise<[string, Buffer]> {
    while (this.buf.length < 5 || this.buf.length < 1 + this.buf.readInt32BE(1)) {
      if (this.socket.destroyed) throw new Error('closed');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const end = 1 + this.buf.readInt32BE(1);
    const message: [string, Buffer] = [String.fromCharCode(this.buf[0] as number), this.buf.subarray(5, end)];
    this.buf = this.buf.subarray(end);
    return message;
  }
  /** Messages up to and including the first of `type`. */
  async until(type: string): Promise<Array<[string, Buffer]>> {
    const seen: Array<[string, Buffer]> = [];
    for (;;) {
      const m = await this.next();
      seen.push(m);
      if (m[0] === type) return seen;
    }
  }
}

/** The messages up to the authentication request, as hex, from a connection asking for `minor`. */
async function negotiation(url: URL, minor: number, extra: Record<string, string> = {}): Promise<string[]> {
  const c = new Conn(url);
  c.socket.write(startupPacket(minor, { user: url.username, database: url.pathname.slice(1), ...extra }));
  const seen = await c.until('R');
  c.socket.destroy();
  return seen.map(([t, b]) => `${t} ${b.toString('hex')}`);
}

describe('protocol version negotiation, twin and PostgreSQL side by side', () => {
  for (const [name, minor, extra] of [
    ['3.0', 0, {}],
    ['3.2', 2, {}],
    ['3.3 (offered 3.2)', 3, {}],
    ['3.2 with an unknown _pq_ option', 2, { '_pq_.x': 'y' }],
  ] as const) {
    it(`answers ${name} as PostgreSQL does`, async () => {
      const front = new URL(h.twin.endpoints.url as string);
      const direct = new URL(h.twin.endpoints.directUrl as string);
      const [twin, real] = [await negotiation(front, minor, extra), await negotiation(direct, minor, extra)];
      expect(twin).toEqual(real);
    });
  }
});

describe('cancel keys', () => {
  async function session(minor: number): Promise<{ c: Conn; key: Buffer }> {
    const url = new URL(trust.twin.endpoints.url as string);
    const c = new Conn(url);
    c.socket.write(startupPacket(minor, { user: url.username, database: url.pathname.slice(1) }));
    const seen = await c.until('Z');
    const key = seen.find(([t]) => t === 'K')?.[1] as Buffer;
    return { c, key };
  }

  async function cancel(key: Buffer): Promise<void> {
    const url = new URL(trust.twin.endpoints.url as string);
    const packet = Buffer.alloc(8 + key.length);
    packet.writeInt32BE(packet.length, 0);
    packet.writeInt32BE(80877102, 4);
    key.copy(packet, 8);
    await new Promise<void>((resolve) => {
      const s = net.connect(Number(url.port), url.hostname, () => s.end(packet));
      s.on('close', () => resolve());
    });
  }

  for (const [minor, length] of [
    [0, 8],
    [2, 36],
  ] as const) {
    it(`3.${minor}: a ${length}-byte BackendKeyData whose CancelRequest cancels the running statement`, async () => {
      const { c, key } = await session(minor);
      expect(key.length).toBe(length);
      const q = Buffer.from('SELECT pg_sleep(60)\0');
      const head = Buffer.alloc(5);
      head.write('Q');
      head.writeInt32BE(4 + q.length, 1);
      c.socket.write(Buffer.concat([head, q]));
      // The statement is running once the server lists it; then the cancel goes out.
      const monitor = await session(0);
      for (;;) {
        const sql = Buffer.from("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'\0");
        const h2 = Buffer.alloc(5);
        h2.write('Q');
        h2.writeInt32BE(4 + sql.length, 1);
        monitor.c.socket.write(Buffer.concat([h2, sql]));
        const rows = await monitor.c.until('Z');
        const row = rows.find(([t]) => t === 'D')?.[1] as Buffer;
        if (row.toString('latin1', 6) === '1') break;
      }
      monitor.c.socket.destroy();
      await cancel(key);
      const answer = await c.until('Z');
      const error = answer.find(([t]) => t === 'E')?.[1].toString('latin1') ?? '';
      expect(error).toContain('C57014');
      c.socket.destroy();
    }, 60_000);
  }
});
