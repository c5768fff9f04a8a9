// Issue 11, item 9: a journal stream (SSE) whose reader never reads must not grow the server. Each
// stream holds at most streamBufferBytes unsent; past that it writes `event: overflow` naming the
// last seq it sent and ends, and the reader resumes from there with Last-Event-ID.
import net from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/index.ts';
import { StandinClient } from '../../src/sdk/index.ts';
import { startControlPlane, type ControlPlane } from '../support/control-plane.ts';

const STREAM_BUFFER = 64 * 1024;

let cp: ControlPlane;
const serverSockets: net.Socket[] = [];
const readers: net.Socket[] = [];
beforeAll(async () => {
  cp = await startControlPlane([], { limits: { ...DEFAULT_LIMITS, streamBufferBytes: STREAM_BUFFER } });
  cp.server.app.server.on('connection', (socket: net.Socket) => serverSockets.push(socket));
});
afterAll(async () => {
  for (const reader of readers) reader.destroy();
  await cp?.[Symbol.asyncDispose]();
});

/** Opens the journal stream on a raw socket that reads nothing; returns it and the server's side of it. */
async function pausedStream(env: { id: string; token: string }, headers = ''): Promise<{ reader: net.Socket; server: () => net.Socket | undefined }> {
  const { port } = new URL(cp.url);
  const reader = net.connect(Number(port), '127.0.0.1');
  readers.push(reader);
  await new Promise((resolve) => reader.once('connect', resolve));
  reader.pause(); // reads nothing from here on
  reader.write(
    `GET /environments/${env.id}/journal/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${env.token}\r\n${headers}\r\n`,
  );
  // The stream is open once the server has written its head to this reader's socket.
  const server = (): net.Socket | undefined => serverSockets.find((s) => s.remotePort === reader.localPort && s.bytesWritten > 0);
  while (server() === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
  return { reader, server };
}

/** About 1 KB per event, in bursts with a turn in between so the server can hand bytes to the kernel. */
async function appendEvents(journal: { append(entry: { twin: string; point: string; type: string; summary: string }): unknown }, count: number): Promise<void> {
  const padding = 'x'.repeat(1000);
  for (let i = 0; i < count; i++) {
    journal.append({ twin: 't', point: 'p', type: 'test', summary: padding });
    if (i % 100 === 99) await turn();
  }
}

describe('journal stream backpressure', () => {
  it('ends a stream whose reader does not read, saying how far it got, and resumes from there', async () => {
    const env = await cp.createEnv({ twins: {} });
    const journal = cp.server.manager.get(env.id).journal;
    const { reader, server } = await pausedStream(env);
    await appendEvents(journal, 30_000); // 30 MB
    // What the server holds for that reader stays near the bound (before: every byte the kernel refused, ~29 MB).
    expect(server()?.writableLength).toBeLessThan(1024 * 1024);

    // Reading now gets the events up to the overflow, then the overflow event, then the end.
    reader.resume();
    let text = '';
    reader.setEncoding('utf8');
    reader.on('data', (chunk: string) => (text += chunk));
    await new Promise((resolve) => reader.once('end', resolve));
    reader.destroy();
    const overflow = /event: overflow\ndata: (\{[^\n]*\})\n\n/.exec(text);
    expect(overflow).not.toBeNull();
    const { lastSeq } = JSON.parse(overflow?.[1] as string) as { lastSeq: number };
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids.at(-1)).toBe(lastSeq);
    expect(lastSeq).toBeLessThan(30_000);

    // Resuming with Last-Event-ID starts right after it.
    const abort = new AbortController();
    const resumed = await fetch(`${cp.url}/environments/${env.id}/journal/stream`, {
      headers: { authorization: `Bearer ${env.token}`, 'last-event-id': String(lastSeq) },
      signal: abort.signal,
    });
    const body = resumed.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    let first = '';
    while (!/^id: \d+$/m.test(first)) first += new TextDecoder().decode((await body.read()).value);
    expect(Number(/^id: (\d+)$/m.exec(first)?.[1])).toBe(lastSeq + 1);
    abort.abort();
    await body.cancel().catch(() => {});
    await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
  });

  it('replays a page at a time to a reader that does not read', async () => {
    const env = await cp.createEnv({ twins: {} });
    const journal = cp.server.manager.get(env.id).journal;
    await appendEvents(journal, 20_000); // 20 MB of history
    const { reader, server } = await pausedStream(env, 'Last-Event-ID: 0\r\n');
    let written = -1;
    while (server()?.bytesWritten !== written) {
      written = server()?.bytesWritten ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Before, the whole replay was written at once and held: about 22 MB beyond what the kernel took.
    expect(server()?.writableLength).toBeLessThan(1024 * 1024);
    reader.destroy();
    await cp.call('DELETE', `/environments/${env.id}`, { token: env.token });
  });

  it('the SDK stream resumes after an overflow and loses nothing', async () => {
    const env = await new StandinClient({ url: cp.url }).environments.create({ twins: {} });
    const journal = cp.server.manager.get(env.id).journal;
    journal.append({ twin: 't', point: 'p', type: 'test', summary: 'first' });
    const streams = (): number => serverSockets.filter((s) => s.bytesWritten > 0).length;
    const stream = env.journal.stream();
    const seqs = [((await stream.next()).value as { seq: number }).seq];
    const connected = streams();
    await appendEvents(journal, 20_000); // while the reader does not pull: the server overflows it
    for await (const event of stream) {
      seqs.push(event.seq);
      if (event.seq === journal.lastSeq) break;
    }
    expect(streams()).toBeGreaterThan(connected); // it did reconnect
    expect(seqs).toEqual(Array.from({ length: journal.lastSeq }, (_, i) => i + 1));
    await env.destroy();
  });
});

describe('a destroyed environment ends its journal streams', () => {
  it('sends `event: end` with the last seq and closes; the SDK stream finishes', async () => {
    const client = new StandinClient({ url: cp.url });
    const handle = await client.environments.create({ twins: {} });
    const env = cp.server.manager.get(handle.id);
    env.journal.append({ twin: 't', point: 'p', type: 'test', summary: 'one' });
    const response = await fetch(`${cp.url}/environments/${handle.id}/journal/stream?since=0`, { headers: { authorization: `Bearer ${handle.token}` } });
    const text = response.text();
    const seen: number[] = [];
    const following = (async () => {
      for await (const event of handle.journal.stream({ since: 0 })) seen.push(event.seq);
    })();
    // Both readers are following once the one event they replay has reached the SDK's.
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await handle.destroy();
    // Before the fix neither ended: the server kept the stream open until shutdown.
    expect(await text).toMatch(/event: end\ndata: \{"reason":"environment destroyed","lastSeq":1\}/);
    await following;
    expect(seen).toEqual([1]);
  });
});
