// How a connection becomes encrypted, and how a password is checked over it, side by side: every
// case runs against the twin and against a real PostgreSQL 18 (the embedded build, with `ssl = on`
// and a certificate of its own, or the shared server with ssl off), with the same assertions.
// - Bytes sent after SSLRequest/GSSENCRequest, before the answer was read (CVE-2021-23214).
// - Direct SSL negotiation (PostgreSQL 17+): TLS from the first byte, ALPN `postgresql` required.
// - SCRAM-SHA-256-PLUS with tls-server-end-point channel binding (psql channel_binding=require).
// - SASLprep of a non-ASCII password.
// @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL
// @see https://www.postgresql.org/docs/current/sasl-authentication.html
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { promisify } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';
import { startRealServer, type RealServer } from './fixtures/real-server.ts';
import { startup } from './fuzz-frames.ts';

const execFileAsync = promisify(execFile);

/** A server under test: where it listens, who may log in, and how a verifying client trusts it. */
interface Target {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** The certificate to trust, when it speaks TLS. */
  ca?: string;
}

// The password as configured: NFD ("a" + combining diaeresis), with a soft hyphen and an em space;
// SASLprep makes it "Mädchen pass", which is what clients type.
const STORED_PASSWORD = 'Ma\u0308d\u00ADchen\u2003pass';
const TYPED_PASSWORD = 'M\u00E4dchen pass';

let twinOn: TwinHarness;
let twinOff: TwinHarness;
let realOn: RealServer;
const targets: { on: Target[]; off: Target[] } = { on: [], off: [] };

function twinTarget(name: string, h: TwinHarness): Target {
  const url = new URL(h.twin.endpoints.url as string);
  const ca = h.twin.endpoints.sslRootCert as string | undefined;
  return { name, host: url.hostname, port: Number(url.port), user: 'app', password: STORED_PASSWORD, database: 'app', ca: ca && readFileSync(ca, 'utf8') };
}

beforeAll(async () => {
  [twinOn, twinOff, realOn] = await Promise.all([
    startTwin(postgresTwin, { tls: 'on', password: STORED_PASSWORD }, { name: 'tls-on' }),
    startTwin(postgresTwin, { password: STORED_PASSWORD }, { name: 'tls-off' }),
    startRealServer({ ssl: true, password: STORED_PASSWORD }),
  ]);
  const direct = new URL(twinOff.twin.endpoints.directUrl as string);
  targets.on.push(twinTarget('twin', twinOn), { name: 'real', ...realOn, ca: realOn.cert });
  // The shared server has ssl off: its answers to the plaintext cases are PostgreSQL's with ssl off.
  targets.off.push(twinTarget('twin', twinOff), { name: 'real', host: direct.hostname, port: Number(direct.port), user: '', password: '', database: '' });
}, 120_000);
afterAll(async () => {
  await Promise.all([twinOn?.stop(), twinOff?.stop(), realOn?.stop()]);
});

/** Everything the server sends until it closes. */
function exchange(t: Target, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(t.port, t.host, () => s.write(bytes));
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

/** The answer as a client reads it: the one-byte answer, then each ErrorResponse's fields less file, line and routine. */
function readable(answer: Buffer): string[] {
  const out = [String.fromCharCode(answer[0] as number)];
  let at = 1;
  while (at < answer.length) {
    const end = at + 1 + answer.readInt32BE(at + 1);
    const fields = answer.toString('utf8', at + 5, end).split('\0').filter((f) => f !== '' && !'FLR'.includes(f[0] as string));
    out.push(`${String.fromCharCode(answer[at] as number)} ${fields.join(' | ')}`);
    at = end;
  }
  return out;
}

function request(code: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(8, 0);
  b.writeInt32BE(code, 4);
  return b;
}
const SSL_REQUEST = request(80877103);
const GSSENC_REQUEST = request(80877104);

describe('bytes sent after an encryption request, before its answer', () => {
  it('a ClientHello pipelined after SSLRequest is a handshake', async () => {
    for (const t of targets.on) {
      const s = net.connect(t.port, t.host);
      await new Promise((resolve) => s.once('connect', resolve));
      // The TLS client's first bytes go out right behind the SSLRequest, before the 'S' is read;
      // the 'S' is taken off before TLS reads.
      s.write(SSL_REQUEST);
      let answer: string | undefined;
      const pipe = new Duplex({
        read() {},
        write(chunk: Buffer, _enc, done) {
          s.write(chunk, done);
        },
      });
      s.on('data', (d: Buffer) => {
        if (answer === undefined) {
          answer = String.fromCharCode(d[0] as number);
          d = d.subarray(1);
        }
        if (d.length > 0) pipe.push(d);
      });
      s.on('close', () => pipe.push(null));
      const secured = tls.connect({ socket: pipe, rejectUnauthorized: false, ALPNProtocols: ['postgresql'] });
      const first = await new Promise<string>((resolve) => {
        secured.once('secureConnect', () => resolve('secure'));
        secured.once('error', (e) => resolve(e.message));
      });
      secured.destroy();
      s.destroy();
      expect({ [t.name]: [answer, first] }).toEqual({ [t.name]: ['S', 'secure'] });
    }
  });

  const mitm = 'DThis could be either a client-software bug or evidence of an attempted man-in-the-middle attack.';
  const cases = [
    // PostgreSQL 17+ hands bytes that came with the SSLRequest to the TLS handshake, which fails on plaintext.
    { mode: 'on' as const, request: SSL_REQUEST, answer: ['S'] },
    { mode: 'off' as const, request: SSL_REQUEST, answer: ['N', `E SFATAL | VFATAL | C08P01 | Mreceived unencrypted data after SSL request | ${mitm}`] },
    { mode: 'on' as const, request: GSSENC_REQUEST, answer: ['N', `E SFATAL | VFATAL | C08P01 | Mreceived unencrypted data after GSSAPI encryption request | ${mitm}`] },
    { mode: 'off' as const, request: GSSENC_REQUEST, answer: ['N', `E SFATAL | VFATAL | C08P01 | Mreceived unencrypted data after GSSAPI encryption request | ${mitm}`] },
  ];
  for (const c of cases) {
    it(`${c.request === SSL_REQUEST ? 'SSLRequest' : 'GSSENCRequest'} with TLS ${c.mode}: the answer byte, then FATAL 08P01, from twin and server alike`, async () => {
      for (const t of targets[c.mode]) {
        const answer = await exchange(t, Buffer.concat([c.request, startup()]));
        expect({ [t.name]: readable(answer) }).toEqual({ [t.name]: c.answer });
      }
    });
  }
});

/** A raw TLS connection opened with a ClientHello; resolves with what happened. */
function directHandshake(t: Target, alpn: string[] | undefined): Promise<{ secure: boolean; alpn: string | false; received: number; closed: boolean }> {
  return new Promise((resolve) => {
    let secure = false;
    let received = 0;
    let protocol: string | false = false;
    const s = tls.connect({ host: t.host, port: t.port, ALPNProtocols: alpn, rejectUnauthorized: false }, () => {
      secure = true;
      protocol = s.alpnProtocol ?? false;
      if (protocol === 'postgresql') s.write(startup());
    });
    s.on('data', (d) => {
      received += d.length;
      s.destroy(); // the server's first answer is all this asks
    });
    s.on('error', () => {});
    s.on('close', () => resolve({ secure, alpn: protocol, received, closed: true }));
  });
}

describe('direct SSL negotiation', () => {
  it('serves pg and postgres.js with sslnegotiation=direct, over TLS with ALPN postgresql', async () => {
    for (const t of targets.on) {
      const c = new pg.Client({ host: t.host, port: t.port, user: t.user, password: TYPED_PASSWORD, database: t.database, ssl: { ca: t.ca, servername: 'localhost' }, sslnegotiation: 'direct' } as pg.ClientConfig);
      await c.connect();
      try {
        const stream = (c as unknown as { connection: { stream: tls.TLSSocket } }).connection.stream;
        expect({ [t.name]: [stream.encrypted, stream.alpnProtocol, (await c.query('SELECT 1 AS one')).rows] }).toEqual({ [t.name]: [true, 'postgresql', [{ one: 1 }]] });
      } finally {
        await c.end();
      }
      const sql = postgres({ host: t.host, port: t.port, user: t.user, pass: TYPED_PASSWORD, database: t.database, ssl: { ca: t.ca, servername: 'localhost' }, sslnegotiation: 'direct', max: 1 } as postgres.Options<Record<string, never>>);
      try {
        expect({ [t.name]: [...(await sql`SELECT 2 AS two`)] }).toEqual({ [t.name]: [{ two: 2 }] });
      } finally {
        await sql.end();
      }
    }
  });

  it('completes a handshake without ALPN, then closes without a word', async () => {
    for (const t of targets.on) {
      expect({ [t.name]: await directHandshake(t, undefined) }).toEqual({ [t.name]: { secure: true, alpn: false, received: 0, closed: true } });
    }
  });

  it('answers a direct-SSL startup over TLS as over SSLRequest (an unknown user fails SCRAM)', async () => {
    for (const t of targets.on) {
      const result = await directHandshake(t, ['postgresql']);
      expect({ [t.name]: [result.secure, result.alpn, result.received > 0] }).toEqual({ [t.name]: [true, 'postgresql', true] });
    }
  });

  it('with TLS off, closes a connection that opens with a ClientHello', async () => {
    for (const t of targets.off) {
      expect({ [t.name]: await directHandshake(t, ['postgresql']) }).toEqual({ [t.name]: { secure: false, alpn: false, received: 0, closed: true } });
    }
  });
});

describe('SCRAM-SHA-256-PLUS and SASLprep', () => {
  it('lets psql connect with channel_binding=require, over SSLRequest', async () => {
    for (const t of targets.on) {
      const conninfo = `host=${t.host} port=${t.port} user=${t.user} dbname=${t.database} sslmode=require channel_binding=require`;
      const { stdout } = await execFileAsync('psql', ['-X', '-A', '-t', conninfo, '-c', 'SELECT 40 + 2'], { env: { ...process.env, PGPASSWORD: TYPED_PASSWORD, PGCONNECT_TIMEOUT: '10' } });
      expect({ [t.name]: stdout.trim() }).toEqual({ [t.name]: '42' });
    }
  });

  it('binds pg to the channel (enableChannelBinding) and refuses a client that says the server cannot bind', async () => {
    for (const t of targets.on) {
      const c = new pg.Client({ host: t.host, port: t.port, user: t.user, password: TYPED_PASSWORD, database: t.database, ssl: { ca: t.ca, servername: 'localhost' }, enableChannelBinding: true });
      await c.connect();
      expect({ [t.name]: (await c.query('SELECT 1 AS one')).rows }).toEqual({ [t.name]: [{ one: 1 }] });
      await c.end();
    }
  });

  it('logs in with the password as typed when the configured one differs only by SASLprep, and refuses another', async () => {
    for (const t of [...targets.on, targets.off[0] as Target]) {
      const conninfo = `host=${t.host} port=${t.port} user=${t.user} dbname=${t.database} sslmode=${t.ca ? 'require' : 'disable'}`;
      const psql = await execFileAsync('psql', ['-X', '-A', '-t', conninfo, '-c', 'SELECT 1'], { env: { ...process.env, PGPASSWORD: TYPED_PASSWORD, PGCONNECT_TIMEOUT: '10' } });
      const c = new pg.Client({ host: t.host, port: t.port, user: t.user, password: TYPED_PASSWORD, database: t.database, ssl: t.ca ? { ca: t.ca, servername: 'localhost' } : false });
      await c.connect();
      await c.end();
      const wrong = new pg.Client({ host: t.host, port: t.port, user: t.user, password: 'Madchen pass', database: t.database, ssl: t.ca ? { ca: t.ca, servername: 'localhost' } : false });
      const refused = await wrong.connect().then(
        () => 'connected',
        (e: { code?: string }) => e.code,
      );
      expect({ [t.name]: [psql.stdout.trim(), refused] }).toEqual({ [t.name]: ['1', '28P01'] });
    }
  });
});
