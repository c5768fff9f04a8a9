// Bad input must cost only the connection that sent it: ≥ 100,000 random and mutated frames (a
// seeded generator, so a failure replays) across many connections, after which the twin still
// answers a well-behaved client. Connections whose first bad frame is an unknown message type must
// get ErrorResponse 08P01 and be closed.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRng } from '../../src/core/index.ts';
import { bodyFuzzFrame, frame, fuzzFrame, startup } from './fuzz-frames.ts';
import { postgresTwin } from '../../twins/postgres/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

const FRAMES = Number(process.env.STANDIN_FUZZ_FRAMES ?? 100_000);
const PER_CONNECTION = 500;
const PARALLEL = 8;

let h: TwinHarness;
let port: number;
let timedOut = 0;
let waiting = 0;

beforeAll(async () => {
  h = await startTwin(postgresTwin, { auth: 'trust', init: ['CREATE TABLE f (id int primary key, v text)'] }, { seed: 99 });
  port = Number(new URL(h.twin.endpoints.url as string).port);
});
afterAll(async () => {
  await h?.stop();
});

const READY = Buffer.from('Z\0\0\0\x05', 'latin1');

/**
 * Sends the bytes; with `halfClose` also the client's FIN. The `later` pieces are written one by
 * one once the session is up (after its first ReadyForQuery), so they reach a running session in
 * separate reads, as a live client's messages do.
 */
function exchange(bytes: Buffer, halfClose = true, later: Buffer[] = []): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let waitingForReady = later.length > 0;
    const writeLater = async (): Promise<void> => {
      for (const piece of later) {
        if (s.destroyed) return;
        s.write(piece);
        await new Promise((r) => setImmediate(r));
      }
    };
    const s = net.connect(port, '127.0.0.1', () => (halfClose ? s.end(bytes) : s.write(bytes)));
    let idleTimer: NodeJS.Timeout | undefined;
    const idle = (): void => {
      clearTimeout(idleTimer);
      // A frame whose length promises more bytes than were sent keeps the twin waiting, as PostgreSQL
      // waits: after a quiet spell the client gives up.
      idleTimer = setTimeout(() => {
        waiting++;
        s.destroy();
      }, 300);
    };
    s.on('data', (d) => {
      chunks.push(d);
      idle();
      if (waitingForReady && Buffer.concat(chunks).includes(READY)) {
        waitingForReady = false;
        void writeLater();
      }
    });
    s.on('error', () => {});
    idle();
    const timer = setTimeout(() => {
      timedOut++;
      s.destroy();
    }, 5_000);
    s.on('close', () => {
      clearTimeout(timer);
      clearTimeout(idleTimer);
      resolve(Buffer.concat(chunks));
    });
  });
}

it(`survives ${FRAMES} random and mutated frames`, async () => {
  const rng = createRng(99, 'fuzz');
  let sent = 0;
  let connections = 0;
  const batch = async (): Promise<void> => {
    while (sent < FRAMES) {
      connections++;
      const garbageStartup = rng.int(10) === 0;
      const first = garbageStartup ? rng.bytes(1 + rng.int(64)) : startup();
      if (garbageStartup || rng.int(4) > 0) {
        const frames = [first, ...Array.from({ length: PER_CONNECTION }, () => fuzzFrame(rng))];
        frames.push(frame('X', Buffer.alloc(0))); // Terminate, for the connections that get that far
        sent += frames.length;
        await exchange(Buffer.concat(frames), false);
        continue;
      }
      // A quarter of the sessions get well-framed messages with flipped body bytes once they are up,
      // 1–4 a write, as a live client sends: they reach the relay's forward-first path.
      const pieces: Buffer[] = [];
      for (let i = 0; i < PER_CONNECTION; ) {
        const n = 1 + rng.int(4);
        pieces.push(Buffer.concat(Array.from({ length: n }, () => bodyFuzzFrame(rng))));
        i += n;
        sent += n;
      }
      sent++;
      await exchange(first, false, pieces);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, batch));
  expect(sent).toBeGreaterThanOrEqual(FRAMES);
  expect(connections).toBeGreaterThan(100);
  // Every connection was ended by the twin (answered, refused, cut) or is waiting for bytes a frame
  // promised; none hangs with its input complete.
  expect(timedOut).toBe(0);
  expect(waiting).toBeLessThan(connections);

  const c = new pg.Client({ connectionString: h.twin.endpoints.url as string });
  await c.connect();
  expect((await c.query('SELECT count(*)::int AS n FROM f')).rows).toEqual([{ n: 0 }]);
  await c.end();
}, 180_000);

it('answers an unknown message type with 08P01 and closes', async () => {
  // No FIN: the twin itself must close after the FATAL.
  const answer = await exchange(Buffer.concat([startup(), frame('Q', Buffer.from('SELECT 1\0')), frame('?', Buffer.from('junk'))]), false);
  const text = answer.toString('latin1');
  expect(text).toContain('SELECT 1');
  expect(text).toContain('C08P01');
  expect(text.lastIndexOf('C08P01')).toBeGreaterThan(text.indexOf('SELECT 1'));
  expect(timedOut).toBe(0);
});

it('answers an oversized frame with 08P01', async () => {
  const huge = Buffer.alloc(5);
  huge[0] = 'Q'.charCodeAt(0);
  huge.writeInt32BE(0x7fffffff, 1);
  expect((await exchange(Buffer.concat([startup(), huge]), false)).toString('latin1')).toContain('C08P01');
});

it('answers what a client sent before it half-closed, then closes, as PostgreSQL does', async () => {
  const answer = await exchange(Buffer.concat([startup(), frame('Q', Buffer.from('SELECT 40 + 2 AS n\0'))]), true);
  const text = answer.toString('latin1');
  expect(text).toContain('42');
  expect(text).toContain('SELECT 1');
  expect(timedOut).toBe(0);
});

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
