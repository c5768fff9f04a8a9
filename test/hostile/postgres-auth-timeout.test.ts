// Issue 11 item 14 (postgres part): the front has PostgreSQL's authentication_timeout. A client that
// connects and sends nothing, or stops half-way through its startup packet or SCRAM exchange, is
// closed after `limits.postgresAuthTimeoutMs`, with what PostgreSQL 18 sends then: nothing. A session
// that finished authenticating is not affected.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const TIMEOUT_MS = 300;
let h: TwinHarness;
let url: URL;

beforeAll(async () => {
  h = await startTwin(postgresTwin, { tls: 'on' }, { limits: { postgresAuthTimeoutMs: TIMEOUT_MS } });
  url = new URL(h.twin.endpoints.url as string);
});

afterAll(async () => {
  await h?.stop();
  await postgresTwin.shutdown?.();
});

function packet(code: number, text = ''): Buffer {
  const body = Buffer.from(text);
  const out = Buffer.alloc(8 + body.length);
  out.writeInt32BE(out.length, 0);
  out.writeInt32BE(code, 4);
  body.copy(out, 8);
  return out;
}

const startupPacket = (): Buffer => packet(3 << 16, `user\0${url.username}\0database\0app\0\0`);

/** Connects, sends `bytes`, then waits (at most 5 s) for the twin to close; what it sent meanwhile. */
function sendThenWait(bytes: Buffer): Promise<{ closed: boolean; received: Buffer }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(url.port), url.hostname, () => {
      if (bytes.length > 0) socket.write(bytes);
    });
    const give = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, received: Buffer.concat(chunks) });
    }, 5_000);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(give);
      resolve({ closed: true, received: Buffer.concat(chunks) });
    });
  });
}

describe('postgres authentication timeout', () => {
  it('closes a connection that sends nothing, without a message', async () => {
    expect(await sendThenWait(Buffer.alloc(0))).toEqual({ closed: true, received: Buffer.alloc(0) });
  });

  it('closes a connection that stops in the middle of its startup packet', async () => {
    expect(await sendThenWait(startupPacket().subarray(0, 10))).toEqual({ closed: true, received: Buffer.alloc(0) });
  });

  it('closes a connection that asked for SSL and then went quiet (after the S, nothing more)', async () => {
    expect(await sendThenWait(packet(80877103))).toEqual({ closed: true, received: Buffer.from('S') });
  });

  it('closes a connection that stops in the SCRAM exchange, after AuthenticationSASL only', async () => {
    const { closed, received } = await sendThenWait(startupPacket());
    expect(closed).toBe(true);
    expect(received[0]).toBe('R'.charCodeAt(0));
    expect(received.readInt32BE(5)).toBe(10); // AuthenticationSASL, and nothing after it
    expect(received.length).toBe(1 + received.readInt32BE(1));
  });

  it('leaves an authenticated session alone past the timeout', async () => {
    const client = new pg.Client({ connectionString: url.href });
    await client.connect();
    await new Promise((r) => setTimeout(r, TIMEOUT_MS * 3));
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  });
});
