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
  /** Connections the twin did not close within HUNG_MS of the client's last byte (its FIN, if it sent one). */
  timedOut: number;
  /** Connections the twin left waiting for bytes a frame promised: the client half-closed them once they went quiet. */
  waiting: number;
}

/**
 * Far beyond any answer's time even on a loaded machine: only a hang reaches it. No outcome depends
 * on timing below it — a twin slow to answer gets the client's FIN later or sooner and must still
 * answer what was sent, then close.
 */
const HUNG_MS = 20_000;
/** Quiet this long after its last byte, a connection is taken to wait for bytes a frame promised. */
const QUIET_MS = 300;

export function newTally(): FuzzTally {
  return { sent: 0, connections: 0, timedOut: 0, waiting: 0 };
}

/**
 * Sends the bytes, then the client's FIN: `end: 'now'` with them; `'when-quiet'` once the twin has
 * sent nothing for a while (a frame promising more bytes than were sent keeps the twin waiting, as
 * PostgreSQL waits); `'never'` leaves closing to the twin. The `later` pieces are written one by one
 * once the session is up (after its first ReadyForQuery). Resolves with all the twin answered once
 * it closed the connection.
 */
export function exchange(
  port: number,
  bytes: Buffer,
  options: { end?: 'now' | 'when-quiet' | 'never'; later?: Buffer[]; tally?: FuzzTally } = {},
): Promise<Buffer> {
  const { end = 'now', later = [], tally = newTally() } = options;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let waitingForReady = later.length > 0;
    let allSent = false;
    let hung: NodeJS.Timeout | undefined;
    let quiet: NodeJS.Timeout | undefined;
    const armHung = (): void => {
      clearTimeout(hung);
      hung = setTimeout(() => {
        tally.timedOut++;
        s.destroy();
      }, HUNG_MS);
    };
    // The quiet spell only decides when the FIN goes, never the outcome: the twin must close either way.
    const armQuiet = (): void => {
      clearTimeout(quiet);
      if (end !== 'when-quiet' || !allSent || s.writableEnded) return;
      quiet = setTimeout(() => {
        tally.waiting++;
        s.end();
        armHung();
      }, QUIET_MS);
    };
    const sentAll = (): void => {
      allSent = true;
      armHung();
      armQuiet();
    };
    const writeLater = async (): Promise<void> => {
      for (const piece of later) {
        if (s.destroyed) return;
        s.write(piece);
        await new Promise((r) => setImmediate(r));
      }
      sentAll();
    };
    const s = net.connect(port, '127.0.0.1', () => {
      if (end === 'now') s.end(bytes);
      else s.write(bytes);
      if (waitingForReady) armHung();
      else sentAll();
    });
    s.on('data', (d) => {
      chunks.push(d);
      armQuiet();
      if (waitingForReady && Buffer.concat(chunks).includes(READY)) {
        waitingForReady = false;
        void writeLater();
      }
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(hung);
      clearTimeout(quiet);
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
        await exchange(port, Buffer.concat(all), { end: 'when-quiet', tally });
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
      await exchange(port, first, { end: 'when-quiet', later: pieces, tally });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  return tally;
}
