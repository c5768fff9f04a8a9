// Issue 11 item 14 (limits.connectionsPerTwin): one client opening connections without end must not
// take every descriptor of the process. Past the limit a twin closes a new connection at once and
// journals why; once one closes, the next is taken again.
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tcpTwin } from '../../twins/tcp/index.ts';
import { startTwin } from '../support/twin-harness.ts';

const LIMIT = 3;
const echo = net.createServer((socket) => socket.pipe(socket).on('error', () => {}));
beforeAll(async () => {
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
});
afterAll(() => echo.close());

/** Connects and sends a line: resolves true once it comes back, false if the twin closed the connection instead. */
async function echoes(port: number, sockets: net.Socket[]): Promise<boolean> {
  const socket = net.connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  socket.on('error', () => {}); // the refusal is an RST: ECONNRESET, then 'close'
  socket.write('ping\n');
  return new Promise((resolve) => {
    socket.once('data', () => resolve(true));
    socket.once('close', () => resolve(false));
  });
}

describe('limits.connectionsPerTwin', () => {
  it(`a twin holds ${LIMIT} connections; the next is closed at once and journaled, and taken again once one closes`, async () => {
    const { port: upstream } = echo.address() as net.AddressInfo;
    await using twin = await startTwin(tcpTwin, { upstream: `127.0.0.1:${upstream}` }, { limits: { connectionsPerTwin: LIMIT } });
    const port = Number(String(twin.twin.endpoints.address).split(':')[1]);
    const sockets: net.Socket[] = [];
    try {
      for (let i = 0; i < LIMIT; i++) expect(await echoes(port, sockets)).toBe(true);
      expect(await echoes(port, sockets)).toBe(false);

      const refused = twin.journal.query({ point: 'connection' }).events.filter((e) => (e.data as { event?: string }).event === 'refused');
      expect(refused).toHaveLength(1);
      expect(refused[0]?.summary).toMatch(/3 connections open \(limit connectionsPerTwin\)/);

      const first = sockets[0] as net.Socket;
      first.destroy();
      await once(first, 'close');
      // The twin sees the close a moment later; until then it may still count the connection.
      let taken = false;
      for (let attempt = 0; attempt < 50 && !taken; attempt++) taken = await echoes(port, sockets);
      expect(taken).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
