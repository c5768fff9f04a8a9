// Bad input must cost only the connection that sent it: ≥ 100,000 random and mutated frames (a
// seeded generator, so a failure replays) across many connections, after which the twin still
// answers a well-behaved client. Connections whose first bad frame is an unknown message type must
// get ErrorResponse 08P01 and be closed.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { frame, startup } from './fuzz-frames.ts';
import { exchange, newTally, runFuzz } from './fuzz-run.ts';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const FRAMES = Number(process.env.STANDIN_FUZZ_FRAMES ?? 100_000);

let h: TwinHarness;
let port: number;
const tally = newTally();

beforeAll(async () => {
  h = await startTwin(postgresTwin, { auth: 'trust', init: ['CREATE TABLE f (id int primary key, v text)'] }, { seed: 99 });
  port = Number(new URL(h.twin.endpoints.url as string).port);
});
afterAll(async () => {
  await h?.stop();
});

it(`survives ${FRAMES} random and mutated frames`, async () => {
  const run = await runFuzz(port, FRAMES, 99);
  expect(run.sent).toBeGreaterThanOrEqual(FRAMES);
  expect(run.connections).toBeGreaterThan(100);
  // The twin closed every connection (answered, refused, cut), those waiting for bytes a frame
  // promised once the client half-closed them; none hung.
  expect(run.timedOut).toBe(0);

  const c = new pg.Client({ connectionString: h.twin.endpoints.url as string });
  await c.connect();
  expect((await c.query('SELECT count(*)::int AS n FROM f')).rows).toEqual([{ n: 0 }]);
  await c.end();
}, 180_000);

it('answers an unknown message type with 08P01 and closes', async () => {
  // No FIN: the twin itself must close after the FATAL.
  const answer = await exchange(port, Buffer.concat([startup(), frame('Q', Buffer.from('SELECT 1\0')), frame('?', Buffer.from('junk'))]), { end: 'never', tally });
  const text = answer.toString('latin1');
  expect(text).toContain('SELECT 1');
  expect(text).toContain('C08P01');
  expect(text.lastIndexOf('C08P01')).toBeGreaterThan(text.indexOf('SELECT 1'));
  expect(tally.timedOut).toBe(0);
}, 60_000);

it('answers an oversized frame with 08P01', async () => {
  const huge = Buffer.alloc(5);
  huge[0] = 'Q'.charCodeAt(0);
  huge.writeInt32BE(0x7fffffff, 1);
  expect((await exchange(port, Buffer.concat([startup(), huge]), { end: 'never', tally })).toString('latin1')).toContain('C08P01');
  expect(tally.timedOut).toBe(0);
}, 60_000);

it('answers what a client sent before it half-closed, then closes, as PostgreSQL does', async () => {
  const answer = await exchange(port, Buffer.concat([startup(), frame('Q', Buffer.from('SELECT 40 + 2 AS n\0'))]), { tally });
  const text = answer.toString('latin1');
  expect(text).toContain('42');
  expect(text).toContain('SELECT 1');
  expect(tally.timedOut).toBe(0);
}, 60_000);

it('answers a well-typed message with a malformed body, sent on its own, with 08P01', async () => {
  const answer = await new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.write(startup()));
    let sent = false;
    s.on('data', (d) => {
      chunks.push(d);
      // After ReadyForQuery: a Bind whose portal name runs past the end of the message.
      if (!sent && d.includes(Buffer.from('Z\0\0\0\x05I', 'latin1'))) {
        sent = true;
        s.write(frame('B', Buffer.from('unterminated', 'latin1')));
      }
    });
    s.on('error', () => {});
    s.on('close', () => resolve(Buffer.concat(chunks)));
  });
  expect(answer.toString('latin1')).toContain('C08P01');
  const c = new pg.Client({ connectionString: h.twin.endpoints.url as string });
  await c.connect();
  expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  await c.end();
});
