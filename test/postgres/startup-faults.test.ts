// `startup` rules and maxConnections, observed through node `pg` connecting.
import net from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

let h: TwinHarness;

beforeAll(async () => {
  h = await startTwin(postgresTwin, { maxConnections: 3 }, { seed: 5 });
});
afterAll(async () => {
  await h?.stop();
});
afterEach(() => {
  h.faults.clear();
});

async function connect(config: pg.ClientConfig = {}): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: h.twin.endpoints.url as string, ...config });
  c.on('error', () => {});
  await c.connect();
  return c;
}

describe('startup rules', () => {
  it.each([
    ['too_many_connections', '53300'],
    ['28P01', '28P01'],
    ['cannot_connect_now', '57P03'],
    ['08006', '08006'],
  ])('error %s fails the login with FATAL %s', async (sqlstate, code) => {
    h.addRule({ point: 'startup', action: { error: { sqlstate } } });
    await expect(connect()).rejects.toMatchObject({ code, severity: 'FATAL' });
  });

  it('matches on the application name', async () => {
    h.addRule({ point: 'startup', match: { application_name: 'batch' }, action: { error: { sqlstate: '57P03' } } });
    await expect(connect({ application_name: 'batch' })).rejects.toMatchObject({ code: '57P03' });
    const ok = await connect({ application_name: 'web' });
    await ok.end();
  });

  it('delays the login', async () => {
    h.addRule({ point: 'startup', action: { delay: { ms: 250 } } });
    const t = performance.now();
    const c = await connect();
    expect(performance.now() - t).toBeGreaterThanOrEqual(240);
    await c.end();
  });

  it('hangs until the client’s connect timeout fires', async () => {
    h.addRule({ point: 'startup', action: { hang: {} } });
    await expect(connect({ connectionTimeoutMillis: 300 })).rejects.toThrow(/timeout/i);
  });

  it('disconnects before answering', async () => {
    h.addRule({ point: 'startup', action: { disconnect: {} } });
    await expect(connect()).rejects.toThrow(/terminated|ECONNRESET|closed/i);
  });

  it('fires only as often as the trigger says', async () => {
    h.addRule({ point: 'startup', action: { error: { sqlstate: '57P03' } }, trigger: { times: 1 } });
    await expect(connect()).rejects.toMatchObject({ code: '57P03' });
    const c = await connect();
    await c.end();
  });
});

describe('maxConnections', () => {
  it('answers FATAL 53300 past the limit and admits again once a session ends', async () => {
    const open = [await connect(), await connect(), await connect()];
    await expect(connect()).rejects.toMatchObject({ code: '53300', message: 'sorry, too many clients already' });
    await open[0]?.end();
    // The slot frees when the twin sees the session end, which the client's end() does not wait for.
    let again: Awaited<ReturnType<typeof connect>> | undefined;
    while (again === undefined) {
      again = await connect().catch((error: { code?: string }) => {
        if (error.code !== '53300') throw error;
        return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20));
      });
    }
    await Promise.all([again, ...open.slice(1)].map((c) => c.end()));
  });
});

describe('bad input', () => {
  const port = (): number => Number(new URL(h.twin.endpoints.url as string).port);

  async function exchange(bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const s = net.connect(port(), '127.0.0.1', () => s.write(bytes));
      s.on('data', (d) => chunks.push(d));
      s.on('close', () => resolve(Buffer.concat(chunks)));
      s.on('error', () => {});
      setTimeout(() => s.destroy(), 2_000);
    });
  }

  it('closes on a garbage startup packet without a word, as PostgreSQL does; other sessions carry on', async () => {
    const c = await connect();
    const answer = await exchange(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(answer.length).toBe(0);
    expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    await c.end();
  });

  it('answers SSLRequest and GSSENCRequest with N, then serves the session in the clear', async () => {
    await expect(connect({ ssl: { rejectUnauthorized: false } })).rejects.toThrow(/does not support SSL/);
    const gssenc = Buffer.alloc(8);
    gssenc.writeInt32BE(8, 0);
    gssenc.writeInt32BE(80877104, 4);
    const answer = await new Promise<Buffer>((resolve) => {
      const s = net.connect(port(), '127.0.0.1', () => s.write(gssenc));
      s.once('data', (d) => {
        s.destroy();
        resolve(d);
      });
    });
    expect(answer.toString()).toBe('N');
  });

  it('answers protocol 2.0 with an error in 2.0 form, as PostgreSQL does', async () => {
    const packet = Buffer.alloc(8);
    packet.writeInt32BE(8, 0);
    packet.writeInt32BE((2 << 16) | 0, 4);
    expect((await exchange(packet)).toString()).toMatch(/^EFATAL: {2}unsupported frontend protocol 2\.0: server supports 3\.0 to 3\.\d\n\0$/);
  });
});
