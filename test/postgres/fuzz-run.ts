// The fuzz run, shared by the fuzz test and the bench's larger run. Each connection sends a startup
// packet (now and then garbage instead) and 500 frames from fuzz-frames.ts, all in one write; a
// quarter of the sessions instead get well-framed messages with flipped body bytes once they are
// up, 1–4 a write, as a live client sends them, so they reach the relay's forward-first path.
import net from 'node:net';
import { createRng } from '../../src/core/index.ts';
import { bodyFuzzFrame, frame, fuzzFrame, startup } from './fuzz-frames.ts';

const PER_CONNECTION = 500;
const PARALLEL = 8;
const READY = Buffer.from('Z\0\0\0\x05', 'latin1');

export interface FuzzTally {
  /** Frames sent. */
  sent: number;
  connections: number;
  /** Connections the client gave up on after 5 s although its input was complete. */
  timedOut: number;
  /** Connections left waiting for bytes a frame promised, closed by the client after a quiet spell. */
  waiting: number;
}

export function newTally(): FuzzTally {
  return { sent: 0, connections: 0, timedOut: 0, waiting: 0 };
}

/**
 * Sends the bytes; with `halfClose` also the client's FIN. The `later` pieces are written one by
 * one once the session is up (after its first ReadyForQuery). Resolves with all the twin answered.
 */
export function exchange(port: number, bytes: Buffer, options: { halfClose?: boolean; later?: Buffer[]; tally?: FuzzTally } = {}): Promise<Buffer> {
  const { halfClose = true, later = [], tally = newTally() } = options;
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
        tally.waiting++;
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
      tally.timedOut++;
      s.destroy();
    }, 5_000);
    s.on('close', () => {
      clearTimeout(timer);
      clearTimeout(idleTimer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** At least `frames` frames from a generator seeded with `seed`, over 8 connections at a time. */
export async function runFuzz(port: number, frames: number, seed: number): Promise<FuzzTally> {
  const rng = createRng(seed, 'fuzz');
  const tally = newTally();
  const lane = async (): Promise<void> => {
    while (tally.sent < frames) {
      tally.connections++;
      const garbageStartup = rng.int(10) === 0;
      const first = garbageStartup ? rng.bytes(1 + rng.int(64)) : startup();
      if (garbageStartup || rng.int(4) > 0) {
        const all = [first, ...Array.from({ length: PER_CONNECTION }, () => fuzzFrame(rng))];
        all.push(frame('X', Buffer.alloc(0))); // Terminate, for the connections that get that far
        tally.sent += all.length;
        await exchange(port, Buffer.concat(all), { halfClose: false, tally });
        continue;
      }
      const pieces: Buffer[] = [];
      for (let i = 0; i < PER_CONNECTION; ) {
        const n = 1 + rng.int(4);
        pieces.push(Buffer.concat(Array.from({ length: n }, () => bodyFuzzFrame(rng))));
        i += n;
        tally.sent += n;
      }
      tally.sent++;
      await exchange(port, first, { halfClose: false, later: pieces, tally });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  return tally;
}
